//go:build e2e

package e2e

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPostgres: refused, then a server in recovery (57P03: it is up and
// says so, but takes no sessions), then promoted: ready. Then too many
// clients (53300) until the one session allowed ends; then --gone until a
// smart shutdown.
func TestPostgres(t *testing.T) {
	t.Parallel()
	cred := as(t, "postgres")
	bin := func(name string) string { return program(t, "/usr/lib/postgresql/*/bin/"+name) }
	addr := closedPort(t)
	p := start(t, "postgres", addr, "--timeout", "3m")
	p.await(t, "postgres://"+addr, "connection refused")

	dir := serverDir(t, cred)
	data := filepath.Join(dir, "data")
	run(t, cred, bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
	if err := os.WriteFile(filepath.Join(data, "standby.signal"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, cred, nil, bin("postgres"), "-D", data, "-p", portOf(t, addr), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "hot_standby=off", "-c", "fsync=off",
		"-c", "max_connections=1", "-c", "superuser_reserved_connections=0")
	p.await(t, "postgres://"+addr, "SQLSTATE 57P03")
	run(t, cred, bin("pg_ctl"), "promote", "-D", data)
	p.expect(t, 0)

	session := pgSession(t, addr)
	p = start(t, "postgres://app:secret@"+addr+"/app", "--timeout", "3m")
	p.await(t, "postgres://REDACTED@"+addr+"/app", "too many clients", "SQLSTATE 53300")
	session.Close()
	// The role app does not exist: as for pg_isready, the server is up.
	out := p.expect(t, 0)
	if strings.Contains(out, "secret") {
		t.Errorf("the log shows the password:\n%s", out)
	}

	p = start(t, "postgresql://"+addr, "--gone", "--timeout", "3m")
	p.await(t, "still answering")
	srv.stop(t, syscall.SIGTERM)
	p.expect(t, 0)
}

// pgSession opens a session as postgres (trust authentication) and returns
// its connection once the server is ready for queries. The one slot may
// still be held for a moment by the backend of a kwait that just left:
// "too many clients" is retried.
func pgSession(t *testing.T, addr string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		c, tooMany := pgTrySession(t, addr)
		if !tooMany {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatal("session refused: too many clients for a minute")
		}
		<-time.After(100 * time.Millisecond)
	}
}

func pgTrySession(t *testing.T, addr string) (c net.Conn, tooMany bool) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c = conn
	params := "user\x00postgres\x00database\x00postgres\x00\x00"
	msg := binary.BigEndian.AppendUint32(nil, uint32(8+len(params)))
	msg = binary.BigEndian.AppendUint32(msg, 3<<16)
	if _, err := c.Write(append(msg, params...)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	for {
		var head [5]byte
		if _, err := io.ReadFull(r, head[:]); err != nil {
			t.Fatalf("session: %v", err)
		}
		body := make([]byte, binary.BigEndian.Uint32(head[1:])-4)
		if _, err := io.ReadFull(r, body); err != nil {
			t.Fatalf("session: %v", err)
		}
		switch {
		case head[0] == 'E' && strings.Contains(string(body), "C53300\x00"):
			c.Close()
			return nil, true
		case head[0] == 'E':
			t.Fatalf("session refused: %q", body)
		case head[0] == 'Z':
			_ = c.SetReadDeadline(time.Time{})
			return c, false
		}
	}
}

// TestMySQL: refused, then a MariaDB server: ready. Then every connection
// the server takes is held: "Too many connections" (1040) until they end.
func TestMySQL(t *testing.T) {
	t.Parallel()
	cred := as(t, "mysql")
	addr := closedPort(t)
	p := start(t, "mysql://"+addr, "--timeout", "3m")
	p.await(t, "mysql://"+addr, "connection refused")

	dir := serverDir(t, cred)
	data := filepath.Join(dir, "data")
	run(t, cred, program(t, "/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"), "--no-defaults", "--datadir="+data,
		"--auth-root-authentication-method=normal", "--skip-test-db")
	startServer(t, cred, nil, program(t, "/usr/sbin/mariadbd", "/usr/sbin/mysqld"), "--no-defaults", "--datadir="+data,
		"--socket="+filepath.Join(dir, "sock"), "--pid-file="+filepath.Join(dir, "pid"), "--port="+portOf(t, addr),
		"--bind-address=127.0.0.1", "--skip-name-resolve", "--max-connections=10", "--connect-timeout=600",
		"--max-connect-errors=100000", "--innodb-buffer-pool-size=8M", "--skip-log-bin")
	p.expect(t, 0)

	held := holdMySQL(t, addr)
	p = start(t, "mysql", addr, "--timeout", "3m")
	p.await(t, "ERROR 1040", "Too many connections")
	for _, c := range held {
		c.Close()
	}
	p.expect(t, 0)
}

// holdMySQL opens connections that never log in until the server refuses
// one, and returns those it took.
func holdMySQL(t *testing.T, addr string) []net.Conn {
	t.Helper()
	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range held {
			c.Close()
		}
	})
	for range 200 {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(time.Minute))
		head := make([]byte, 5)
		if _, err := io.ReadFull(c, head); err != nil {
			t.Fatalf("greeting: %v", err)
		}
		if head[4] == 0xff {
			c.Close()
			return held
		}
		held = append(held, c)
	}
	t.Fatalf("the server took %d connections without refusing one", len(held))
	return nil
}

