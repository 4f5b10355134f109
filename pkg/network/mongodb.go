package network

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strings"

	"github.com/kwait-dev/kwait/pkg/target"
)

// mongodb is MongoDB readiness (and of servers speaking its protocol:
// FerretDB, mongos) from the answer to a hello command (OP_MSG), which
// needs no login:
//   - ok not 1: not yet, with the server's errmsg;
//   - replicaSet=NAME given and the server's setName is another (or none):
//     not yet;
//   - a writable primary (isWritablePrimary, or the older ismaster; a
//     standalone server and mongos are writable primaries): ready, unless
//     readPreference=secondary asks for a secondary;
//   - a secondary: ready with readPreference=secondary, secondaryPreferred,
//     primaryPreferred or nearest; not yet with primary (the default);
//   - anything else (an arbiter, a member of a replica set not yet
//     initiated, a member in recovery): not yet, saying which;
//   - a refused connection, a timeout, an answer that is not OP_MSG
//     (servers before MongoDB 3.6): not yet.
//
// Query parameters taken: readPreference, replicaSet, and tls (or ssl)
// =true|false. With TLS, the server is verified as --ca-file, --insecure
// and --server-name say, and --cert-file and --key-file are the client
// certificate. A user, password or database in the URL is accepted and not
// used. Other parameters are refused, not ignored; the tlsCAFile kind among
// them, whose flags are kwait's.
var mongodb = protocol{
	schemes:  []string{"mongodb"},
	port:     "27017",
	form:     "mongodb://HOST[:PORT][/DB][?readPreference=MODE&replicaSet=NAME&tls=true]",
	usage:    "wait for MongoDB servers to say hello as a writable primary (or as ?readPreference= asks; ?tls=true for TLS)",
	example:  "kwait mongodb mongo-0.mongo:27017",
	tlsQuery: true,
	check:    mongoCheck,
	query:    mongoQuery,
	hello:    mongoHello,
	answer:   mongoAnswer,
}

func mongoCheck(u *url.URL) error {
	if strings.Contains(u.Host, ",") {
		return errors.New("one host per target: give each member of a replica set as a target of its own")
	}
	if db := strings.TrimPrefix(u.Path, "/"); strings.Contains(db, "/") {
		return errors.New("want a database name after the host, if anything")
	}
	return nil
}

func mongoQuery(q url.Values, e *endpoint) error {
	for k, v := range q {
		if len(v) != 1 {
			return fmt.Errorf("%s given more than once", k)
		}
		switch val := v[0]; k {
		case "readPreference":
			switch val {
			case "primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest":
				e.readPreference = val
			default:
				// Query values are never repeated: tokens travel there too.
				return errors.New("readPreference: want primary, primaryPreferred, secondary, secondaryPreferred or nearest")
			}
		case "replicaSet":
			if val == "" {
				return errors.New("empty replicaSet")
			}
			e.replicaSet = val
		case "tls", "ssl":
			switch val {
			case "true":
				e.tls = true
			case "false":
			default:
				return fmt.Errorf("%s: want true or false", k)
			}
		default:
			if strings.HasPrefix(k, "tls") || strings.HasPrefix(k, "ssl") {
				return fmt.Errorf("query parameter %q: use --ca-file, --cert-file, --key-file, --server-name or --insecure", k)
			}
			return fmt.Errorf("query parameter %q is not used by kwait (only readPreference, replicaSet and tls are)", k)
		}
	}
	return nil
}

const opMsg = 2013

func mongoHello(endpoint) []byte {
	doc := bsonDoc(func(b []byte) []byte {
		b = append(append(b, 0x10), "hello\x00"...) // int32
		b = binary.LittleEndian.AppendUint32(b, 1)
		b = append(append(b, 0x02), "$db\x00"...) // string
		b = binary.LittleEndian.AppendUint32(b, uint32(len("admin")+1))
		return append(b, "admin\x00"...)
	})
	msg := make([]byte, 16, 16+5+len(doc))
	binary.LittleEndian.PutUint32(msg[4:], 1) // requestID
	binary.LittleEndian.PutUint32(msg[12:], opMsg)
	msg = append(msg, 0, 0, 0, 0, 0) // flagBits, section kind 0 (body)
	msg = append(msg, doc...)
	binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
	return msg
}

// bsonDoc frames the elements fill appends as a BSON document.
func bsonDoc(fill func([]byte) []byte) []byte {
	b := fill(make([]byte, 4, 64))
	b = append(b, 0)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	return b
}

func mongoAnswer(r *bufio.Reader, e endpoint) (target.Status, error) {
	var head [16]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return target.Status{}, err
	}
	n := int(int32(binary.LittleEndian.Uint32(head[:])))
	if n < 16+5+5 || n > answerLimit || binary.LittleEndian.Uint32(head[12:]) != opMsg {
		return unexpected("MongoDB (3.6 or later)"), nil
	}
	body := make([]byte, n-16)
	if _, err := io.ReadFull(r, body); err != nil {
		return target.Status{}, err
	}
	if body[4] != 0 { // the first section must be the body document
		return unexpected("MongoDB"), nil
	}
	doc, err := bsonFields(body[5:])
	if err != nil {
		return unexpected("MongoDB"), nil
	}
	return mongoJudge(doc, e), nil
}

