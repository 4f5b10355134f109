package network

import (
	"bufio"
	"encoding/binary"
	"io"
	"net/url"

	"github.com/kwait-dev/kwait/pkg/target"
)

// mysql is MySQL and MariaDB readiness from the first packet the server
// sends on connect, before any credentials:
//   - an initial handshake of protocol version 10: ready;
//   - an ERR packet (1040 too many connections, 1129 host blocked because
//     of many connection errors, 1130 host not allowed, a server shutting
//     down): not yet, with the server's error code and message;
//   - anything else, a refused connection, a timeout: not yet.
//
// kwait then closes the connection without logging in. A server counts such
// a connection as a failed attempt of the client host, and blocks a host
// after max_connect_errors (default 100) of them in a row without a
// successful login; one wait makes at most one.
//
// There is no TLS form, for none is needed: the server sends its handshake
// before any TLS is negotiated, also when it requires secure transport.
var mysql = protocol{
	schemes: []string{"mysql", "mariadb"},
	port:    "3306",
	form:    "mysql://HOST[:PORT]",
	usage:   "wait for MySQL or MariaDB servers to greet clients with a handshake",
	example: "kwait mysql mariadb:3306",
	check:   func(*url.URL) error { return nil },
	answer:  mysqlAnswer,
}

func mysqlAnswer(r *bufio.Reader, _ endpoint) (target.Status, error) {
	var head [4]byte // 3-byte length, sequence number
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return target.Status{}, err
	}
	n := int(head[0]) | int(head[1])<<8 | int(head[2])<<16
	if n < 1 || n > 1<<16 {
		return unexpected("MySQL"), nil
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return target.Status{}, err
	}
	switch {
	case body[0] == 10:
		return target.Ready(), nil
	case body[0] == 0xff && n >= 3:
		code := binary.LittleEndian.Uint16(body[1:3])
		msg := body[3:]
		if len(msg) >= 6 && msg[0] == '#' { // SQL state marker and state
			msg = msg[6:]
		}
		return target.Pending("ERROR %d: %s", code, printable(string(msg))), nil
	}
	return unexpected("MySQL"), nil
}
