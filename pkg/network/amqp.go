package network

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net/url"

	"github.com/kwait-dev/kwait/pkg/target"
)

// amqp is AMQP 0-9-1 readiness (RabbitMQ): kwait sends the protocol header
// and the server must answer with a Connection.Start method frame, which
// it sends only once it accepts clients:
//   - a method frame on channel 0 of class 10 (connection), method 10
//     (start): ready;
//   - a protocol header back (the server speaks another version), anything
//     else, a refused connection, a timeout: not yet.
//
// amqps:// is the same over TLS, on port 5671 by default, verified as
// --ca-file, --insecure and --server-name say, with the client certificate
// of --cert-file and --key-file if given (RabbitMQ's EXTERNAL
// authentication comes later, so ready does not say the certificate is
// accepted for a login); a TLS failure is not yet, with what failed.
var amqp = protocol{
	schemes:    []string{"amqp"},
	tlsSchemes: []string{"amqps"},
	port:       "5672",
	tlsPort:    "5671",
	form:       "amqp[s]://HOST[:PORT]",
	usage:      "wait for AMQP 0-9-1 brokers (RabbitMQ) to start connections (amqps:// for TLS)",
	example:    "kwait amqp rabbitmq:5672",
	// A virtual host ("/" by default, "/%2F" in a URL) is accepted and not
	// used: the server says Connection.Start before any is named.
	check:  func(*url.URL) error { return nil },
	hello:  func(endpoint) []byte { return []byte("AMQP\x00\x00\x09\x01") },
	answer: amqpAnswer,
}

func amqpAnswer(r *bufio.Reader, _ endpoint) (target.Status, error) {
	var head [11]byte // type, channel, size, class id, method id
	if _, err := io.ReadFull(r, head[:8]); err != nil {
		return target.Status{}, err
	}
	if bytes.HasPrefix(head[:], []byte("AMQP")) {
		return target.Pending("server wants AMQP %d-%d-%d", head[5], head[6], head[7]), nil
	}
	if _, err := io.ReadFull(r, head[8:]); err != nil {
		return target.Status{}, err
	}
	const methodFrame = 1
	if head[0] == methodFrame && binary.BigEndian.Uint16(head[1:3]) == 0 &&
		binary.BigEndian.Uint16(head[7:9]) == 10 && binary.BigEndian.Uint16(head[9:11]) == 10 {
		return target.Ready(), nil
	}
	return unexpected("RabbitMQ (AMQP 0-9-1)"), nil
}
