package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/kwait-dev/kwait/pkg/target"
)

// board keeps the latest word on every target of a run.
type board struct {
	log   *zap.Logger
	start time.Time
	watch Watcher // nil for none

	mu      sync.Mutex
	entries []entry
	failed  *Failed // the first failure for good, if any
}

type entry struct {
	name   string
	reason string
	done   bool
}

// waitingReason is what a target that has not said anything yet is doing.
const waitingReason = "not checked yet"

func newBoard(targets []target.Target, log *zap.Logger, start time.Time, watch Watcher) *board {
	b := &board{log: log, start: start, watch: watch, entries: make([]entry, len(targets))}
	for i, t := range targets {
		b.entries[i] = entry{name: t.Name(), reason: waitingReason}
	}
	return b
}

// report records a target's latest reason and logs it when it changed.
func (b *board) report(i int, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := &b.entries[i]
	if e.done || e.reason == reason {
		return
	}
	e.reason = reason
	b.log.Info("waiting", zap.String("target", e.name), zap.String("reason", reason))
	if b.watch != nil {
		b.watch.Waiting(e.name, reason)
	}
}

// finish records how a target's Wait returned and reports whether the run
// must stop because the target failed for good. An error after the run's
// context ended is just the cancellation reaching the target.
func (b *board) finish(i int, err error, canceled bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := &b.entries[i]
	switch {
	case err == nil:
		e.done = true
		b.log.Info("ready", zap.String("target", e.name), zap.Duration("after", time.Since(b.start).Round(time.Millisecond)))
		if b.watch != nil {
			b.watch.Ready(e.name)
		}
		return false
	case canceled && !target.IsFailed(err):
		return false
	}
	// Any other error is final for this target: failed for good, or an
	// internal error it could not recover from.
	e.done = true
	if b.failed == nil {
		// Not logged here: the run ends with it, and the final message
		// says it once.
		b.failed = &Failed{Name: e.name, Err: err}
	}
	return true
}

// summary logs every target still pending with its last reason, as a list
// of "NAME: REASON" (names are the user's input: not fit for field names).
func (b *board) summary() {
	pending := b.pending()
	if len(pending) == 0 {
		return
	}
	lines := make([]string, len(pending))
	for i, p := range pending {
		lines[i] = p.Name + ": " + p.Reason
	}
	b.log.Info("still waiting", zap.Duration("elapsed", time.Since(b.start).Round(time.Second)), zap.Strings("pending", lines))
}

func (b *board) pending() []Pending {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Pending
	for _, e := range b.entries {
		if !e.done {
			out = append(out, Pending{Name: e.name, Reason: e.reason})
		}
	}
	return out
}

// outcome turns the finished board into Run's result.
func (b *board) outcome(ctx context.Context) error {
	pending := b.pending()
	b.mu.Lock()
	failed := b.failed
	b.mu.Unlock()
	elapsed := time.Since(b.start)
	switch {
	case failed != nil:
		return &Error{Err: failed, Failed: failed, Pending: pending, Elapsed: elapsed}
	case len(pending) == 0:
		return nil
	}
	cause := context.Cause(ctx)
	if errors.Is(cause, context.DeadlineExceeded) {
		cause = ErrTimeout
	}
	if cause == nil {
		cause = fmt.Errorf("targets returned without being ready")
	}
	return &Error{Err: cause, Pending: pending, Elapsed: elapsed}
}
