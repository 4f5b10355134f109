package network

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwait-dev/kwait/pkg/target"
)

// kafka is Apache Kafka readiness (and of servers speaking its protocol:
// Redpanda, WarpStream), in two requests on one connection:
//  1. ApiVersions (version 0, which every broker answers): an error code
//     other than 0 is not yet, with the code; the versions of Metadata the
//     broker takes pick the next request's: the highest both speak;
//  2. Metadata for no topics: ready once its broker list holds at least
//     one broker; an empty list (a broker that does not yet know its
//     cluster) is not yet.
//
// A refused connection, a timeout, anything that does not parse: not yet;
// so is a broker taking no Metadata version kwait speaks, naming its range.
// There is no TLS or SASL form yet: a listener that wants either answers
// nothing kwait can read, so the wait ends at its timeout.
//
// The messages are franz-go's kmsg (a few tens of KB in the binary): it
// knows every version of both, flexible encodings included.
var kafka = protocol{
	schemes: []string{"kafka"},
	port:    "9092",
	form:    "kafka://HOST[:PORT]",
	usage:   "wait for Kafka brokers to answer ApiVersions and list at least one broker in their metadata",
	example: "kwait kafka kafka-0.kafka:9092",
	talk:    kafkaTalk,
}

func kafkaTalk(s *session) (target.Status, error) {
	f := kmsg.NewRequestFormatter(kmsg.FormatterClientID("kwait"))
	versions := kmsg.NewPtrApiVersionsRequest() // version 0
	if err := s.write(f.AppendRequest(nil, versions, 1)); err != nil {
		return target.Status{}, err
	}
	body, err := kafkaResponse(s.r, 1, false)
	if err != nil || body == nil {
		return unexpected("Kafka"), err
	}
	vr := kmsg.NewPtrApiVersionsResponse()
	if vr.ReadFrom(body) != nil {
		return unexpected("Kafka"), nil
	}
	if vr.ErrorCode != 0 {
		return target.Pending("ApiVersions error code %d", vr.ErrorCode), nil
	}
	md := kmsg.NewPtrMetadataRequest()
	lo, hi, ok := int16(0), int16(-1), false
	for _, k := range vr.ApiKeys {
		if k.ApiKey == md.Key() {
			lo, hi, ok = k.MinVersion, k.MaxVersion, true
		}
	}
	md.Version = min(hi, md.MaxVersion())
	switch {
	case !ok:
		return target.Pending("the broker lists no Metadata API"), nil
	case md.Version < lo || md.Version < 1:
		return target.Pending("the broker takes Metadata v%d-v%d, kwait speaks v1-v%d", lo, hi, md.MaxVersion()), nil
	}
	md.Topics = []kmsg.MetadataRequestTopic{} // none; nil would be all
	if err := s.write(f.AppendRequest(nil, md, 2)); err != nil {
		return target.Status{}, err
	}
	if body, err = kafkaResponse(s.r, 2, md.IsFlexible()); err != nil || body == nil {
		return unexpected("Kafka"), err
	}
	mr := kmsg.NewPtrMetadataResponse()
	mr.Version = md.Version
	if mr.ReadFrom(body) != nil {
		return unexpected("Kafka"), nil
	}
	if len(mr.Brokers) == 0 {
		return target.Pending("no brokers in the cluster metadata yet"), nil
	}
	return target.Ready(), nil
}

// kafkaResponse reads one response and returns its body, after the
// correlation id and, for a flexible version, the header's tagged fields;
// nil when it is not the answer to correlation.
func kafkaResponse(r io.Reader, correlation int32, flexible bool) ([]byte, error) {
	var head [8]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(head[:])))
	if n < 4 || n > answerLimit || int32(binary.BigEndian.Uint32(head[4:])) != correlation {
		return nil, nil
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if flexible {
		return skipTags(body), nil
	}
	return body, nil
}

// skipTags returns b after the tagged fields it starts with; nil when they
// do not parse.
func skipTags(b []byte) []byte {
	count, n := binary.Uvarint(b)
	if n <= 0 {
		return nil
	}
	b = b[n:]
	for range count {
		if _, n = binary.Uvarint(b); n <= 0 {
			return nil
		}
		b = b[n:]
		size, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < size {
			return nil
		}
		b = b[n+int(size):]
	}
	return b
}
