package network

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kwait-dev/kwait/pkg/target"
)

// A protocol is what a Server target says and how it reads the answer,
// and how the command line shows it (its row of Kinds). Each lives in a
// file of its own (postgres.go, mysql.go, redis.go, amqp.go, memcached.go,
// mongodb.go, kafka.go, grpc.go) and is named in protocols: a new protocol
// is that file and that row.
type protocol struct {
	schemes []string // the first is the target's kind
	// tlsSchemes speak TLS from the first byte (rediss); they belong to
	// the same kind.
	tlsSchemes []string
	port       string // default port; empty when a URL must give one
	tlsPort    string // default port of tlsSchemes when not port
	// tlsQuery says a query parameter of the URL turns TLS on
	// (mongodb's tls=true).
	tlsQuery bool
	// form is how a target is written in the mixed form; usage and
	// example are the subcommand's help (see Kind).
	form, usage, example string
	// check checks what else the URL holds (path, user); nil accepts no
	// path.
	check func(*url.URL) error
	// query reads the URL's query parameters into the endpoint, refusing
	// any it does not know; nil accepts no query.
	query func(url.Values, *endpoint) error
	// hello is sent once connected; nil sends nothing.
	hello func(endpoint) []byte
	// answer judges what the server sends back; an error is trouble
	// reading it (closed, timed out).
	answer func(*bufio.Reader, endpoint) (target.Status, error)
	// talk, when set, replaces hello and answer: the whole exchange of a
	// protocol of several steps (TLS negotiated inside it, a request that
	// depends on a first answer, HTTP/2). An error is trouble on the
	// connection.
	talk func(*session) (target.Status, error)
	// alpn are the application protocols offered in the TLS handshake.
	alpn []string
	// inbandTLS says the protocol turns to TLS inside its exchange
	// (PostgreSQL's SSLRequest): talk starts TLS, not the first byte.
	inbandTLS bool
	// bye is sent, best effort, after a ready answer: a polite goodbye.
	bye []byte
	// passwordEnv names the environment variable the password comes from
	// when the URL has none: the one the protocol's own client reads.
	// Empty for protocols that never send a password.
	passwordEnv string
}

// protocols are the database and queue targets, by scheme.
var protocols = []protocol{postgres, mysql, redis, amqp, memcached, mongodb, kafka, grpc}

// protocolOf finds the protocol of scheme, and whether the scheme is one
// of its TLS ones.
func protocolOf(scheme string) (p protocol, tls, ok bool) {
	for _, p := range protocols {
		if slices.Contains(p.schemes, scheme) {
			return p, false, true
		}
		if slices.Contains(p.tlsSchemes, scheme) {
			return p, true, true
		}
	}
	return protocol{}, false, false
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
	host     string // HOST, the name TLS expects in the certificate
	user     string
	password string
	hasPass  bool
	db       string
	// tls says the connection turns to TLS: from the first byte for
	// the TLS schemes and mongodb's tls=true, after PostgreSQL's
	// SSLRequest.
	tls bool
	// verify is how much of the server's certificate TLS checks, and
	// strict says the URL asked for that check itself (sslmode=verify-ca),
	// which --insecure must not turn off silently.
	verify verification
	strict bool
	// sslmode is PostgreSQL's, as the URL gave it.
	sslmode string
	// readPreference and replicaSet are MongoDB's.
	readPreference, replicaSet string
}

// ServerTLS reports whether the database or queue URL raw asks for TLS
// (rediss://, postgres://...?sslmode=require), so that the TLS options
// apply to it; false for a URL the grammar refuses.
func ServerTLS(raw string) bool {
	_, e, err := parseServer(raw, nil, false)
	return err == nil && e.tls
}

// speaksTLS says whether some URL of the protocol asks for TLS.
func (p protocol) speaksTLS() bool {
	return len(p.tlsSchemes) > 0 || p.inbandTLS || p.tlsQuery
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
	p, tlsScheme, ok := protocolOf(u.Scheme)
	if !ok {
		return protocol{}, endpoint{}, fmt.Errorf("invalid URL %q: unknown scheme %q", shown, u.Scheme)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid URL %q: %s", shown, fmt.Sprintf(format, args...))
	}
	switch {
	case u.Opaque != "" || u.Host == "":
		return p, endpoint{}, bad("want %s://HOST[:PORT]", p.schemes[0])
	case (u.RawQuery != "" || u.ForceQuery) && p.query == nil:
		return p, endpoint{}, bad("a query is not supported")
	case u.Fragment != "":
		return p, endpoint{}, bad("a fragment is not supported")
	}
	switch {
	case p.check != nil:
		if err := p.check(u); err != nil {
			return p, endpoint{}, bad("%s", err)
		}
	case u.Path != "":
		return p, endpoint{}, bad("%s://HOST[:PORT] takes no path", p.schemes[0])
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
		if tlsScheme && p.tlsPort != "" {
			port = p.tlsPort
		}
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
	e := endpoint{addr: net.JoinHostPort(u.Hostname(), port), host: u.Hostname(), db: strings.TrimPrefix(u.Path, "/"),
		tls: tlsScheme}
	if u.User != nil {
		e.user = u.User.Username()
		e.password, e.hasPass = u.User.Password()
	}
	if p.query != nil {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return p, endpoint{}, bad("invalid query")
		}
		if err := p.query(q, &e); err != nil {
			return p, endpoint{}, bad("%s", err)
		}
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
	tls   *tls.Config // nil without TLS
	poll  Poll
}

// NewServer returns the target of a database or queue URL (the forms of
// the protocols' rows in Kinds). A URL without a password takes its
// protocol's from env (see PasswordEnvs). o says how TLS, where the URL
// asks for it, verifies the server and which client certificate it sends.
func NewServer(raw string, p Poll, env Passwords, o TLSOptions) (*Server, error) {
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	proto, end, err := parseServer(raw, env, true)
	if err != nil {
		return nil, err
	}
	s := &Server{name: Redact(raw), proto: proto, end: end, poll: p}
	if end.tls {
		if o.Insecure && end.strict {
			return nil, fmt.Errorf("%s: the URL asks to verify the server's certificate and --insecure not to", s.name)
		}
		if s.tls, err = o.config(end.host, end.verify); err != nil {
			return nil, err
		}
		s.tls.NextProtos = proto.alpn
	}
	return s, nil
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
	ss := newSession(ctx, conn, s.end, s.tls)
	st, err := s.talk(ss)
	if err != nil {
		return target.Pending("%s", reason(err, s.poll.AttemptTimeout))
	}
	st.Reason = hidePassword(st.Reason, s.end.password)
	if st.Phase == target.PhaseReady && s.proto.bye != nil {
		_ = ss.write(s.proto.bye)
	}
	return st
}

// talk runs the protocol's exchange on a session, in TLS from the start
// where the scheme says so.
func (s *Server) talk(ss *session) (target.Status, error) {
	if s.end.tls && !s.proto.inbandTLS {
		if err := ss.startTLS(); err != nil {
			return target.Status{}, err
		}
	}
	if s.proto.talk != nil {
		return s.proto.talk(ss)
	}
	if s.proto.hello != nil {
		if err := ss.write(s.proto.hello(s.end)); err != nil {
			return target.Status{}, err
		}
	}
	return s.proto.answer(ss.r, s.end)
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