// TestRedis: refused, then a server with a password: ready with it, and
// without one (NOAUTH: up); a wrong one fails for good (exit 1). Then a
// restart that loads a data set slowly: LOADING until loaded.
func TestRedis(t *testing.T) {
	t.Parallel()
	cred := as(t, "redis")
	addr := closedPort(t)
	p := start(t, "redis", ":s3cret@"+addr, "--timeout", "3m")
	p.await(t, "redis://REDACTED@"+addr, "connection refused")

	dir := serverDir(t, cred)
	redisServer := program(t, "/usr/bin/redis-server")
	args := []string{"--port", portOf(t, addr), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
		"--requirepass", "s3cret", "--enable-debug-command", "local", "--loading-process-events-interval-bytes", "1024"}
	srv := startServer(t, cred, nil, redisServer, args...)
	p.expect(t, 0)
	kwait(t, 0, "redis://"+addr, "--timeout", "1m")
	out := kwait(t, 1, "redis://:nottheone@"+addr, "--timeout", "1m")
	mustContain(t, out, "AUTH refused", "WRONGPASS")
	if strings.Contains(out, "nottheone") {
		t.Errorf("the log shows the password:\n%s", out)
	}

	cli := program(t, "/usr/bin/redis-cli")
	port := portOf(t, addr)
	run(t, cred, cli, "-p", port, "-a", "s3cret", "--no-auth-warning", "debug", "populate", "2000")
	run(t, cred, cli, "-p", port, "-a", "s3cret", "--no-auth-warning", "save")
	srv.stop(t, syscall.SIGTERM)
	// 2000 keys at 5ms each: about 10s of LOADING.
	startServer(t, cred, nil, redisServer, append(args, "--key-load-delay", "5000")...)
	p = start(t, "redis", ":s3cret@"+addr, "--timeout", "3m")
	p.await(t, "LOADING")
	p.expect(t, 0)
}

