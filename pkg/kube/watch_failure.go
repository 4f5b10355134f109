package kube

import (
	"context"
	"errors"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// Failure is what makes a target fail for good besides its own rule: the
// --fail-for rules, and how long one must hold before it counts.
type Failure struct {
	Rules []readiness.Rule
	// After is the grace: a rule must hold this long, without a break,
	// before the target fails. Zero fails at once.
	After time.Duration
}

// holds returns the failed reason when a rule holds for one of objs (for a
// target that selects one object by name, a missing object is checked
// too, which only delete holds for).
func (f Failure) holds(objs []*unstructured.Unstructured, byName bool) (string, bool) {
	if byName && len(objs) == 0 {
		objs = []*unstructured.Unstructured{nil}
	}
	for _, obj := range objs {
		for _, r := range f.Rules {
			detail, ok := r.Holds(obj)
			if !ok {
				continue
			}
			what := "--fail-for " + r.String() + " holds"
			if !byName && obj != nil {
				what = obj.GetName() + ": " + what
			}
			if detail != "" {
				what += ": " + detail
			}
			return what, true
		}
	}
	return "", false
}

// errGraceOver ends a list+watch when a failure held for its grace.
var errGraceOver = errors.New("failure grace over")

// untilFailure is until with the failure rules checked before judge: a rule
// that holds fails the wait at once, or, with a grace, once it has held for
// f.After without a break. While it holds within its grace the reason says
// so. Without rules it is until.
func untilFailure(ctx context.Context, s *streams, f Failure, ri dynamic.ResourceInterface, sel metav1.ListOptions, byName bool, judge readiness.Judge, report target.Report) error {
	if len(f.Rules) == 0 {
		return until(ctx, s, ri, sel, judge, report)
	}
	for {
		g := &grace{f: f, byName: byName}
		gctx, cancel := context.WithCancelCause(ctx)
		g.cancel = cancel
		err := until(gctx, s, ri, sel, g.judge(judge), report)
		held := g.reason
		g.stop()
		cancel(nil)
		if err == nil || ctx.Err() != nil || !errors.Is(context.Cause(gctx), errGraceOver) {
			return err
		}
		if held != "" {
			return target.Failed("%s (for %s)", held, f.After).Err()
		}
		// The rule stopped holding as the grace ran out: look again.
	}
}

// grace tracks one failure rule holding through its grace. Its judge runs
// on the list+watch goroutine; only the timer's callback runs elsewhere,
// and it only cancels.
type grace struct {
	f      Failure
	byName bool
	cancel context.CancelCauseFunc
	timer  *time.Timer
	// reason is the failure that holds now, empty when none does.
	reason string
}

func (g *grace) judge(inner readiness.Judge) readiness.Judge {
	return func(objs []*unstructured.Unstructured) target.Status {
		reason, ok := g.f.holds(objs, g.byName)
		if !ok {
			g.stop()
			return inner(objs)
		}
		if g.f.After <= 0 {
			return target.Failed("%s", reason)
		}
		g.reason = reason
		if g.timer == nil {
			g.timer = time.AfterFunc(g.f.After, func() { g.cancel(errGraceOver) })
		}
		return target.Pending("%s; fails if it still holds after %s", reason, g.f.After)
	}
}

func (g *grace) stop() {
	if g.timer != nil {
		g.timer.Stop()
		g.timer = nil
	}
	g.reason = ""
}

// WithFailure adds failure rules to a target of kind k built by Kind: they
// are checked on the objects of the kind's type the target names (the
// Service itself for a service target, the pods -l selects), with a watch
// of their own beside the kind's.
func (c *Client) WithFailure(t target.Target, k kind.Kind, ns, name string, f Failure) target.Target {
	if len(f.Rules) == 0 {
		return t
	}
	ns = c.namespaceOr(ns)
	w := &failWatch{inner: t, streams: c.streams, ri: c.resourceFor(k.Type, ns), sel: byName(name), byName: true, f: f}
	if k.Select == kind.BySelector {
		w.sel, w.byName = metav1.ListOptions{LabelSelector: name}, false
	}
	return w
}

// failWatch runs a target and a watch for its failure rules side by side;
// the first to end ends both.
type failWatch struct {
	inner   target.Target
	streams *streams
	ri      dynamic.ResourceInterface
	sel     metav1.ListOptions
	byName  bool
	f       Failure
}

func (w *failWatch) Name() string { return w.inner.Name() }

func (w *failWatch) Wait(ctx context.Context, report target.Report) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inner := make(chan error, 1)
	go func() { inner <- w.inner.Wait(ctx, report) }()
	// The failure watch never calls the objects ready: it ends only with
	// a failure, a misconfiguration, or ctx. Its "no failure" verdicts
	// are not news; its troubles and graces are.
	never := func([]*unstructured.Unstructured) target.Status { return target.Pending("") }
	quiet := func(reason string) {
		if reason != "" {
			report(reason)
		}
	}
	failed := make(chan error, 1)
	go func() { failed <- untilFailure(ctx, w.streams, w.f, w.ri, w.sel, w.byName, never, quiet) }()
	select {
	case err := <-inner:
		cancel()
		<-failed
		return err
	case err := <-failed:
		if ctx.Err() == nil {
			cancel()
			<-inner
			return err
		}
		return <-inner
	}
}
