//go:build e2e

package e2e

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The database and queue servers of the protocol tests, started by the
// tests on 127.0.0.1 with data under a temporary directory; hack/servers.sh
// (run by make e2e) installs their Debian packages.

// server is a server process the test started; it is stopped at the end of
// the test if still running.
type server struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (s *server) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(b)
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// startServer runs name with args as cred (nil: this user).
func startServer(t *testing.T, cred *syscall.Credential, environ []string, name string, args ...string) *server {
	t.Helper()
	s := &server{cmd: exec.Command(name, args...), done: make(chan struct{})}
	s.cmd.Stdout, s.cmd.Stderr = s, s
	s.cmd.Env = environ
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	})
	return s
}

// stop sends sig and waits for the server to end.
func (s *server) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s did not stop; output:\n%s", s.cmd.Path, s.output())
	}
}

// run runs a command to its end as cred and fails the test on error.
func run(t *testing.T, cred *syscall.Credential, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// serverDir is a fresh directory that cred's user may write in.
func serverDir(t *testing.T, cred *syscall.Credential) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "kwait-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// as returns the credential of the named user when running as root (the
// servers refuse to run as root), nil otherwise.
func as(t *testing.T, name string) *syscall.Credential {
	t.Helper()
	if os.Getuid() != 0 {
		return nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatalf("user %s: %v (hack/servers.sh installs the servers and their users)", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// program finds a server's program among paths (globs; the last match
// wins, the newest version for versioned directories).
func program(t *testing.T, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if matches, _ := filepath.Glob(p); len(matches) > 0 {
			slices.Sort(matches)
			return matches[len(matches)-1]
		}
	}
	t.Fatalf("none of %v found: run hack/servers.sh", paths)
	return ""
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// awaitListening blocks until addr accepts connections or the server ends.
func awaitListening(t *testing.T, s *server, addr string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case <-s.done:
			t.Fatalf("%s ended; output:\n%s", s.cmd.Path, s.output())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not listen on %s; output:\n%s", s.cmd.Path, addr, s.output())
		}
	}
}
