package network

import (
	"context"
	"fmt"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kwait-dev/kwait/pkg/target"
)

// jitter is the largest fraction of a pause added at random, so that many
// init containers started together do not knock in lockstep.
const jitter = 0.1

// noAnswer is reported when the context ends before the first attempt has
// said anything, so that a timeout can still name a reason.
const noAnswer = "no answer yet"

// Poll says how a network target retries. A zero field takes its value from
// DefaultPoll.
type Poll struct {
	// AttemptTimeout bounds one attempt: a dial, a request including its
	// body, a lookup. An attempt never outlives the context of Wait.
	AttemptTimeout time.Duration
	// Interval is the pause after the first attempt that was not ready.
	// Each later pause doubles, up to MaxInterval, and gets up to 10%
	// random jitter on top.
	Interval time.Duration
	// MaxInterval caps the pause between attempts (before jitter).
	MaxInterval time.Duration
	// Gone turns the wait around: the target is ready once an attempt
	// finds it not ready (refused, no answer, not resolving, another HTTP
	// status, a server saying "not now"), and "still answering" while an
	// attempt finds it ready or failed for good. An attempt cut short by
	// the end of the wait proves nothing and does not count.
	Gone bool
}

// DefaultPoll returns the settings kwait uses unless told otherwise: 5s per
// attempt, pauses from 50ms doubling up to 250ms, so a port that opens is
// noticed within about a quarter second at four attempts a second.
func DefaultPoll() Poll {
	return Poll{
		AttemptTimeout: 5 * time.Second,
		Interval:       50 * time.Millisecond,
		MaxInterval:    250 * time.Millisecond,
	}
}

// normalize fills zero fields from DefaultPoll, rejects negative ones, and
// lowers Interval to MaxInterval when it starts above the cap.
func (p Poll) normalize() (Poll, error) {
	def := DefaultPoll()
	for _, f := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"attempt timeout", &p.AttemptTimeout, def.AttemptTimeout},
		{"interval", &p.Interval, def.Interval},
		{"max interval", &p.MaxInterval, def.MaxInterval},
	} {
		switch {
		case *f.v < 0:
			return Poll{}, fmt.Errorf("invalid poll settings: negative %s %s", f.name, *f.v)
		case *f.v == 0:
			*f.v = f.def
		}
	}
	p.Interval = min(p.Interval, p.MaxInterval)
	return p, nil
}

// poll calls check until it says ready (poll returns nil), failed for good
// (poll returns the target.FailedError), or ctx is done (poll returns
// ctx.Err()).
//
// Decision rules:
//   - each attempt gets a context derived from ctx with p.AttemptTimeout, so
//     it ends at whichever comes first;
//   - a reason is reported when it differs from the last one reported;
//   - pauses wait on a timer and on ctx together, so poll never sleeps past
//     ctx;
//   - an attempt that ends once ctx is done or its deadline has passed was
//     (or may have been) cut short by ctx and says nothing about the
//     target, so its reason is dropped, unless nothing was reported yet:
//     then "no answer yet" is reported. The deadline is checked as well as
//     ctx.Err because the two disagree for a moment: a dial or request cut
//     by the deadline can return its timeout error ("timed out after 5s",
//     naming the attempt timeout) before the context's own timer has fired.
func poll(ctx context.Context, p Poll, report target.Report, check func(context.Context) target.Status) error {
	delay := wait.Backoff{
		Duration: p.Interval,
		Factor:   2,
		Jitter:   jitter,
		Steps:    math.MaxInt,
		Cap:      p.MaxInterval,
	}.DelayFunc()

	if report == nil {
		report = func(string) {}
	}
	var (
		last     string
		reported bool
		timer    *time.Timer
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, p.AttemptTimeout)
		st := check(attemptCtx)
		cancel()
		if p.Gone {
			st = invert(ctx, st)
		}
		switch st.Phase {
		case target.PhaseReady:
			return nil
		case target.PhaseFailed:
			return st.Err()
		}
		if ended(ctx) {
			if !reported {
				report(noAnswer)
			}
			// Past the deadline, Done closes at once or within moments.
			<-ctx.Done()
			return ctx.Err()
		}
		if !reported || st.Reason != last {
			report(st.Reason)
			last, reported = st.Reason, true
		}

		d := delay()
		if timer == nil {
			timer = time.NewTimer(d)
		} else {
			timer.Reset(d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// ended reports whether ctx is done or its deadline has passed.
func ended(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline)
}

// stillAnswering is the reason a Gone target is not ready yet.
const stillAnswering = "still answering"

// invert is the status of a Gone target after an attempt that found st.
func invert(ctx context.Context, st target.Status) target.Status {
	switch {
	case st.Phase != target.PhasePending:
		return target.Pending(stillAnswering)
	case ended(ctx):
		return st
	}
	return target.Ready()
}
