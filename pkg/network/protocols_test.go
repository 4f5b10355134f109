package network

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwait-dev/kwait/pkg/target"
)

// bsonField is one top-level field of a test BSON document.
type bsonField struct {
	name  string
	value any // bool, string, float64 (a double), int32, or []byte (a nested document)
}

func bsonOf(fields ...bsonField) []byte {
	return bsonDoc(func(b []byte) []byte {
		for _, f := range fields {
			switch v := f.value.(type) {
			case bool:
				b = append(append(b, 0x08), f.name+"\x00"...)
				if v {
					b = append(b, 1)
				} else {
					b = append(b, 0)
				}
			case string:
				b = append(append(b, 0x02), f.name+"\x00"...)
				b = binary.LittleEndian.AppendUint32(b, uint32(len(v)+1))
				b = append(append(b, v...), 0)
			case float64:
				b = append(append(b, 0x01), f.name+"\x00"...)
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			case int32:
				b = append(append(b, 0x10), f.name+"\x00"...)
				b = binary.LittleEndian.AppendUint32(b, uint32(v))
			case []byte:
				b = append(append(b, 0x03), f.name+"\x00"...)
				b = append(b, v...)
			}
		}
		return b
	})
}

// mongoReply frames doc as an OP_MSG answer.
func mongoReply(fields ...bsonField) []byte {
	doc := bsonOf(fields...)
	msg := make([]byte, 16, 64)
	binary.LittleEndian.PutUint32(msg[8:], 1) // responseTo
	binary.LittleEndian.PutUint32(msg[12:], opMsg)
	msg = append(append(msg, 0, 0, 0, 0, 0), doc...)
	binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
	return msg
}

// kafkaReply frames a response to correlation.
func kafkaReply(correlation int32, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(4+len(body)))
	b = binary.BigEndian.AppendUint32(b, uint32(correlation))
	return append(b, body...)
}

// kafkaVersions is an ApiVersions v0 answer listing Metadata lo-hi (and
// Produce before it).
func kafkaVersions(code int16, lo, hi int16) []byte {
	r := kmsg.NewPtrApiVersionsResponse()
	r.ErrorCode = code
	r.ApiKeys = []kmsg.ApiVersionsResponseApiKey{{ApiKey: 0, MaxVersion: 9}, {ApiKey: 3, MinVersion: lo, MaxVersion: hi}}
	return kafkaReply(1, r.AppendTo(nil))
}

// kafkaBrokers is a Metadata answer of version v with n brokers.
func kafkaBrokers(v int16, n int) []byte {
	r := kmsg.NewPtrMetadataResponse()
	r.Version = v
	for i := range n {
		r.Brokers = append(r.Brokers, kmsg.MetadataResponseBroker{NodeID: int32(i), Host: "localhost", Port: 9092})
	}
	var head []byte
	if r.IsFlexible() {
		head = []byte{0} // no tagged fields in the response header
	}
	return kafkaReply(2, r.AppendTo(head))
}