// mongoJudge applies the rules of mongodb to a hello reply.
func mongoJudge(doc map[string]any, e endpoint) target.Status {
	if ok, _ := doc["ok"].(float64); ok != 1 {
		msg, _ := doc["errmsg"].(string)
		return target.Pending("hello failed: %s", printable(msg))
	}
	set, _ := doc["setName"].(string)
	if e.replicaSet != "" && set != e.replicaSet {
		if set == "" {
			return target.Pending("not a member of replica set %q", e.replicaSet)
		}
		return target.Pending("a member of replica set %q, not %q", set, e.replicaSet)
	}
	primary := doc["isWritablePrimary"] == true || doc["ismaster"] == true
	secondary := doc["secondary"] == true
	switch e.readPreference {
	case "", "primary":
		if primary {
			return target.Ready()
		}
	case "secondary":
		if secondary {
			return target.Ready()
		}
		if primary {
			return target.Pending("a primary, and readPreference=secondary asks for a secondary")
		}
	default:
		if primary || secondary {
			return target.Ready()
		}
	}
	switch {
	case secondary:
		return target.Pending("a secondary, not a writable primary")
	case doc["arbiterOnly"] == true:
		return target.Pending("an arbiter")
	case doc["isreplicaset"] == true:
		return target.Pending("a replica set member not initiated yet (rs.initiate)")
	}
	return target.Pending("neither primary nor secondary (in recovery or starting)")
}

var errBSON = errors.New("malformed BSON")

// bsonFields reads the top-level fields of a BSON document that mongoJudge
// looks at: booleans, strings, and numbers (as float64). Other values are
// skipped; nested documents are not read.
func bsonFields(b []byte) (map[string]any, error) {
	if len(b) < 5 {
		return nil, errBSON
	}
	n := int(int32(binary.LittleEndian.Uint32(b)))
	if n < 5 || n > len(b) || b[n-1] != 0 {
		return nil, errBSON
	}
	b = b[4 : n-1]
	out := map[string]any{}
	for len(b) > 0 {
		typ := b[0]
		end := 1
		for end < len(b) && b[end] != 0 {
			end++
		}
		if end == len(b) {
			return nil, errBSON
		}
		name := string(b[1:end])
		b = b[end+1:]
		size, value, err := bsonValue(typ, b)
		if err != nil {
			return nil, err
		}
		if value != nil {
			out[name] = value
		}
		b = b[size:]
	}
	return out, nil
}

// bsonValue measures the value of type typ at the start of b, and decodes
// it when it is one bsonFields keeps.
func bsonValue(typ byte, b []byte) (int, any, error) {
	if size, ok := bsonFixedSize(typ); ok {
		if len(b) < size {
			return 0, nil, errBSON
		}
		switch typ {
		case 0x01:
			return size, math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
		case 0x08:
			return size, b[0] == 1, nil
		case 0x10:
			return size, float64(int32(binary.LittleEndian.Uint32(b))), nil
		case 0x12:
			return size, float64(int64(binary.LittleEndian.Uint64(b))), nil
		}
		return size, nil, nil
	}
	if len(b) < 4 {
		return 0, nil, errBSON
	}
	n := int(int32(binary.LittleEndian.Uint32(b)))
	switch typ {
	case 0x02, 0x0D, 0x0E: // string, JavaScript, symbol: length, bytes, NUL
		if n < 1 || 4+n > len(b) {
			return 0, nil, errBSON
		}
		return 4 + n, string(b[4 : 4+n-1]), nil
	case 0x03, 0x04, 0x0F: // document, array, code with scope: total length
		if n < 5 || n > len(b) {
			return 0, nil, errBSON
		}
		return n, nil, nil
	case 0x05: // binary: length, subtype, bytes
		if n < 0 || 5+n > len(b) {
			return 0, nil, errBSON
		}
		return 5 + n, nil, nil
	}
	// Regular expressions and DB pointers never appear in a hello reply.
	return 0, nil, fmt.Errorf("%w: type 0x%02x", errBSON, typ)
}

// bsonFixedSize is the size of the values of typ that have one.
func bsonFixedSize(typ byte) (int, bool) {
	switch typ {
	case 0x06, 0x0A, 0x7F, 0xFF: // undefined, null, max key, min key
		return 0, true
	case 0x08: // boolean
		return 1, true
	case 0x10: // int32
		return 4, true
	case 0x01, 0x09, 0x11, 0x12: // double, UTC datetime, timestamp, int64
		return 8, true
	case 0x07: // ObjectId
		return 12, true
	case 0x13: // decimal128
		return 16, true
	}
	return 0, false
}
