package network

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/kwait-dev/kwait/pkg/target"
)

// A protocol is what a Server target says and how it reads the answer,
// and how the command line shows it (its row of Kinds). Each lives in a
// file of its own (postgres.go, mysql.go, redis.go, amqp.go) and is named
// in protocols: a new protocol is that file and that row.
type protocol struct {
	schemes []string // the first is the target's kind
	port    string   // default port
	// form is how a target is written in the mixed form; usage and
	// example are the subcommand's help (see Kind).
	form, usage, example string
	// check checks what else the URL holds (path, user); nil accepts no
	// path.
	check func(*url.URL) error
	// hello is sent once connected; nil sends nothing.
	hello func(endpoint) []byte
	// answer judges what the server sends back; an error is trouble
	// reading it (closed, timed out).
	answer func(*bufio.Reader, endpoint) (target.Status, error)
	// bye is sent, best effort, after a ready answer: a polite goodbye.
	bye []byte
	// passwordEnv names the environment variable the password comes from
	// when the URL has none: the one the protocol's own client reads.
	// Empty for protocols that never send a password.
	passwordEnv string
}

// protocols are the database and queue targets, by scheme.
var protocols = []protocol{postgres, mysql, redis, amqp}

func protocolOf(scheme string) (protocol, bool) {
	for _, p := range protocols {
		for _, s := range p.schemes {
			if s == scheme {
				return p, true
			}
		}
	}
	return protocol{}, false
}

// Passwords are the values of the password environment variables
// (PasswordEnvs), by variable name, as the CLI read them; nil for none.
type Passwords map[string]string

// PasswordEnvs returns, by target kind, the environment variable a
// password is read from when the target's URL holds none (a password in
// the URL wins). Only the protocols that send a password have one.
func PasswordEnvs() map[string]string {
	out := map[string]string{}
	for _, p := range protocols {
		if p.passwordEnv != "" {
			out[p.schemes[0]] = p.passwordEnv
		}
	}
	return out
}

// endpoint is a parsed database or queue URL.
type endpoint struct {
	addr     string // HOST:PORT
	user     string
	password string
	hasPass  bool
	db       string
}

// parseServer parses raw, taking a missing password from env. Once env is
// known (final), a user without a password is refused where the protocol
// sends passwords: the grammar (Kind.Parse) checks a URL before the
// environment is read.
func parseServer(raw string, env Passwords, final bool) (protocol, endpoint, error) {
	shown := Redact(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return protocol{}, endpoint{}, fmt.Errorf("invalid URL %q", shown)
	}
	p, ok := protocolOf(u.Scheme)
	if !ok {
		return protocol{}, endpoint{}, fmt.Errorf("invalid URL %q: unknown scheme %q", shown, u.Scheme)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid URL %q: %s", shown, fmt.Sprintf(format, args...))
	}
	switch {
	case u.Opaque != "" || u.Host == "":
		return p, endpoint{}, bad("want %s://HOST[:PORT]", p.schemes[0])
	case u.RawQuery != "" || u.ForceQuery:
		return p, endpoint{}, bad("a query is not supported")
	case u.Fragment != "":
		return p, endpoint{}, bad("a fragment is not supported")
	}
	if err := checkHost(u.Hostname()); err != nil {
		return p, endpoint{}, bad("%s", err)
	}
	port := u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return p, endpoint{}, bad("empty port")
		}
		port = p.port
	}
	if err := checkPort(port); err != nil {
		return p, endpoint{}, bad("%s", err)
	}
	if _, has := u.User.Password(); !has && p.passwordEnv != "" {
		switch {
		case env[p.passwordEnv] != "":
			u.User = url.UserPassword(u.User.Username(), env[p.passwordEnv])
		case final && u.User != nil:
			return p, endpoint{}, bad("a user needs a password (%s://USER:PASSWORD@HOST, or %s)", p.schemes[0], p.passwordEnv)
		}
	}
	e := endpoint{addr: net.JoinHostPort(u.Hostname(), port), db: strings.TrimPrefix(u.Path, "/")}
	if u.User != nil {
		e.user = u.User.Username()
		e.password, e.hasPass = u.User.Password()
	}
	switch {
	case p.check != nil:
		if err := p.check(u); err != nil {
			return p, endpoint{}, bad("%s", err)
		}
	case u.Path != "":
		return p, endpoint{}, bad("%s://HOST[:PORT] takes no path", p.schemes[0])
	}
	return p, e, nil
}