// TestRedisSecretsStayHidden: a Redis with AUTH renamed away (a hardening
// setting) answers AUTH with "-ERR unknown command 'AUTH', with args
// beginning with: 'PASSWORD'": kwait fails for good without printing it,
// in the log or the termination message. The password may come from
// REDISCLI_AUTH instead of argv; one in the URL wins.
func TestRedisSecretsStayHidden(t *testing.T) {
	t.Parallel()
	cred := as(t, "redis")
	addr := closedPort(t)
	dir := serverDir(t, cred)
	conf := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(conf, []byte("rename-command AUTH \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, cred, nil, program(t, "/usr/bin/redis-server"), conf, "--port", portOf(t, addr), "--bind", "127.0.0.1",
		"--dir", dir, "--save", "", "--appendonly", "no")
	awaitListening(t, srv, addr)
	const secret = "hunter2-renamed"
	termlog := filepath.Join(t.TempDir(), "termination-log")
	out := kwait(t, 1, "redis://:"+secret+"@"+addr, "--timeout", "1m", "--log-level", "debug", "--termination-log", termlog)
	mustContain(t, out, "AUTH refused: ERR")
	msg, err := os.ReadFile(termlog)
	if err != nil {
		t.Fatal(err)
	}
	noSecrets(t, out+string(msg), secret)
	// From the environment, kept out of argv: sent all the same.
	p := startEnv(t, []string{"REDISCLI_AUTH=" + secret}, "redis://"+addr, "--timeout", "1m")
	out = p.expect(t, 1)
	mustContain(t, out, "AUTH refused: ERR")
	noSecrets(t, out, secret)
	if strings.Contains(strings.Join(p.cmd.Args, " "), secret) {
		t.Errorf("the password is in argv: %q", p.cmd.Args)
	}
}

// TestRedisPasswordFromEnv: REDISCLI_AUTH is the password when the URL has
// none; a password in the URL wins over it.
func TestRedisPasswordFromEnv(t *testing.T) {
	t.Parallel()
	cred := as(t, "redis")
	addr := closedPort(t)
	srv := startServer(t, cred, nil, program(t, "/usr/bin/redis-server"), "--port", portOf(t, addr), "--bind", "127.0.0.1",
		"--dir", serverDir(t, cred), "--save", "", "--appendonly", "no", "--requirepass", "s3cret")
	awaitListening(t, srv, addr)
	startEnv(t, []string{"REDISCLI_AUTH=s3cret"}, "redis://"+addr, "--timeout", "1m").expect(t, 0)
	out := startEnv(t, []string{"REDISCLI_AUTH=wrong"}, "redis://"+addr, "--timeout", "1m").expect(t, 1)
	mustContain(t, out, "AUTH refused: WRONGPASS")
	startEnv(t, []string{"REDISCLI_AUTH=wrong"}, "redis://:s3cret@"+addr, "--timeout", "1m").expect(t, 0)
}

// TestAMQP: refused, then a RabbitMQ node: ready once it sends
// Connection.Start; amqps:// too, on its TLS listener, with the node's CA
// (and not with another: exit 124, naming the unknown authority).
func TestAMQP(t *testing.T) {
	t.Parallel()
	addr, tlsAddr := closedPort(t), closedPort(t)
	p := start(t, "amqp://"+addr, "--timeout", "4m")
	p.await(t, "amqp://"+addr, "connection refused")
	secure := start(t, "amqps://"+tlsAddr, "--timeout", "4m")
	secure.await(t, "amqps://"+tlsAddr, "connection refused")

	dir := serverDir(t, nil)
	epmd := portOf(t, closedPort(t))
	if err := os.WriteFile(filepath.Join(dir, "enabled_plugins"), []byte("[].\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pki := newTLSFiles(t, dir, nil)
	conf := "listeners.ssl.1 = " + tlsAddr + "\nssl_options.cacertfile = " + pki.ca + "\nssl_options.certfile = " + pki.cert +
		"\nssl_options.keyfile = " + pki.key + "\nssl_options.verify = verify_none\nssl_options.fail_if_no_peer_cert = false\n"
	if err := os.WriteFile(filepath.Join(dir, "rabbitmq.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	environ := []string{
		"PATH=/usr/bin:/bin", "HOME=" + dir, "ERL_EPMD_PORT=" + epmd,
		"RABBITMQ_NODENAME=kwait-" + portOf(t, addr) + "@localhost",
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1", "RABBITMQ_NODE_PORT=" + portOf(t, addr),
		"RABBITMQ_DIST_PORT=" + portOf(t, closedPort(t)),
		"RABBITMQ_MNESIA_BASE=" + filepath.Join(dir, "mnesia"), "RABBITMQ_LOG_BASE=" + filepath.Join(dir, "log"),
		"RABBITMQ_CONFIG_FILE=" + filepath.Join(dir, "rabbitmq"), "RABBITMQ_CONF_ENV_FILE=" + filepath.Join(dir, "none"),
		"RABBITMQ_ENABLED_PLUGINS_FILE=" + filepath.Join(dir, "enabled_plugins"), "RABBITMQ_PID_FILE=" + filepath.Join(dir, "pid"),
		"RABBITMQ_LOGS=-",
	}
	// epmd, which the node starts, leaves the process group: stop it too.
	t.Cleanup(func() {
		cmd := exec.Command(program(t, "/usr/bin/epmd", "/usr/lib/erlang/erts-*/bin/epmd"), "-kill")
		cmd.Env = []string{"ERL_EPMD_PORT=" + epmd}
		_ = cmd.Run()
	})
	srv := startServer(t, nil, environ, program(t, "/usr/lib/rabbitmq/bin/rabbitmq-server"))
	if code := p.exit(t); code != 0 {
		t.Fatalf("kwait exited %d, want 0; output:\n%s\nrabbitmq:\n%s", code, p.output(), srv.output())
	}
	mustContain(t, srv.output(), "started TCP listener")
	// Still waiting without the node's CA, until it is given.
	secure.await(t, "x509: certificate signed by unknown authority")
	start(t, "amqps://"+tlsAddr, "--ca-file", pki.ca, "--timeout", "1m").expect(t, 0)
	untrusted(t, "amqps://"+tlsAddr, "--ca-file", newTLSFiles(t, t.TempDir(), nil).ca)
}
