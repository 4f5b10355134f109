package network

import (
	"bufio"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/kwait-dev/kwait/pkg/target"
)

// redis is Redis (and Valkey) readiness: PING must be answered. With a
// password in the URL (redis://:PASSWORD@HOST, or USER:PASSWORD for an ACL
// user), AUTH goes first:
//   - +PONG: ready;
//   - -LOADING (the data set is loading), -BUSY (a script runs),
//     -MASTERDOWN (a replica without its master) or any other error
//     answering PING: not yet, with the server's message;
//   - -NOAUTH to PING when no password was given: ready. The server is up
//     and answering, but will not say whether it is still loading: give the
//     password to wait for that too;
//   - AUTH refused (-WRONGPASS, -ERR invalid password, no password set,
//     AUTH renamed away): failed for good, exit 1, naming the error code
//     alone, never the server's message, which may quote the password:
//     waiting longer would not make the given credentials right;
//   - a refused connection, a timeout: not yet.
//
// Without a password in the URL, a non-empty REDISCLI_AUTH (as redis-cli
// reads it) is the password; one in the URL wins.
//
// A database number (redis://HOST/0) is accepted and not used: PING does
// not depend on it. rediss:// is the same over TLS (port 6379 too),
// verified as --ca-file, --insecure and --server-name say, with the client
// certificate of --cert-file and --key-file if given; a TLS failure is not
// yet, with what failed.
var redis = protocol{
	schemes:    []string{"redis"},
	tlsSchemes: []string{"rediss"},
	port:       "6379",
	form:       "redis[s]://[[USER]:PASSWORD@]HOST[:PORT]",
	usage:      "wait for Redis servers to answer PING (AUTH first with a password: the URL's, else $REDISCLI_AUTH's; rediss:// for TLS)",
	example:    "kwait redis redis-master:6379",
	check:      redisCheck,
	hello:      redisHello,
	answer:     redisAnswer,
	bye:        []byte("QUIT\r\n"),
	// redis-cli's: a password kept out of argv (and so out of ps).
	passwordEnv: "REDISCLI_AUTH",
}

func redisCheck(u *url.URL) error {
	if db := strings.TrimPrefix(u.Path, "/"); db != "" && !allDigits(db) {
		return errors.New("want a database number after the host, if anything")
	}
	return nil
}

func redisHello(e endpoint) []byte {
	var b []byte
	if e.hasPass {
		args := []string{"AUTH", e.password}
		if e.user != "" {
			args = []string{"AUTH", e.user, e.password}
		}
		b = resp(b, args...)
	}
	return resp(b, "PING")
}

// resp appends a command as a RESP array of bulk strings.
func resp(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(append(b, a...), "\r\n"...)
	}
	return b
}

func redisAnswer(r *bufio.Reader, e endpoint) (target.Status, error) {
	if e.hasPass {
		line, err := redisLine(r)
		if err != nil {
			return target.Status{}, err
		}
		switch {
		case line == "+OK":
		case strings.HasPrefix(line, "-LOADING"), strings.HasPrefix(line, "-BUSY"):
			return target.Pending("%s", printable(line[1:])), nil
		case strings.HasPrefix(line, "-"):
			// Only the error code: the message may quote the command,
			// password included ("-ERR unknown command 'AUTH', with args
			// beginning with: 'PASSWORD'" when AUTH is renamed away).
			return target.Failed("AUTH refused: %s", redisAuthError(line[1:])), nil
		default:
			return unexpected("Redis"), nil
		}
	}
	line, err := redisLine(r)
	if err != nil {
		return target.Status{}, err
	}
	switch {
	case line == "+PONG":
		return target.Ready(), nil
	case strings.HasPrefix(line, "-NOAUTH") && !e.hasPass:
		return target.Ready(), nil
	case strings.HasPrefix(line, "-"):
		return target.Pending("%s", printable(line[1:])), nil
	}
	return unexpected("Redis"), nil
}

// redisLine reads one reply line without its CRLF.
func redisLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", nil // too long for a simple reply: unexpected
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

// redisAuthError names a refusal of AUTH by its error code (the first word
// of the reply), with what the usual ones mean.
func redisAuthError(reply string) string {
	code, _, _ := strings.Cut(reply, " ")
	switch code = printable(code); code {
	case "WRONGPASS":
		return "WRONGPASS (wrong user or password)"
	case "ERR":
		return "ERR (a wrong password, no password set, or AUTH disabled on the server)"
	case "":
		return "an empty error"
	}
	if len(code) > 32 {
		code = target.Cut(code, 32)
	}
	return code
}
