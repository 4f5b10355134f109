package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/kwait-dev/kwait/pkg/cli"
	"github.com/kwait-dev/kwait/pkg/runner"
	"github.com/kwait-dev/kwait/pkg/target"
)

// fakeSignal is an os.Signal that is not a syscall.Signal.
type fakeSignal struct{}

func (fakeSignal) String() string { return "fake" }
func (fakeSignal) Signal()        {}

func TestExitCode(t *testing.T) {
	t.Parallel()
	term := &cli.SignalError{Signal: syscall.SIGTERM}
	failure := &runner.Failed{Name: "job/migrate", Err: target.Failed("Failed: BackoffLimitExceeded").Err()}
	misconfigured := &runner.Failed{Name: "job/migrate", Err: &target.ConfigError{Reason: "apiserver rejects the credentials (401 Unauthorized)"}}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"ready", nil, cli.ExitReady},
		{"SIGTERM", term, 143},
		{"SIGINT", &cli.SignalError{Signal: syscall.SIGINT}, 130},
		{"SIGTERM wrapped", fmt.Errorf("wait: %w", term), 143},
		{"SIGTERM ending a run", &runner.Error{Err: term, Pending: []runner.Pending{{Name: "tcp://db:5432", Reason: "connection refused"}}}, 143},
		{"signal not from the OS", &cli.SignalError{Signal: fakeSignal{}}, cli.ExitFailed},
		{"timeout", runner.ErrTimeout, cli.ExitTimeout},
		{"timeout ending a run", &runner.Error{Err: runner.ErrTimeout}, cli.ExitTimeout},
		{"failed for good", target.Failed("ProgressDeadlineExceeded").Err(), cli.ExitFailed},
		{"failure ending a run", &runner.Error{Err: failure, Failed: failure}, cli.ExitFailed},
		{"misconfigured ending a run", &runner.Error{Err: misconfigured, Failed: misconfigured}, cli.ExitUsage},
		{"internal error", errors.New("boom"), cli.ExitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cli.ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestSignalErrorMessage(t *testing.T) {
	t.Parallel()
	if got, want := (&cli.SignalError{Signal: syscall.SIGTERM}).Error(), "received terminated"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestLongArgumentsClipped: whichever flag or argument a bad-input line
// echoes, no word of it is longer than 256 bytes and "...".
func TestLongArgumentsClipped(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 100_000)
	for _, args := range [][]string{
		{"kwait", "--log-level", long, "tcp://a:1"},
		{"kwait", "resource", "x/y", "--for", long},
		{"kwait", "http://" + long},
		{"kwait", "pods", "-l", "a=" + long},
		{"kwait", "http://a/", "--status", long},
	} {
		var errOut bytes.Buffer
		code := runMain(t.Context(), args, cli.Streams{Out: io.Discard, Err: &errOut})
		if code != cli.ExitUsage {
			t.Errorf("%.40q: exit %d, want %d", args, code, cli.ExitUsage)
		}
		for w := range strings.FieldsSeq(errOut.String()) {
			if len(w) > 256+8 {
				t.Errorf("%.40q: the error repeats %d bytes in one word: %.80s", args, len(w), errOut.String())
				break
			}
		}
	}
}
