package kube

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// retry spaces attempts: from first, doubling up to limit, with a little
// jitter. After API errors kwait uses 250ms up to 2s, so an apiserver
// outage costs each waiter one request every two seconds and recovery is
// noticed within about that.
type retry struct {
	first, limit time.Duration
	b            wait.Backoff
}

func newRetry(first, limit time.Duration) *retry {
	r := &retry{first: first, limit: limit}
	r.reset()
	return r
}

func (r *retry) reset() {
	r.b = wait.Backoff{Duration: r.first, Factor: 2, Jitter: 0.1, Steps: 1 << 30, Cap: r.limit}
}

func (r *retry) wait(ctx context.Context) error { return Sleep(ctx, r.b.Step()) }

// Sleep waits for d or until ctx ends, whichever comes first; a d that is
// not positive returns at once. It is exported for the benchmarks
// (bench/), which pace their waiters by it.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
