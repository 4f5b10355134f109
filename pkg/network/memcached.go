package network

import (
	"bufio"
	"strings"

	"github.com/kwait-dev/kwait/pkg/target"
)

// memcached is memcached readiness: the text protocol's version command
// must be answered.
//   - VERSION: ready;
//   - SERVER_ERROR (out of memory, too many open connections): not yet,
//     with the server's message;
//   - anything else (ERROR or CLIENT_ERROR from a server that takes only
//     the binary protocol or SASL), a refused connection, a timeout: not
//     yet.
//
// There is no TLS form: memcached's TLS is a build option most packages
// leave out, with no URL scheme of its own.
var memcached = protocol{
	schemes: []string{"memcached"},
	port:    "11211",
	form:    "memcached://HOST[:PORT]",
	usage:   "wait for memcached servers to answer version",
	example: "kwait memcached memcached:11211",
	hello:   func(endpoint) []byte { return []byte("version\r\n") },
	answer:  memcachedAnswer,
	bye:     []byte("quit\r\n"),
}

func memcachedAnswer(r *bufio.Reader, _ endpoint) (target.Status, error) {
	line, err := redisLine(r)
	if err != nil {
		return target.Status{}, err
	}
	switch {
	case strings.HasPrefix(line, "VERSION "):
		return target.Ready(), nil
	case strings.HasPrefix(line, "SERVER_ERROR"):
		return target.Pending("%s", printable(line)), nil
	case line == "ERROR", strings.HasPrefix(line, "CLIENT_ERROR"):
		return target.Pending("%s: the server refuses the text protocol (binary only, or SASL)", printable(line)), nil
	}
	return unexpected("memcached"), nil
}
