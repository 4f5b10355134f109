package network

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kwait-dev/kwait/pkg/target"
)

// fakeServer accepts connections on loopback, reads until it has seen
// want (or, with want empty, nothing), answers with reply and closes. It
// sends what it read on got.
func fakeServer(t *testing.T, want, reply []byte) (addr string, got <-chan []byte) {
	t.Helper()
	ln := listen(t, "127.0.0.1:0")
	ch := make(chan []byte, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			var read []byte
			buf := make([]byte, 512)
			for len(want) > 0 && !bytes.Contains(read, want) {
				n, err := c.Read(buf)
				read = append(read, buf[:n]...)
				if err != nil {
					break
				}
			}
			_, _ = c.Write(reply)
			ch <- read
			_ = c.Close()
		}
	}()
	return ln.Addr().String(), ch
}

func pgMessage(typ byte, body []byte) []byte {
	m := binary.BigEndian.AppendUint32([]byte{typ}, uint32(len(body)+4))
	return append(m, body...)
}

func pgError(code, msg string) []byte {
	return pgMessage('E', []byte("SFATAL\x00C"+code+"\x00M"+msg+"\x00\x00"))
}

func mysqlPacket(body []byte) []byte {
	return append([]byte{byte(len(body)), byte(len(body) >> 8), byte(len(body) >> 16), 0}, body...)
}

func mysqlErr(code uint16, msg string) []byte {
	return mysqlPacket(append(binary.LittleEndian.AppendUint16([]byte{0xff}, code), msg...))
}

func amqpStart() []byte {
	frame := []byte{1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 10}
	return append(frame, 0xce)
}