// TestProtocolAnswers: every branch of the rules of memcached, mongodb and
// kafka, against a fake server that answers once it has read the request.
func TestProtocolAnswers(t *testing.T) {
	t.Parallel()
	primary := []bsonField{{"isWritablePrimary", true}, {"maxWireVersion", int32(21)}, {"ok", 1.0}}
	secondary := []bsonField{{"isWritablePrimary", false}, {"secondary", true}, {"setName", "rs0"}, {"ok", 1.0}}
	for _, tc := range []struct {
		name   string
		url    string // HOST is replaced by the fake server's address
		want   string
		reply  []byte
		phase  target.Phase
		reason string
	}{
		{"memcached version", "memcached://HOST", "version\r\n", []byte("VERSION 1.6.38\r\n"), target.PhaseReady, ""},
		{"memcached server error", "memcached://HOST", "version", []byte("SERVER_ERROR out of memory\r\n"), target.PhasePending, "SERVER_ERROR out of memory"},
		{"memcached text refused", "memcached://HOST", "version", []byte("ERROR\r\n"), target.PhasePending, "refuses the text protocol"},
		{"memcached other protocol", "memcached://HOST", "version", []byte("+PONG\r\n"), target.PhasePending, "not a memcached server"},

		{"mongodb primary", "mongodb://HOST", "hello\x00", mongoReply(primary...), target.PhaseReady, ""},
		{"mongodb legacy ismaster", "mongodb://HOST", "hello", mongoReply(bsonField{"ismaster", true}, bsonField{"ok", int32(1)}), target.PhaseReady, ""},
		{"mongodb secondary not primary", "mongodb://HOST?replicaSet=rs0", "hello", mongoReply(secondary...), target.PhasePending, "a secondary, not a writable primary"},
		{"mongodb secondary asked", "mongodb://HOST/app?readPreference=secondary", "hello", mongoReply(secondary...), target.PhaseReady, ""},
		{"mongodb primary when secondary asked", "mongodb://HOST?readPreference=secondary", "hello", mongoReply(primary...),
			target.PhasePending, "readPreference=secondary asks for a secondary"},
		{"mongodb either", "mongodb://HOST?readPreference=nearest", "hello", mongoReply(secondary...), target.PhaseReady, ""},
		{"mongodb other set", "mongodb://HOST?replicaSet=rs1", "hello", mongoReply(secondary...), target.PhasePending, `a member of replica set "rs0", not "rs1"`},
		{"mongodb standalone for a set", "mongodb://HOST?replicaSet=rs1", "hello", mongoReply(primary...), target.PhasePending, `not a member of replica set "rs1"`},
		{"mongodb not initiated", "mongodb://HOST", "hello", mongoReply(bsonField{"isWritablePrimary", false}, bsonField{"isreplicaset", true},
			bsonField{"topologyVersion", bsonOf(bsonField{"counter", int32(0)})}, bsonField{"ok", 1.0}), target.PhasePending, "not initiated"},
		{"mongodb arbiter", "mongodb://HOST", "hello", mongoReply(bsonField{"arbiterOnly", true}, bsonField{"ok", 1.0}), target.PhasePending, "an arbiter"},
		{"mongodb recovering", "mongodb://HOST", "hello", mongoReply(bsonField{"isWritablePrimary", false}, bsonField{"ok", 1.0}), target.PhasePending, "neither primary nor secondary"},
		{"mongodb error", "mongodb://HOST", "hello", mongoReply(bsonField{"ok", 0.0}, bsonField{"errmsg", "no such command: 'hello'"}),
			target.PhasePending, "hello failed: no such command: 'hello'"},
		{"mongodb old reply", "mongodb://HOST", "hello", append(binary.LittleEndian.AppendUint32(nil, 36), make([]byte, 32)...), target.PhasePending, "MongoDB (3.6 or later)"},
		{"mongodb broken bson", "mongodb://HOST", "hello", func() []byte {
			m := mongoReply(primary...)
			m[len(m)-1] = 7
			return m
		}(), target.PhasePending, "not a MongoDB server"},

		{"kafka brokers v1", "kafka://HOST", "kwait", append(kafkaVersions(0, 0, 1), kafkaBrokers(1, 1)...), target.PhaseReady, ""},
		{"kafka brokers v8", "kafka://HOST", "kwait", append(kafkaVersions(0, 4, 8), kafkaBrokers(8, 3)...), target.PhaseReady, ""},
		{"kafka brokers flexible", "kafka://HOST", "kwait", append(kafkaVersions(0, 0, 12), kafkaBrokers(12, 1)...), target.PhaseReady, ""},
		{"kafka no brokers", "kafka://HOST", "kwait", append(kafkaVersions(0, 0, 12), kafkaBrokers(12, 0)...), target.PhasePending, "no brokers"},
		{"kafka api versions error", "kafka://HOST", "kwait", kafkaVersions(35, 0, 12), target.PhasePending, "ApiVersions error code 35"},
		{"kafka metadata too new", "kafka://HOST", "kwait", kafkaVersions(0, 14, 15), target.PhasePending, "Metadata v14-v15, kwait speaks v1-v13"},
		{"kafka metadata v0 only", "kafka://HOST", "kwait", kafkaVersions(0, 0, 0), target.PhasePending, "Metadata v0-v0"},
		{"kafka other correlation", "kafka://HOST", "kwait", kafkaReply(7, nil), target.PhasePending, "not a Kafka server"},
		{"kafka http server", "kafka://HOST", "kwait", []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), target.PhasePending, "not a Kafka server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr, got := fakeServer(t, []byte(tc.want), tc.reply)
			s, err := NewServer(strings.Replace(tc.url, "HOST", addr, 1), fastPoll(), nil, TLSOptions{})
			if err != nil {
				t.Fatal(err)
			}
			st := s.check(testContext(t))
			if st.Phase != tc.phase || !strings.Contains(st.Reason, tc.reason) {
				t.Errorf("check = %v %q, want %v %q", st.Phase, st.Reason, tc.phase, tc.reason)
			}
			if read := <-got; !bytes.Contains(read, []byte(tc.want)) {
				t.Errorf("server read %q, want %q in it", read, tc.want)
			}
		})
	}
}

