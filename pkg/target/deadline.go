package target

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DeadlineError says a target was not ready within its own deadline. It
// ends the run like a failure for good, and exits like a timeout (124).
type DeadlineError struct {
	// After is the target's deadline.
	After time.Duration
	// Reason is the last reason the target gave.
	Reason string
}

func (e *DeadlineError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("not ready within its %s", e.After)
	}
	return fmt.Sprintf("not ready within its %s: %s", e.After, e.Reason)
}

// IsDeadline reports whether err says a target's own deadline passed.
func IsDeadline(err error) bool {
	var d *DeadlineError
	return errors.As(err, &d)
}

// WithDeadline bounds how long t may wait, inside the run's deadline: when
// d passes first, Wait returns a *DeadlineError with t's last reason.
func WithDeadline(t Target, d time.Duration) Target {
	return deadlined{Target: t, after: d}
}

type deadlined struct {
	Target
	after time.Duration
}

// errOwnDeadline is the cause of the context a deadlined target waits in.
var errOwnDeadline = errors.New("target deadline")

func (t deadlined) Wait(ctx context.Context, report Report) error {
	own, cancel := context.WithTimeoutCause(ctx, t.after, errOwnDeadline)
	defer cancel()
	var mu sync.Mutex
	last := ""
	err := t.Target.Wait(own, func(reason string) {
		mu.Lock()
		last = reason
		mu.Unlock()
		report(reason)
	})
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(own), errOwnDeadline) && !IsFailed(err) && !IsConfig(err) {
		mu.Lock()
		defer mu.Unlock()
		return &DeadlineError{After: t.after, Reason: last}
	}
	return err
}