// TestServerAnswers: every branch of every protocol's rule, against a
// fake server answering the first packets.
func TestServerAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		url    string // HOST is replaced by the fake server's address
		want   string // what the server waits to read before answering
		reply  []byte
		phase  target.Phase
		reason string
	}{
		{"postgres md5 request", "postgres://HOST", "user\x00postgres\x00", pgMessage('R', []byte{0, 0, 0, 5, 1, 2, 3, 4}), target.PhaseReady, ""},
		{"postgres trust", "postgresql://app:secret@HOST/appdb", "user\x00app\x00application_name\x00kwait\x00database\x00appdb\x00\x00",
			append(pgMessage('R', []byte{0, 0, 0, 0}), pgMessage('Z', []byte{'I'})...), target.PhaseReady, ""},
		{"postgres notice then auth", "postgres://HOST", "", append(pgMessage('N', []byte("SWARNING\x00\x00")), pgMessage('R', []byte{0, 0, 0, 10})...), target.PhaseReady, ""},
		{"postgres starting up", "postgres://HOST", "user", pgError("57P03", "the database system is starting up"),
			target.PhasePending, "the database system is starting up (SQLSTATE 57P03)"},
		{"postgres too many clients", "postgres://HOST", "user", pgError("53300", "sorry, too many clients already"),
			target.PhasePending, "sorry, too many clients already (SQLSTATE 53300)"},
		{"postgres unknown database is up", "postgres://HOST/nope", "nope", pgError("3D000", `database "nope" does not exist`), target.PhaseReady, ""},
		{"postgres auth failed is up", "postgres://HOST", "user", pgError("28P01", "password authentication failed"), target.PhaseReady, ""},
		{"postgres error without sqlstate", "postgres://HOST", "user", pgMessage('E', []byte("Mhello\x00\x00")), target.PhasePending, "not a PostgreSQL server"},
		{"postgres http server", "postgres://HOST", "user", []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), target.PhasePending, "not a PostgreSQL server"},
		{"postgres closed", "postgres://HOST", "user", nil, target.PhasePending, "connection closed by peer"},

		{"mysql handshake", "mysql://HOST", "", mysqlPacket([]byte("\x0a11.8.3-MariaDB\x00")), target.PhaseReady, ""},
		{"mysql too many connections", "mariadb://HOST", "", mysqlErr(1040, "Too many connections"), target.PhasePending, "ERROR 1040: Too many connections"},
		{"mysql host blocked", "mysql://HOST", "", mysqlErr(1129, "Host '10.0.0.7' is blocked because of many connection errors"),
			target.PhasePending, "ERROR 1129: Host '10.0.0.7' is blocked"},
		{"mysql error with sql state", "mysql://HOST", "", mysqlErr(1053, "#08S01Server shutdown in progress"), target.PhasePending, "ERROR 1053: Server shutdown in progress"},
		{"mysql other protocol", "mysql://HOST", "", []byte("SSH-2.0-OpenSSH\r\n"), target.PhasePending, "not a MySQL server"},

		{"redis pong", "redis://HOST", "PING\r\n", []byte("+PONG\r\n"), target.PhaseReady, ""},
		{"redis loading", "redis://HOST/0", "PING\r\n", []byte("-LOADING Redis is loading the dataset in memory\r\n"),
			target.PhasePending, "LOADING Redis is loading the dataset in memory"},
		{"redis noauth without password", "redis://HOST", "PING\r\n", []byte("-NOAUTH Authentication required.\r\n"), target.PhaseReady, ""},
		{"redis auth then pong", "redis://:secret@HOST", "*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n*1\r\n$4\r\nPING\r\n", []byte("+OK\r\n+PONG\r\n"), target.PhaseReady, ""},
		{"redis acl user", "redis://app:secret@HOST", "*3\r\n$4\r\nAUTH\r\n$3\r\napp\r\n$6\r\nsecret\r\n*1\r\n$4\r\nPING\r\n", []byte("+OK\r\n+PONG\r\n"), target.PhaseReady, ""},
		{"redis auth then loading", "redis://:secret@HOST", "PING\r\n", []byte("+OK\r\n-LOADING Redis is loading\r\n"), target.PhasePending, "LOADING Redis is loading"},
		{"redis wrong password", "redis://:secret@HOST", "PING\r\n", []byte("-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.\r\n"),
			target.PhaseFailed, "AUTH refused: WRONGPASS (wrong user or password)"},
		{"redis auth renamed quotes the password", "redis://:secret@HOST", "PING\r\n",
			[]byte("-ERR unknown command 'AUTH', with args beginning with: 'secret' \r\n-NOAUTH Authentication required.\r\n"),
			target.PhaseFailed, "AUTH refused: ERR (a wrong password, no password set, or AUTH disabled on the server)"},
		{"redis loading quoting the password", "redis://:secret@HOST", "PING\r\n", []byte("+OK\r\n-LOADING secret\r\n"), target.PhasePending, "LOADING REDACTED"},
		{"postgres notice flood", "postgres://HOST", "user", bytes.Repeat(pgMessage('N', bytes.Repeat([]byte("x"), 1000)), 100),
			target.PhasePending, "answer longer than 64 KiB"},
		{"redis masterdown", "redis://HOST", "PING\r\n", []byte("-MASTERDOWN Link with MASTER is down\r\n"), target.PhasePending, "MASTERDOWN Link with MASTER is down"},
		{"redis other protocol", "redis://HOST", "PING\r\n", []byte("HTTP/1.1 400 Bad Request\r\n"), target.PhasePending, "not a Redis server"},

		{"amqp connection start", "amqp://HOST", "AMQP\x00\x00\x09\x01", amqpStart(), target.PhaseReady, ""},
		{"amqp other version", "amqp://HOST/%2F", "AMQP", []byte("AMQP\x00\x01\x00\x00"), target.PhasePending, "server wants AMQP 1-0-0"},
		{"amqp other frame", "amqp://HOST", "AMQP", []byte{8, 0, 0, 0, 0, 0, 0, 0xce, 0, 0, 0}, target.PhasePending, "not a RabbitMQ (AMQP 0-9-1) server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr, got := fakeServer(t, []byte(tc.want), tc.reply)
			s, err := NewServer(strings.Replace(tc.url, "HOST", addr, 1), fastPoll(), nil, TLSOptions{})
			if err != nil {
				t.Fatal(err)
			}
			st := s.check(t.Context())
			if st.Phase != tc.phase || !strings.Contains(st.Reason, tc.reason) {
				t.Errorf("check = %v %q, want %v %q", st.Phase, st.Reason, tc.phase, tc.reason)
			}
			if read := <-got; !bytes.Contains(read, []byte(tc.want)) {
				t.Errorf("server read %q, want %q in it", read, tc.want)
			}
			if strings.Contains(s.Name(), "secret") || strings.Contains(st.Reason, "secret") {
				t.Errorf("name %q or reason %q shows the password", s.Name(), st.Reason)
			}
		})
	}
}

