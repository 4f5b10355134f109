package target_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kwait-dev/kwait/pkg/target"
)

// blocked reports a reason and waits until its context ends, or returns
// the error it is given at once.
type blocked struct{ err error }

func (blocked) Name() string { return "blocked" }

func (b blocked) Wait(ctx context.Context, report target.Report) error {
	if b.err != nil {
		return b.err
	}
	report("still closed")
	<-ctx.Done()
	return ctx.Err()
}

// TestWithDeadline: a target's own deadline ends its wait with a
// DeadlineError carrying its last reason; the run's end, a failure for good
// and readiness pass through unchanged.
func TestWithDeadline(t *testing.T) {
	t.Parallel()
	err := target.WithDeadline(blocked{}, 10*time.Millisecond).Wait(t.Context(), func(string) {})
	var d *target.DeadlineError
	if !errors.As(err, &d) || d.Reason != "still closed" || d.After != 10*time.Millisecond {
		t.Fatalf("Wait = %v, want a DeadlineError after 10ms with the last reason", err)
	}
	if target.IsFailed(err) {
		t.Errorf("a deadline is not a failure for good: %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := target.WithDeadline(blocked{}, time.Hour).Wait(ctx, func(string) {}); target.IsDeadline(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("Wait after the run ended = %v, want context.Canceled", err)
	}
	failed := target.Failed("job failed").Err()
	if err := target.WithDeadline(blocked{err: failed}, time.Hour).Wait(t.Context(), func(string) {}); !target.IsFailed(err) {
		t.Errorf("Wait = %v, want the failure for good", err)
	}
}
