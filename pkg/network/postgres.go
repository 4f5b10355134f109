package network

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/kwait-dev/kwait/pkg/target"
)

// postgres is PostgreSQL readiness as pg_isready judges it (libpq's
// PQping), from the server's first answer to a StartupMessage; no password
// is ever sent, so none is needed (one in the URL is not used):
//   - an authentication request of any kind (the server accepts sessions
//     and asks who we are), or a protocol version negotiation: ready;
//   - an ErrorResponse with SQLSTATE 57P03, cannot_connect_now (starting
//     up, shutting down, in recovery, hot standby off): not yet;
//   - SQLSTATE 53300, too_many_connections: not yet. Here kwait is
//     stricter than pg_isready, which counts it as up: an application
//     started now would fail to connect;
//   - any other error (unknown user or database, no pg_hba.conf entry, a
//     failed authentication): ready, the server is up and answering;
//   - anything without a SQLSTATE, a refused connection, a timeout: not
//     yet.
//
// The user defaults to "postgres" and the database to the user.
//
// TLS follows libpq's sslmode (?sslmode=MODE, the only query parameter
// taken), asked for with an SSLRequest before the StartupMessage:
//   - none given, disable, allow: no TLS. (libpq's allow tries TLS only
//     after a refusal, and a refusal already counts as up here.)
//   - prefer: TLS if the server answers the SSLRequest with yes, else
//     plain; the certificate is not verified.
//   - require: TLS, else not yet ("the server does not accept TLS"); the
//     certificate is not verified, unless --ca-file is given: then, as in
//     libpq with a root certificate file, its chain is (verify-ca);
//   - verify-ca: TLS, the chain verified against the system roots and
//     --ca-file; not the name;
//   - verify-full: TLS, the chain and the host name (or --server-name)
//     verified.
//
// A TLS failure (an untrusted certificate, a wrong name) is not yet, with
// what failed. --cert-file and --key-file are sent to a server that asks
// for a client certificate. verify-ca and verify-full refuse --insecure.
var postgres = protocol{
	schemes:   []string{"postgres", "postgresql"},
	port:      "5432",
	form:      "postgres://[USER@]HOST[:PORT][/DB][?sslmode=MODE]",
	usage:     "wait for PostgreSQL servers to accept connections, as pg_isready says (no password needed; TLS with ?sslmode=)",
	example:   "kwait postgres db.data.svc",
	check:     func(*url.URL) error { return nil },
	query:     postgresQuery,
	talk:      postgresTalk,
	inbandTLS: true,
	bye:       []byte{'X', 0, 0, 0, 4}, // Terminate
}

// postgresQuery reads sslmode.
func postgresQuery(q url.Values, e *endpoint) error {
	for k, v := range q {
		if k != "sslmode" {
			return fmt.Errorf("query parameter %q is not used by kwait (only sslmode is)", k)
		}
		if len(v) != 1 {
			return errors.New("sslmode given more than once")
		}
	}
	e.sslmode = q.Get("sslmode")
	switch e.sslmode {
	case "", "disable", "allow":
	case "prefer":
		e.tls, e.verify = true, verifyNone
	case "require":
		e.tls, e.verify = true, verifyChainIfCA
	case "verify-ca":
		e.tls, e.verify, e.strict = true, verifyChain, true
	case "verify-full":
		e.tls, e.verify, e.strict = true, verifyFull, true
	default:
		// Query values are never repeated: tokens travel there too.
		return errors.New("sslmode: want disable, allow, prefer, require, verify-ca or verify-full")
	}
	return nil
}

// sslRequest asks the server to turn to TLS: length 8, code 80877103.
var sslRequest = []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}

func postgresTalk(s *session) (target.Status, error) {
	if s.end.tls {
		if err := s.write(sslRequest); err != nil {
			return target.Status{}, err
		}
		b, err := s.r.ReadByte()
		if err != nil {
			return target.Status{}, err
		}
		switch {
		case b == 'S' && s.r.Buffered() > 0:
			// Bytes sent before the TLS handshake could be anyone's
			// (CVE-2021-23214): never read them as the server's.
			return target.Pending("unexpected data after the server accepted TLS"), nil
		case b == 'S':
			if err := s.startTLS(); err != nil {
				return target.Status{}, err
			}
		case b == 'N' && s.end.sslmode == "prefer":
		case b == 'N':
			return target.Pending("the server does not accept TLS, and sslmode=%s asks for it", s.end.sslmode), nil
		case b == 'E':
			// A server too old for SSLRequest, or refusing it: its error.
			_ = s.r.UnreadByte()
			return postgresAnswer(s.r, s.end)
		default:
			return unexpected("PostgreSQL"), nil
		}
	}
	if err := s.write(postgresStartup(s.end)); err != nil {
		return target.Status{}, err
	}
	return postgresAnswer(s.r, s.end)
}

func postgresStartup(e endpoint) []byte {
	user := e.user
	if user == "" {
		user = "postgres"
	}
	params := []string{"user", user, "application_name", "kwait"}
	if e.db != "" {
		params = append(params, "database", e.db)
	}
	msg := binary.BigEndian.AppendUint32(make([]byte, 4, 64), 3<<16) // protocol 3.0
	for _, p := range params {
		msg = append(append(msg, p...), 0)
	}
	msg = append(msg, 0)
	binary.BigEndian.PutUint32(msg, uint32(len(msg)))
	return msg
}

func postgresAnswer(r *bufio.Reader, _ endpoint) (target.Status, error) {
	for {
		var head [5]byte
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return target.Status{}, err
		}
		n := binary.BigEndian.Uint32(head[1:])
		if n < 4 || n > 1<<16 {
			return unexpected("PostgreSQL"), nil
		}
		body := make([]byte, n-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return target.Status{}, err
		}
		switch head[0] {
		case 'R', 'v': // AuthenticationRequest, NegotiateProtocolVersion
			return target.Ready(), nil
		case 'N': // NoticeResponse: read on
		case 'E':
			code, msg := postgresError(body)
			switch {
			case len(code) != 5:
				return unexpected("PostgreSQL"), nil
			case code == "57P03", code == "53300":
				return target.Pending("%s (SQLSTATE %s)", printable(msg), code), nil
			}
			return target.Ready(), nil
		default:
			return unexpected("PostgreSQL"), nil
		}
	}
}

// postgresError reads the SQLSTATE and message fields of an ErrorResponse.
func postgresError(body []byte) (code, msg string) {
	for len(body) > 1 && body[0] != 0 {
		field := body[0]
		end := 1
		for end < len(body) && body[end] != 0 {
			end++
		}
		switch field {
		case 'C':
			code = string(body[1:end])
		case 'M':
			msg = string(body[1:end])
		}
		if end >= len(body) {
			break
		}
		body = body[end+1:]
	}
	return code, msg
}