// TestServerWaitsForListener: a refused connection is "not yet", and the
// wait ends once the server greets.
func TestServerWaitsForListener(t *testing.T) {
	t.Parallel()
	addr := closedAddr(t)
	s, err := NewServer("mysql://"+addr, fastPoll(), nil, TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	done := waitAsync(t.Context(), s, rec)
	rec.await(t, "connection refused")
	ln := listen(t, addr)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = c.Write(mysqlPacket([]byte("\x0a8.0.36\x00")))
		_ = c.Close()
	}()
	if err := <-done; err != nil {
		t.Fatalf("wait = %v, want ready", err)
	}
}

// TestServerSilentServerTimesOut: a server that accepts and says nothing
// is "not yet" once the attempt timeout passes.
func TestServerSilentServerTimesOut(t *testing.T) {
	t.Parallel()
	ln := listen(t, "127.0.0.1:0")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	p := fastPoll()
	p.AttemptTimeout = 50 * time.Millisecond
	s, err := NewServer("postgres://"+ln.Addr().String(), p, nil, TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), p.AttemptTimeout)
	defer cancel()
	if st := s.check(ctx); st.Phase != target.PhasePending || st.Reason != "timed out after 50ms" {
		t.Errorf("check = %v %q, want pending %q", st.Phase, st.Reason, "timed out after 50ms")
	}
}

func TestServerURLs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, addr, err string
	}{
		{url: "postgres://db", addr: "db:5432"},
		{url: "postgresql://u:p@db:6432/app", addr: "db:6432"},
		{url: "mysql://[::1]", addr: "[::1]:3306"},
		{url: "mariadb://root:x@db/app", addr: "db:3306"},
		{url: "redis://cache/3", addr: "cache:6379"},
		{url: "amqp://guest:guest@mq/%2F", addr: "mq:5672"},
		{url: "redis://cache/x", err: "database number"},
		{url: "redis://app@cache", err: "a user needs a password"},
		{url: "postgres://db:99999", err: "not a number 1-65535"},
		{url: "postgres://db:", err: "empty port"},
		{url: "postgres://db?sslmode=require", addr: "db:5432"},
		{url: "postgres://db?sslmode=maybe", err: `sslmode: want disable`},
		{url: "postgres://db?connect_timeout=3", err: `query parameter "connect_timeout" is not used`},
		{url: "mysql://db?x=1", err: "a query is not supported"},
		{url: "rediss://cache", addr: "cache:6379"},
		{url: "amqps://mq", addr: "mq:5671"},
		{url: "amqps://mq:5672", addr: "mq:5672"},
		{url: "memcached://cache", addr: "cache:11211"},
		{url: "mongodb://u:p@mongo/app?readPreference=secondary&replicaSet=rs0&tls=true", addr: "mongo:27017"},
		{url: "mongodb://a:1,b:2", err: "one host per target"},
		{url: "mongodb://mongo?readPreference=any", err: `readPreference: want primary`},
		{url: "mongodb://mongo?tlsCAFile=/ca.pem", err: "use --ca-file"},
		{url: "mongodb://mongo?w=majority", err: `query parameter "w" is not used`},
		{url: "kafka://broker", addr: "broker:9092"},
		{url: "grpc://api:50051/my.pkg.Svc", addr: "api:50051"},
		{url: "grpcs://api:443", addr: "api:443"},
		{url: "grpc://api", err: "missing port"},
		{url: "grpc://api:1/a/b", err: "want a service name"},
		{url: "mysql://db#x", err: "a fragment is not supported"},
		{url: "postgres:///app", err: "want postgres://HOST[:PORT]"},
		{url: "postgres://d_b-/app", err: "hyphen"},
		{url: "mongodb+srv://db", err: `unknown scheme "mongodb+srv"`},
		{url: "postgres://u:secret@db:0/app", err: `invalid URL "postgres://REDACTED@db:0/app"`},
	} {
		_, end, err := parseServer(tc.url, nil, true)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("parse %q: %v", tc.url, err)
		case tc.err == "" && end.addr != tc.addr:
			t.Errorf("parse %q: address %q, want %q", tc.url, end.addr, tc.addr)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parse %q = %v, want an error with %q", tc.url, err, tc.err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("parse %q: error shows the password: %v", tc.url, err)
		}
	}
}

