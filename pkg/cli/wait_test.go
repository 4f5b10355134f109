package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kwait-dev/kwait/pkg/cli"
)

// readFile returns the content of path, failing the test if it is missing.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("termination log: %v", err)
	}
	return string(b)
}

// TestTimeout: at the deadline kwait exits 124, and the final message, on
// stderr and in the termination log, names every target still pending
// with its last reason, and only those.
func TestTimeout(t *testing.T) {
	t.Parallel()
	closed := closedPort(t)
	ready := listener(t)
	pending := "tcp://" + closed + ": connection refused"
	tests := []struct {
		name string
		args []string
	}{
		{"command", []string{"tcp", closed, "--timeout", "1s"}},
		{"root with a ready target", []string{"tcp://" + ready, "tcp://" + closed, "--timeout", "1s", "--log-format", "console"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			termLog := filepath.Join(t.TempDir(), "termination-log")
			r := run(t, append(tt.args, "--termination-log", termLog)...)
			if r.code != cli.ExitTimeout {
				t.Fatalf("exit code %d, want %d; stderr: %s", r.code, cli.ExitTimeout, r.err)
			}
			if !strings.Contains(r.err, "timed out") || !strings.Contains(r.err, pending) {
				t.Errorf("stderr does not say it timed out waiting for %q:\n%s", pending, r.err)
			}
			msg := readFile(t, termLog)
			if !strings.HasPrefix(msg, "timed out after ") || !strings.Contains(msg, "not ready:\n  "+pending+"\n") {
				t.Errorf("termination log %q does not name %q", msg, pending)
			}
			if strings.Contains(msg, ready) {
				t.Errorf("termination log %q names the target that was ready", msg)
			}
		})
	}
}

// TestTerminationLogFromEnv: KWAIT_TERMINATION_LOG is the flag's variable.
func TestTerminationLogFromEnv(t *testing.T) {
	termLog := filepath.Join(t.TempDir(), "termination-log")
	t.Setenv("KWAIT_TERMINATION_LOG", termLog)
	closed := closedPort(t)
	r := run(t, "tcp", closed, "--timeout", "100ms")
	if r.code != cli.ExitTimeout {
		t.Fatalf("exit code %d, want %d; stderr: %s", r.code, cli.ExitTimeout, r.err)
	}
	if msg := readFile(t, termLog); !strings.Contains(msg, "tcp://"+closed) {
		t.Errorf("termination log %q does not name tcp://%s", msg, closed)
	}
}

// TestTerminationLogOnBadInput: the termination log the user named, by flag
// or variable, receives the message of bad input too, whichever flag was
// bad.
func TestTerminationLogOnBadInput(t *testing.T) {
	dir := t.TempDir()
	flagLog, envLog := filepath.Join(dir, "flag"), filepath.Join(dir, "env")
	checkUsage(t, run(t, "--log-level", "loud", "tcp://db:1", "--termination-log", flagLog), "--log-level")
	if msg := readFile(t, flagLog); !strings.Contains(msg, "--log-level") {
		t.Errorf("termination log %q does not name the bad flag", msg)
	}
	t.Setenv("KWAIT_TERMINATION_LOG", envLog)
	checkUsage(t, run(t, "--bogus"), "-bogus")
	if msg := readFile(t, envLog); !strings.Contains(msg, "bogus") {
		t.Errorf("termination log %q does not name the unknown flag", msg)
	}
}

// TestSignal: when the context Main runs under ends with a *SignalError
// cause, as main does on SIGTERM or SIGINT, kwait stops at once and exits
// 128+signal, naming what was still pending.
func TestSignal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sig  syscall.Signal
		code int
	}{
		{syscall.SIGTERM, 143},
		{syscall.SIGINT, 130},
	}
	for _, tt := range tests {
		t.Run(tt.sig.String(), func(t *testing.T) {
			t.Parallel()
			closed := closedPort(t)
			termLog := filepath.Join(t.TempDir(), "termination-log")
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)

			var out bytes.Buffer
			errOut := newSyncWriter("connection refused")
			done := make(chan int, 1)
			go func() {
				args := []string{"kwait", "tcp", closed, "--timeout", "1m", "--termination-log", termLog}
				done <- runMain(ctx, args, cli.Streams{Out: &out, Err: errOut})
			}()

			// Signal only once the target is known to be waiting.
			select {
			case <-errOut.seen:
			case code := <-done:
				t.Fatalf("kwait ended with %d before being signalled; stderr: %s", code, errOut)
			case <-time.After(safetyNet):
				t.Fatalf("target never reported connection refused; stderr: %s", errOut)
			}
			cancel(&cli.SignalError{Signal: tt.sig})

			select {
			case code := <-done:
				if code != tt.code {
					t.Errorf("exit code %d, want %d; stderr: %s", code, tt.code, errOut)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("kwait did not stop within 10s of %s; stderr: %s", tt.sig, errOut)
			}
			want := "received " + tt.sig.String()
			if msg := readFile(t, termLog); !strings.Contains(msg, want) || !strings.Contains(msg, "tcp://"+closed+": connection refused") {
				t.Errorf("termination log %q does not say %q and name the pending target", msg, want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q, want nothing", out.String())
			}
		})
	}
}

