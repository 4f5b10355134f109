package network

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/kwait-dev/kwait/pkg/target"
)

// kafka is Apache Kafka readiness (and of servers speaking its protocol:
// Redpanda, WarpStream), in two requests on one connection:
//  1. ApiVersions (version 0, which every broker answers): an error code
//     other than 0 is not yet, with the code; the versions of Metadata the
//     broker takes pick the next request's;
//  2. Metadata for no topics: ready once its broker list holds at least
//     one broker; an empty list (a broker that does not yet know its
//     cluster) is not yet.
//
// A refused connection, a timeout, anything that does not parse: not yet.
// kwait speaks Metadata versions 1 to 8 (those before Kafka's flexible
// encoding); a broker taking none of them is not yet, naming its range.
// There is no TLS or SASL form yet: a listener that wants either answers
// nothing kwait can read, so the wait ends at its timeout.
var kafka = protocol{
	schemes: []string{"kafka"},
	port:    "9092",
	talk:    kafkaTalk,
}

// Kafka API keys.
const (
	kafkaMetadata    = 3
	kafkaAPIVersions = 18
)

func kafkaTalk(s *session) (target.Status, error) {
	if err := s.write(kafkaRequest(kafkaAPIVersions, 0, 1, nil)); err != nil {
		return target.Status{}, err
	}
	body, err := kafkaResponse(s.r, 1)
	if err != nil || body == nil {
		return unexpected("Kafka"), err
	}
	lo, hi, st := kafkaMetadataVersions(body)
	if st != nil {
		return *st, nil
	}
	v := max(lo, 1)
	if v > hi || v > 8 {
		return target.Pending("the broker takes Metadata v%d-v%d, kwait speaks v1-v8", lo, hi), nil
	}
	req := binary.BigEndian.AppendUint32(nil, 0) // topics: an empty array, none
	if v >= 4 {
		req = append(req, 0) // allow_auto_topic_creation: false
	}
	if v >= 8 {
		req = append(req, 0, 0) // include cluster and topic authorized operations
	}
	if err := s.write(kafkaRequest(kafkaMetadata, int16(v), 2, req)); err != nil {
		return target.Status{}, err
	}
	if body, err = kafkaResponse(s.r, 2); err != nil || body == nil {
		return unexpected("Kafka"), err
	}
	if v >= 3 {
		if len(body) < 4 {
			return unexpected("Kafka"), nil
		}
		body = body[4:] // throttle_time_ms
	}
	if len(body) < 4 {
		return unexpected("Kafka"), nil
	}
	if n := int32(binary.BigEndian.Uint32(body)); n < 1 {
		return target.Pending("no brokers in the cluster metadata yet"), nil
	}
	return target.Ready(), nil
}

// kafkaMetadataVersions reads an ApiVersions v0 response: the range of
// Metadata versions, or the status when it has none.
func kafkaMetadataVersions(body []byte) (lo, hi int, st *target.Status) {
	fail := func(s target.Status) (int, int, *target.Status) { return 0, 0, &s }
	if len(body) < 6 {
		return fail(unexpected("Kafka"))
	}
	if code := int16(binary.BigEndian.Uint16(body)); code != 0 {
		return fail(target.Pending("ApiVersions error code %d", code))
	}
	n := int(int32(binary.BigEndian.Uint32(body[2:])))
	body = body[6:]
	if n < 0 || len(body) < 6*n {
		return fail(unexpected("Kafka"))
	}
	for i := 0; i < n; i++ {
		e := body[6*i:]
		if int16(binary.BigEndian.Uint16(e)) == kafkaMetadata {
			return int(int16(binary.BigEndian.Uint16(e[2:]))), int(int16(binary.BigEndian.Uint16(e[4:]))), nil
		}
	}
	return fail(target.Pending("the broker lists no Metadata API"))
}

// kafkaRequest frames a request with header v1: size, API key, version,
// correlation id, client id.
func kafkaRequest(key, version int16, correlation int32, body []byte) []byte {
	const clientID = "kwait"
	b := make([]byte, 4, 4+10+len(clientID)+len(body))
	b = binary.BigEndian.AppendUint16(b, uint16(key))
	b = binary.BigEndian.AppendUint16(b, uint16(version))
	b = binary.BigEndian.AppendUint32(b, uint32(correlation))
	b = binary.BigEndian.AppendUint16(b, uint16(len(clientID)))
	b = append(append(b, clientID...), body...)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// kafkaResponse reads one response and returns its body after the
// correlation id; nil when it is not the answer to correlation.
func kafkaResponse(r io.Reader, correlation int32) ([]byte, error) {
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
	return body, nil
}
