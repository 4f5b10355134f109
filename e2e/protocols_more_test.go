//go:build e2e

package e2e

import (
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestMemcached: refused, then Debian's memcached: ready; then --gone
// until it stops.
func TestMemcached(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	p := start(t, "memcached://"+addr, "--timeout", "3m")
	p.await(t, "memcached://"+addr, "connection refused")
	args := []string{"-l", "127.0.0.1", "-p", portOf(t, addr), "-U", "0", "-m", "8"}
	if os.Getuid() == 0 {
		args = append(args, "-u", "memcache") // memcached refuses to run as root
	}
	srv := startServer(t, nil, nil, program(t, "/usr/bin/memcached"), args...)
	p.expect(t, 0)
	p = start(t, "memcached", addr, "--gone", "--timeout", "3m")
	p.await(t, "still answering")
	srv.stop(t, syscall.SIGTERM)
	p.expect(t, 0)
}

// protoserver starts e2e/cluster/tools/protoserver (build.sh protoserver)
// with args; what is written to the returned pipe goes to its standard
// input.
func protoserver(t *testing.T, args ...string) (*server, io.WriteCloser) {
	t.Helper()
	s := &server{cmd: exec.Command(cacheBin(t, "protoserver"), args...), done: make(chan struct{})}
	s.cmd.Stdout, s.cmd.Stderr = s, s
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := s.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start protoserver: %v", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	})
	return s, in
}

// TestKafka: refused, then franz-go's kfake cluster: ready once its
// metadata lists a broker.
func TestKafka(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	p := start(t, "kafka://"+addr, "--timeout", "3m")
	p.await(t, "kafka://"+addr, "connection refused")
	protoserver(t, "kafka", portOf(t, addr))
	p.expect(t, 0)
}

// TestGRPC: refused, then grpc-go's health server: NOT_SERVING is not yet,
// SERVING ready, for the server and for a service; a service the health
// server does not know is not yet (NOT_FOUND); a server without the health
// service fails (exit 1). grpcs:// with the server's CA is ready; with
// another CA not yet, to the end (exit 124).
func TestGRPC(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	p := start(t, "grpc://"+addr, "--timeout", "3m")
	p.await(t, "grpc://"+addr, "connection refused")
	svc := start(t, "grpc", addr+"/kwait.Test", "--timeout", "3m")
	srv, in := protoserver(t, "grpc", portOf(t, addr))
	p.await(t, "NOT_SERVING")
	svc.await(t, "NOT_SERVING")
	unknown := start(t, "grpc://"+addr+"/other.Service", "--timeout", "3m")
	unknown.await(t, "NOT_FOUND: unknown service")
	if _, err := io.WriteString(in, "SERVING\n"); err != nil {
		t.Fatal(err)
	}
	p.expect(t, 0)
	svc.expect(t, 0)
	_ = srv

	bare := closedPort(t)
	protoserver(t, "grpc-bare", portOf(t, bare))
	out := start(t, "grpc://"+bare, "--timeout", "3m").expect(t, 1)
	mustContain(t, out, "the server has no grpc.health.v1.Health service (UNIMPLEMENTED)")

	pki := newTLSFiles(t, t.TempDir(), nil)
	other := newTLSFiles(t, t.TempDir(), nil)
	secure := closedPort(t)
	_, in = protoserver(t, "grpc", portOf(t, secure), pki.cert, pki.key)
	if _, err := io.WriteString(in, "SERVING\n"); err != nil {
		t.Fatal(err)
	}
	start(t, "grpcs://"+secure, "--ca-file", pki.ca, "--timeout", "3m").expect(t, 0)
	untrusted(t, "grpcs://"+secure, "--ca-file", other.ca)
}

// TestMongoDB: refused, then FerretDB (the MongoDB protocol over SQLite):
// a writable primary, ready; readPreference=secondary and a replicaSet it
// is not a member of are not yet, saying why. mongodb://...?tls=true with
// the server's CA is ready; with another CA not yet, to the end (exit 124).
func TestMongoDB(t *testing.T) {
	t.Parallel()
	addr, tlsAddr := closedPort(t), closedPort(t)
	p := start(t, "mongodb://"+addr, "--timeout", "3m")
	p.await(t, "mongodb://"+addr, "connection refused")
	dir := t.TempDir()
	pki := newTLSFiles(t, dir, nil)
	other := newTLSFiles(t, t.TempDir(), nil)
	protoserver(t, "mongodb", portOf(t, addr), dir, portOf(t, tlsAddr), pki.cert, pki.key)
	p.expect(t, 0)
	start(t, "mongodb://"+addr+"/?readPreference=secondary", "--timeout", "3m").
		await(t, "a primary, and readPreference=secondary asks for a secondary")
	start(t, "mongodb://"+addr+"/?replicaSet=rs0", "--timeout", "3m").await(t, `not a member of replica set \"rs0\"`)
	start(t, "mongodb://"+tlsAddr+"/?tls=true", "--ca-file", pki.ca, "--timeout", "3m").expect(t, 0)
	untrusted(t, "mongodb://"+tlsAddr+"/?tls=true", "--ca-file", other.ca)
}
