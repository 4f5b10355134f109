// Package runner waits for many targets at once under the single deadline
// the caller's context carries. It remembers why each target is still
// pending, logs what changes, stops everything at the first failure for good,
// and when the run ends early names every target that was not ready.
package runner

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/kwait-dev/kwait/pkg/target"
)

// Options tune how a run reports progress.
type Options struct {
	// Log receives transitions and the periodic summary. Required.
	Log *zap.Logger
	// SummaryEvery is how often a "still waiting" line names what is
	// pending; zero turns the summary off.
	SummaryEvery time.Duration
	// Start is when the run's deadline was set, which elapsed times count
	// from; zero means when Run starts.
	Start time.Time
	// Watch, if set, hears the transitions the log shows, as they happen
	// (an Event recorder). It is called with the run's bookkeeping locked:
	// it must return at once.
	Watch Watcher
}

// Watcher hears a run's transitions: a target's reason changed, a target
// is ready.
type Watcher interface {
	Waiting(name, reason string)
	Ready(name string)
}

// Run waits for every target concurrently until all are ready, one fails for
// good, or ctx ends. It returns nil when all are ready and an *Error
// otherwise. Targets must return from Wait promptly once their context ends.
func Run(ctx context.Context, targets []target.Target, o Options) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	start := o.Start
	if start.IsZero() {
		start = time.Now()
	}
	b := newBoard(targets, o.Log, start, o.Watch)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			err := t.Wait(ctx, func(reason string) { b.report(i, reason) })
			if b.finish(i, err, ctx.Err() != nil) {
				cancel(errFailedTarget)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	var tick <-chan time.Time
	if o.SummaryEvery > 0 {
		t := time.NewTicker(o.SummaryEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-done:
			return b.outcome(ctx)
		case <-ctx.Done():
			// A target stuck in a call that ignores its context (an exec
			// credential plugin that hangs) must not hold the run past
			// its deadline or a signal: it is left behind, pending.
			select {
			case <-done:
			case <-time.After(stragglerGrace):
			}
			return b.outcome(ctx)
		case <-tick:
			b.summary()
		}
	}
}

// stragglerGrace is how long a run that ended waits for its targets to
// return before it reports them as they stand.
const stragglerGrace = 100 * time.Millisecond

// errFailedTarget is the cancel cause Run uses when a target failed.
var errFailedTarget = errors.New("a target failed")