// Server is ready once a database or queue server answers the first
// packets of its protocol as a server that accepts connections does: a
// real exchange, not only a TCP connect (see each protocol's file for its
// rules). A refused connection, a timeout, and an answer that says "not
// now" (starting up, too many connections, loading) are "not yet", with the
// server's own words as the reason.
type Server struct {
	name  string
	proto protocol
	end   endpoint
	poll  Poll
}

// NewServer returns the target of a database or queue URL,
// SCHEME://[USER[:PASSWORD]@]HOST[:PORT][/PATH]: postgres://, postgresql://, mysql://, mariadb://,
// redis://, amqp://. A URL without a password takes its protocol's from
// env (see PasswordEnvs).
func NewServer(raw string, p Poll, env Passwords) (*Server, error) {
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	proto, end, err := parseServer(raw, env, true)
	if err != nil {
		return nil, err
	}
	return &Server{name: Redact(raw), proto: proto, end: end, poll: p}, nil
}

// Name is the URL, without any password.
func (s *Server) Name() string { return s.name }

// Wait polls until the server answers as ready, or ctx is done.
func (s *Server) Wait(ctx context.Context, report target.Report) error {
	return poll(ctx, s.poll, report, s.check)
}

// check makes one exchange: connect, send the protocol's hello, judge the
// first answer, then close. The connection lives no longer than ctx.
func (s *Server) check(ctx context.Context) target.Status {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.end.addr)
	if err != nil {
		return target.Pending("%s", reason(err, s.poll.AttemptTimeout))
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	if s.proto.hello != nil {
		if _, err := conn.Write(s.proto.hello(s.end)); err != nil {
			return target.Pending("%s", reason(err, s.poll.AttemptTimeout))
		}
	}
	st, err := s.proto.answer(bufio.NewReader(&boundedAnswer{r: conn, left: answerLimit}), s.end)
	if err != nil {
		return target.Pending("%s", reason(err, s.poll.AttemptTimeout))
	}
	st.Reason = hidePassword(st.Reason, s.end.password)
	if st.Phase == target.PhaseReady && s.proto.bye != nil {
		_, _ = conn.Write(s.proto.bye)
	}
	return st
}

// unexpected names an answer that is not the protocol's.
func unexpected(what string) target.Status {
	return target.Pending("unexpected answer: not a %s server?", what)
}

// printable keeps a server's message to one short line of printable text,
// by the rule of target.Line, cut to 200 bytes.
func printable(s string) string { return target.Clip(target.Line(s), 200) }

// answerLimit bounds what one attempt reads from a server: the answers
// kwait judges are a few hundred bytes, so a server that sends more
// (PostgreSQL NoticeResponses without end) costs at most this much reading
// and parsing per attempt, within the attempt timeout.
const answerLimit = 64 << 10

var errAnswerTooLong = fmt.Errorf("answer longer than %d KiB without the expected reply", answerLimit>>10)

// boundedAnswer reads at most left bytes, then fails with errAnswerTooLong.
type boundedAnswer struct {
	r    io.Reader
	left int
}

func (b *boundedAnswer) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errAnswerTooLong
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= n
	return n, err
}

// hidePassword replaces the password kwait sent wherever a server's words
// repeat it, a last guard behind the rule that a reply which can quote a
// command is never shown. Passwords shorter than 4 characters are left
// alone: masking every "ab" would garble the reason and point at them.
func hidePassword(s, password string) string {
	if len(password) < 4 {
		return s
	}
	return strings.ReplaceAll(s, password, "REDACTED")
}
