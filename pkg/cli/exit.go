package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/kwait-dev/kwait/pkg/runner"
	"github.com/kwait-dev/kwait/pkg/target"
)

// Exit codes, a public contract documented in --help and the README.
const (
	ExitReady   = 0
	ExitFailed  = 1
	ExitUsage   = 2
	ExitTimeout = 124
)

// usageError is bad usage or input: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// SignalError is the cause of a run stopped by a signal: exit 128+signal.
type SignalError struct{ Signal os.Signal }

func (e *SignalError) Error() string { return "received " + e.Signal.String() }

// reported wraps an error the action has already logged.
type reported struct{ err error }

func (e reported) Error() string { return e.err.Error() }
func (e reported) Unwrap() error { return e.err }

func isReported(err error) bool {
	var r reported
	return errors.As(err, &r)
}

// ExitCode maps the outcome of a run to kwait's exit code.
func ExitCode(err error) int {
	var usage usageError
	var sig *SignalError
	var cannotRun cannotRunError
	switch {
	case err == nil:
		return ExitReady
	case errors.As(err, &usage), target.IsConfig(err):
		return ExitUsage
	case errors.As(err, &cannotRun):
		return ExitCannotRun
	case errors.As(err, &sig):
		if n, ok := sig.Signal.(syscall.Signal); ok {
			return 128 + int(n)
		}
		return ExitFailed
	case target.IsDeadline(err):
		return ExitTimeout
	case target.IsFailed(err):
		return ExitFailed
	case errors.Is(err, runner.ErrTimeout):
		return ExitTimeout
	}
	return ExitFailed
}

// maxEcho bounds how much of one argument, or of a part of one, the line
// of a bad-input error repeats, as README says.
const maxEcho = 256

// clipWords cuts every word of msg (a run without spaces: an argument, a
// flag value, a part of either, quoted or not) longer than maxEcho bytes
// and a little room for quotes and punctuation to maxEcho bytes and "...".
// Whatever echoed the argument, the line stays short; an argument already
// cut where it was quoted (package spec) is left as it is.
func clipWords(msg string) string {
	const room = 8
	words := strings.Split(msg, " ")
	for i, w := range words {
		if len(w) > maxEcho+room {
			words[i] = target.Cut(w, maxEcho) + "..."
		}
	}
	return strings.Join(words, " ")
}