// TestSecretsNotLogged: header values and URL passwords appear nowhere:
// not in debug logs, the final message, the termination log, nor errors.
func TestSecretsNotLogged(t *testing.T) {
	t.Parallel()
	const token = "s3cr3t-token"

	// unauthorized answers 401 to the first request and then lets the
	// others time out; it records whether the token reached it.
	unauthorized := func(t *testing.T) (string, *atomic.Bool) {
		var requests atomic.Int32
		var sawToken atomic.Bool
		stop := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.Header.Get("Authorization"), token) {
				sawToken.Store(true)
			}
			if u, p, ok := r.BasicAuth(); ok && u == "user" && p == token {
				sawToken.Store(true)
			}
			if requests.Add(1) == 1 {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		}))
		t.Cleanup(func() { close(stop); srv.Close() })
		return srv.URL, &sawToken
	}

	check := func(t *testing.T, r result, termLog string) {
		t.Helper()
		for what, text := range map[string]string{"stdout": r.out, "stderr": r.err, "termination log": termLog} {
			if strings.Contains(text, token) {
				t.Errorf("%s shows the secret:\n%s", what, text)
			}
		}
	}

	for _, format := range []string{"json", "console"} {
		t.Run("header "+format, func(t *testing.T) {
			t.Parallel()
			url, sawToken := unauthorized(t)
			termLog := filepath.Join(t.TempDir(), "termination-log")
			r := run(t, "http", url+"/private", "--header", "Authorization: Bearer "+token,
				"--log-level", "debug", "--log-format", format, "--timeout", "1s", "--attempt-timeout", "200ms",
				"--max-interval", "100ms", "--termination-log", termLog)
			if r.code != cli.ExitTimeout {
				t.Fatalf("exit code %d, want %d; stderr: %s", r.code, cli.ExitTimeout, r.err)
			}
			if !sawToken.Load() {
				t.Error("the server never got the Authorization header")
			}
			if !strings.Contains(r.err, "HTTP 401") {
				t.Errorf("stderr does not report the 401:\n%s", r.err)
			}
			check(t, r, readFile(t, termLog))
		})
	}

	t.Run("url password", func(t *testing.T) {
		t.Parallel()
		url, sawToken := unauthorized(t)
		termLog := filepath.Join(t.TempDir(), "termination-log")
		withPassword := strings.Replace(url, "http://", "http://user:"+token+"@", 1)
		r := run(t, withPassword+"/private", "--log-level", "debug", "--timeout", "1s",
			"--attempt-timeout", "200ms", "--termination-log", termLog)
		if r.code != cli.ExitTimeout {
			t.Fatalf("exit code %d, want %d; stderr: %s", r.code, cli.ExitTimeout, r.err)
		}
		if !sawToken.Load() {
			t.Error("the server never got the password")
		}
		check(t, r, readFile(t, termLog))
	})

	for _, header := range []string{
		"Authorization " + token,
		"Authorization=" + token,
		"Bad Name: " + token,
		"Authorization: Bearer " + token + "\x01",
		"Authorization: Bearer " + token + "\x7f",
	} {
		t.Run("bad header", func(t *testing.T) {
			t.Parallel()
			r := run(t, "http", "http://127.0.0.1:1/", "--header", header)
			checkUsage(t, r, "--header")
			check(t, r, "")
		})
	}
}

// syncWriter is an io.Writer the test can read while kwait writes, and
// that closes seen once what was written contains needle.
type syncWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	needle string
	seen   chan struct{}
	closed bool
}

func newSyncWriter(needle string) *syncWriter {
	return &syncWriter{needle: needle, seen: make(chan struct{})}
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if !w.closed && strings.Contains(w.buf.String(), w.needle) {
		close(w.seen)
		w.closed = true
	}
	return n, err
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
