package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kwait-dev/kwait/pkg/cli"
)

// execRecorder stands in for syscall.Exec: it records what kwait would
// have become and fails, as an exec that returns does.
type execRecorder struct {
	calls [][]string
}

var errFakeExec = errors.New("fake exec")

func (r *execRecorder) exec(path string, argv, _ []string) error {
	r.calls = append(r.calls, append([]string{path}, argv...))
	return errFakeExec
}

// runExec runs kwait in-process with a recording Exec.
func runExec(t *testing.T, args ...string) (result, *execRecorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), safetyNet)
	defer cancel()
	rec := &execRecorder{}
	var out, errOut bytes.Buffer
	code := runMain(ctx, append([]string{"kwait"}, args...), cli.Streams{Out: &out, Err: &errOut, Exec: rec.exec})
	return result{code: code, out: out.String(), err: errOut.String()}, rec
}

// TestCommandRunsWhenReady: once every target is ready kwait execs the
// command after "--", found in PATH, with its arguments as given (a second
// "--" and flags included); an exec that fails is exit 126.
func TestCommandRunsWhenReady(t *testing.T) {
	t.Parallel()
	ready := listener(t)
	for _, args := range [][]string{
		{"tcp://" + ready, "--timeout", "30s", "--", "true", "--quiet", "--", "x"},
		{"tcp", ready, "--", "true", "--quiet", "--", "x"},
	} {
		r, rec := runExec(t, args...)
		if r.code != cli.ExitCannotRun {
			t.Fatalf("%q: exit code %d, want %d; stderr: %s", args, r.code, cli.ExitCannotRun, r.err)
		}
		if len(rec.calls) != 1 {
			t.Fatalf("%q: exec called %d times, want once", args, len(rec.calls))
		}
		call := rec.calls[0]
		if filepath.Base(call[0]) != "true" || !filepath.IsAbs(call[0]) {
			t.Errorf("%q: exec path %q, want true's absolute path", args, call[0])
		}
		if want := []string{"true", "--quiet", "--", "x"}; !slices.Equal(call[1:], want) {
			t.Errorf("%q: argv %q, want %q", args, call[1:], want)
		}
		if !strings.Contains(r.err, errFakeExec.Error()) {
			t.Errorf("%q: stderr does not say why the command did not start:\n%s", args, r.err)
		}
	}
}

// TestCommandNotRun: the command never runs when a target is not ready, and
// a command that cannot be found or a "--" without one is bad input, found
// before any wait.
func TestCommandNotRun(t *testing.T) {
	t.Parallel()
	closed := closedPort(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"timeout", []string{"tcp://" + closed, "--timeout", "200ms", "--", "true"}, cli.ExitTimeout, "timed out"},
		{"own deadline", []string{"tcp://" + closed + "#timeout=200ms", "--", "true"}, cli.ExitTimeout, "not ready within its 200ms"},
		{"no such command", []string{"tcp://" + closed, "--", "kwait-no-such-command"}, cli.ExitUsage, `command after "--"`},
		{"nothing after --", []string{"tcp://" + closed, "--"}, cli.ExitUsage, `"--" must be followed by a command`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, rec := runExec(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit code %d, want %d; stderr: %s", r.code, tt.code, r.err)
			}
			if len(rec.calls) != 0 {
				t.Errorf("exec called with %q", rec.calls)
			}
			if !strings.Contains(r.err, tt.want) {
				t.Errorf("stderr does not name %q:\n%s", tt.want, r.err)
			}
		})
	}
}

// TestOwnDeadline: a target's own #timeout ends the run with exit 124 long
// before --timeout, naming that target and its last reason, and the other
// targets as pending.
func TestOwnDeadline(t *testing.T) {
	t.Parallel()
	closed, other := closedPort(t), closedPort(t)
	start := time.Now()
	r := run(t, "tcp://"+closed+"#timeout=300ms", "tcp://"+other, "--timeout", "10m")
	if r.code != cli.ExitTimeout {
		t.Fatalf("exit code %d, want %d; stderr: %s", r.code, cli.ExitTimeout, r.err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Minute {
		t.Errorf("ran %s: the target's own deadline did not end the run", elapsed)
	}
	for _, want := range []string{
		"target timed out", "tcp://" + closed, "not ready within its 300ms: connection refused", "tcp://" + other + ": connection refused",
	} {
		if !strings.Contains(r.err, want) {
			t.Errorf("stderr does not name %q:\n%s", want, r.err)
		}
	}
}

// TestNoDeadline: --timeout 0 waits with no deadline: a port that opens
// after the wait began is still noticed, and kwait exits 0.
func TestNoDeadline(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), safetyNet)
		defer cancel()
		code := runMain(ctx, []string{"kwait", "tcp://" + addr, "--timeout", "0", "--log-format", "json"},
			cli.Streams{Out: io.Discard, Err: pw})
		_ = pw.Close()
		done <- code
	}()
	lines := bufio.NewScanner(pr)
	for lines.Scan() && !strings.Contains(lines.Text(), "connection refused") {
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("opening %s: %v", addr, err)
	}
	defer func() { _ = l.Close() }()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if code := <-done; code != cli.ExitReady {
		t.Fatalf("exit code %d, want 0", code)
	}
}