// TestKafkaMetadataRequest: the Metadata request asks for no topics, in
// the highest version both the broker and kwait speak.
func TestKafkaMetadataRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lo, hi, want int16
	}{{0, 8, 8}, {1, 12, 12}, {4, 20, 13}} {
		addr, got := kafkaFake(t, kafkaVersions(0, tc.lo, tc.hi), kafkaBrokers(tc.want, 1))
		s, err := NewServer("kafka://"+addr, fastPoll(), nil, TLSOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if st := s.check(testContext(t)); st.Phase != target.PhaseReady {
			t.Errorf("Metadata v%d-%d: check = %v %q, want ready", tc.lo, tc.hi, st.Phase, st.Reason)
		}
		req := <-got
		key, version := int16(binary.BigEndian.Uint16(req)), int16(binary.BigEndian.Uint16(req[2:]))
		// After the correlation id: the client id, and tags when flexible.
		body := req[8+2+len("kwait"):]
		empty := []byte{0, 0, 0, 0}
		if version >= 9 {
			body, empty = body[1:], []byte{1}
		}
		if key != 3 || version != tc.want || !bytes.HasPrefix(body, empty) {
			t.Errorf("Metadata v%d-%d: request %q, want Metadata v%d for no topics", tc.lo, tc.hi, req, tc.want)
		}
	}
}

// testContext bounds one check, so a test of a protocol that waits for an
// answer never hangs.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// kafkaFake answers the requests of one connection with replies, in turn,
// and sends the last request it read (without its size) on got.
func kafkaFake(t *testing.T, replies ...[]byte) (addr string, got <-chan []byte) {
	t.Helper()
	ln := listen(t, "127.0.0.1:0")
	ch := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var last []byte
		for _, reply := range replies {
			var size [4]byte
			if _, err := io.ReadFull(c, size[:]); err != nil {
				break
			}
			last = make([]byte, binary.BigEndian.Uint32(size[:]))
			if _, err := io.ReadFull(c, last); err != nil {
				break
			}
			if _, err := c.Write(reply); err != nil {
				break
			}
		}
		ch <- last
	}()
	return ln.Addr().String(), ch
}

// TestProtocolRows: every row of the protocols table is complete: schemes
// no other row claims, a way to judge an answer, a default port or a rule
// that URLs give one, and a TLS port only beside TLS schemes.
func TestProtocolRows(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, p := range protocols {
		if len(p.schemes) == 0 {
			t.Errorf("a protocol without schemes: %+v", p)
			continue
		}
		kind := p.schemes[0]
		for _, s := range append(append([]string{}, p.schemes...), p.tlsSchemes...) {
			if other, dup := seen[s]; dup {
				t.Errorf("scheme %q belongs to %s and %s", s, other, kind)
			}
			seen[s] = kind
		}
		switch {
		case (p.talk == nil) == (p.answer == nil):
			t.Errorf("%s: want exactly one of talk and answer", kind)
		case p.talk != nil && p.hello != nil:
			t.Errorf("%s: talk replaces hello; both are set", kind)
		case p.tlsPort != "" && len(p.tlsSchemes) == 0:
			t.Errorf("%s: a TLS port without TLS schemes", kind)
		case p.inbandTLS && p.query == nil:
			t.Errorf("%s: TLS negotiated in band, and no query to ask for it", kind)
		}
		for _, port := range []string{p.port, p.tlsPort} {
			if port != "" && checkPort(port) != nil {
				t.Errorf("%s: default port %q: %v", kind, port, checkPort(port))
			}
		}
		if p.port == "" {
			if _, _, err := parseServer(kind+"://db", nil, true); err == nil || !strings.Contains(err.Error(), "missing port") {
				t.Errorf("%s://db without a default port: %v, want missing port", kind, err)
			}
		}
	}
}

// FuzzMongoAnswer: any bytes a server sends back to hello are judged
// without a panic, and only a well-formed reply can be ready.
func FuzzMongoAnswer(f *testing.F) {
	f.Add(mongoReply(bsonField{"isWritablePrimary", true}, bsonField{"ok", 1.0}))
	f.Add(mongoReply(bsonField{"topologyVersion", bsonOf(bsonField{"counter", int32(0)})}, bsonField{"setName", "rs0"}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, reply []byte) {
		st, err := mongoAnswer(bufio.NewReader(bytes.NewReader(reply)), endpoint{})
		if err == nil && st.Phase == target.PhaseReady {
			if _, berr := bsonFields(reply[21:]); berr != nil {
				t.Errorf("ready on a reply whose document does not parse: %q", reply)
			}
		}
	})
}
