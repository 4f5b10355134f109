package runner

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kwait-dev/kwait/pkg/target"
)

// ErrTimeout is the cause of a run that reached its deadline.
var ErrTimeout = errors.New("timed out")

// Pending is a target that was not ready when a run ended, with the last
// reason it gave.
type Pending struct {
	Name   string
	Reason string
}

// Failed is the target that ended a run: it failed for good, or its own
// deadline passed (a *target.DeadlineError).
type Failed struct {
	Name string
	Err  error
}

func (f *Failed) Error() string { return f.Name + ": " + f.Err.Error() }
func (f *Failed) Unwrap() error { return f.Err }

// Error is how a run that did not end with every target ready ended: the
// cause (a *Failed, ErrTimeout, or the cause of the caller's context such
// as a signal) and every target still pending.
type Error struct {
	Err     error
	Failed  *Failed
	Pending []Pending
	Elapsed time.Duration
}

func (e *Error) Unwrap() error { return e.Err }

// Error is the final message: the cause on the first line and one line per
// target still pending, so it reads well in a log and in a pod's
// termination message. A misconfigured run (a *target.ConfigError) is the
// one line saying what is wrong, the same for every target.
func (e *Error) Error() string {
	var conf *target.ConfigError
	if errors.As(e.Err, &conf) {
		return conf.Error()
	}
	var b strings.Builder
	switch {
	case e.Failed != nil && target.IsDeadline(e.Failed.Err):
		fmt.Fprintf(&b, "timed out: %s", e.Failed)
	case e.Failed != nil:
		fmt.Fprintf(&b, "failed: %s", e.Failed)
	case errors.Is(e.Err, ErrTimeout):
		fmt.Fprintf(&b, "timed out after %s", e.Elapsed.Round(time.Millisecond))
	default:
		fmt.Fprintf(&b, "stopped after %s: %v", e.Elapsed.Round(time.Millisecond), e.Err)
	}
	if len(e.Pending) > 0 {
		fmt.Fprintf(&b, "; not ready:")
		for _, p := range e.Pending {
			fmt.Fprintf(&b, "\n  %s: %s", p.Name, p.Reason)
		}
	}
	return b.String()
}
