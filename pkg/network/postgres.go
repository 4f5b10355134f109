package network

import (
	"bufio"
	"encoding/binary"
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
var postgres = protocol{
	schemes: []string{"postgres", "postgresql"},
	port:    "5432",
	form:    "postgres://[USER@]HOST[:PORT][/DB]",
	usage:   "wait for PostgreSQL servers to accept connections, as pg_isready says (no password needed)",
	example: "kwait postgres db.data.svc",
	check:   func(*url.URL) error { return nil },
	hello:   postgresStartup,
	answer:  postgresAnswer,
	bye:     []byte{'X', 0, 0, 0, 4}, // Terminate
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