// TestServerPasswordFromEnv: REDISCLI_AUTH is the Redis password when the
// URL has none; one in the URL wins; a Redis user takes it too; protocols
// that send no password read none.
func TestServerPasswordFromEnv(t *testing.T) {
	t.Parallel()
	env := Passwords{"REDISCLI_AUTH": "fromenv"}
	for _, tc := range []struct {
		url, user, password string
		has                 bool
	}{
		{"redis://cache", "", "fromenv", true},
		{"redis://:inurl@cache", "", "inurl", true},
		{"redis://app@cache", "app", "fromenv", true},
		{"postgres://app@db", "app", "", false},
	} {
		_, end, err := parseServer(tc.url, env, true)
		if err != nil || end.user != tc.user || end.password != tc.password || end.hasPass != tc.has {
			t.Errorf("parse %q = %q %q %v, %v; want %q %q %v", tc.url, end.user, end.password, end.hasPass, err, tc.user, tc.password, tc.has)
		}
	}
	if got := PasswordEnvs(); len(got) != 1 || got["redis"] != "REDISCLI_AUTH" {
		t.Errorf("PasswordEnvs() = %v, want redis: REDISCLI_AUTH alone", got)
	}
	if _, _, err := parseServer("redis://app@cache", Passwords{"REDISCLI_AUTH": ""}, true); err == nil {
		t.Error("redis://app@cache with an empty REDISCLI_AUTH parsed, want: a user needs a password")
	}
	redis, _ := KindOf("redis")
	if _, err := redis.Parse("redis://app@cache"); err != nil {
		t.Errorf("Parse(redis://app@cache) = %v, want nil: the password may come from the environment", err)
	}
}

func TestSchemes(t *testing.T) {
	t.Parallel()
	for scheme, kind := range map[string]string{"postgres": "postgres", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql",
		"redis": "redis", "amqp": "amqp", "tcp": "tcp", "http": "http", "https": "http", "dns": "dns",
		"rediss": "redis", "amqps": "amqp", "memcached": "memcached", "mongodb": "mongodb", "kafka": "kafka", "grpc": "grpc", "grpcs": "grpc"} {
		if got, ok := KindOfScheme(scheme); !ok || got.Name != kind {
			t.Errorf("KindOfScheme(%q) = %q, want %q", scheme, got.Name, kind)
		}
	}
}

// TestGone: an inverted target is "still answering" while the port
// accepts, and ready once it refuses.
func TestGone(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	p := fastPoll()
	p.Gone = true
	tg := mustTCP(t, ln.Addr().String(), p)
	rec := newRecorder()
	done := waitAsync(t.Context(), tg, rec)
	rec.await(t, stillAnswering)
	_ = ln.Close()
	if err := <-done; err != nil {
		t.Fatalf("wait = %v, want ready once the port is free", err)
	}
}

// TestPollGone: inverting maps ready and failed to pending, pending to
// ready, but not an attempt cut short by the end of the wait.
func TestPollGone(t *testing.T) {
	t.Parallel()
	p := fastPoll()
	p.Gone = true
	rec := newRecorder()
	var calls int
	err := poll(t.Context(), p, rec.report, script(&calls, target.Ready(), target.Failed("refused"), target.Pending("connection refused")))
	if err != nil || calls != 3 {
		t.Fatalf("poll = %v after %d attempts, want ready after 3", err, calls)
	}
	if want := []string{stillAnswering}; !slices.Equal(rec.all(), want) {
		t.Errorf("reported %q, want %q", rec.all(), want)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cut := func(context.Context) target.Status { cancel(); return target.Pending("timed out") }
	if err := poll(ctx, p, nil, cut); err == nil {
		t.Error("an attempt cut by the end of the wait counted as gone")
	}
}
