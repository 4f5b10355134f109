package kube

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// until lists the objects sel names, judges them, and follows their changes
// with a watch until judge says ready (nil) or failed (a FailedError), or
// ctx ends.
//
// It is a hand-written list+watch rather than an informer or RetryWatcher
// because kwait must say why it is still waiting: informers and RetryWatcher
// log and swallow list and watch errors (Forbidden, connection refused),
// while here each becomes the reported reason. The rules:
//   - an already-ready object costs one LIST request;
//   - a watch that ends is resumed from the last resourceVersion seen;
//   - a watch that reports the version too old (410 Gone) leads to a fresh
//     LIST, so nothing that happened meanwhile is missed;
//   - every error is a reason to report and retry after a capped backoff,
//     never the end of the wait, unless it shows kwait is misconfigured (a
//     CA that does not verify the apiserver, credentials rejected for
//     good: see misconfig).
//
// Where the apiserver serves streaming lists, the LIST is a WATCH carrying
// the initial state instead (watch_stream.go), so a target costs one request; s
// remembers for the whole run when the server refuses them (nil: never
// stream).
func until(ctx context.Context, s *streams, ri dynamic.ResourceInterface, sel metav1.ListOptions, judge readiness.Judge, report target.Report) error {
	l := &loop{ri: ri, sel: sel, judge: judge, report: report, streams: s,
		retry: newRetry(250*time.Millisecond, 2*time.Second), denied: newRetry(time.Second, 15*time.Second)}
	for {
		var done bool
		var err error
		switch {
		case l.rv == "" && l.streams.on() && !l.listNext:
			done, err = l.stream(ctx)
		case l.rv == "":
			l.listNext = false
			done, err = l.list(ctx)
		default:
			done, err = l.watch(ctx)
		}
		if done {
			return err
		}
	}
}

// loop is the state of one list+watch: what it has seen, where to resume,
// and whether its last word was an error.
type loop struct {
	ri     dynamic.ResourceInterface
	sel    metav1.ListOptions
	judge  readiness.Judge
	report target.Report
	retry  *retry
	// denied spaces retries after Forbidden: RBAC changes by hand or by a
	// later chart, not within seconds as an apiserver restarts, so asking
	// as often as during an outage would only load the apiserver.
	denied *retry

	// streams says whether to stream the initial state; listNext asks
	// for one plain LIST instead (after a streaming watch was forbidden).
	streams  *streams
	listNext bool

	store objects
	rv    string // resourceVersion to watch from; "" to list first
	// troubled is set while the last reason reported is an error rather
	// than a verdict on the objects.
	troubled  bool
	misconfig misconfig
}

// list reads the objects afresh and judges them.
func (l *loop) list(ctx context.Context) (bool, error) {
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	list, err := l.ri.List(rctx, l.sel)
	cancel()
	if err != nil {
		return l.trouble(ctx, err)
	}
	l.retry.reset()
	l.denied.reset()
	l.misconfig.ok()
	l.store = newObjects(list.Items)
	l.rv = list.GetResourceVersion()
	l.troubled = false
	return judge(l.judge, l.store, l.report)
}

// watch follows changes from l.rv until the watch ends.
func (l *loop) watch(ctx context.Context) (bool, error) {
	opts := l.sel
	opts.ResourceVersion = l.rv
	opts.AllowWatchBookmarks = true
	opts.TimeoutSeconds = watchTimeout()
	w, err := l.ri.Watch(ctx, opts)
	if err != nil {
		if ctx.Err() == nil && isExpired(err) {
			l.rv = ""
			return false, nil
		}
		return l.trouble(ctx, err)
	}
	defer w.Stop()
	if l.troubled {
		// The watch is up again: replace the error reason with the
		// verdict on the objects, even if none of them changes.
		l.troubled = false
		if done, err := judge(l.judge, l.store, l.report); done {
			return true, err
		}
	}
	return l.keep(ctx, w)
}

// keep follows the open watch w from l.rv until it ends.
func (l *loop) keep(ctx context.Context, w watch.Interface) (bool, error) {
	next, done, err := follow(ctx, w, l.rv, l.store, l.judge, l.report)
	switch {
	case done:
		return true, err
	case err != nil:
		// The watch carried an error: start again from a fresh list
		// after a pause.
		l.rv = ""
		return l.trouble(ctx, err)
	case next != l.rv:
		l.retry.reset()
		l.rv = next
		return false, nil
	}
	// The watch ended without news; pause before the next one so a server
	// that keeps closing watches is not hammered. next may be "" (expired).
	l.rv = next
	return l.pause(ctx)
}

// trouble reports err as the reason to wait on and pauses before the next
// try. It ends the loop only when ctx has ended.
func (l *loop) trouble(ctx context.Context, err error) (bool, error) {
	if ctx.Err() != nil {
		return true, ctx.Err()
	}
	if err := l.misconfig.check(err); err != nil {
		return true, err
	}
	l.report(describe(err))
	l.troubled = true
	if apierrors.IsForbidden(err) {
		if err := l.denied.wait(ctx); err != nil {
			return true, err
		}
		return false, nil
	}
	return l.pause(ctx)
}

func (l *loop) pause(ctx context.Context) (bool, error) {
	if err := l.retry.wait(ctx); err != nil {
		return true, err
	}
	return false, nil
}

// follow applies watch events to store and judges after each one. It returns
// the resourceVersion to resume from (rv when nothing arrived, "" to
// re-list), whether the wait is over (with its result), or an error the
// watch carried.
//
// A watch silent for watchIdle (no event, not even a bookmark) ends as if
// the server had closed it: the caller opens the next one from rv, whose
// answer is bounded, so a connection that stopped carrying data is noticed.
func follow(ctx context.Context, w watch.Interface, rv string, store objects, j readiness.Judge, report target.Report) (string, bool, error) {
	idle := time.NewTimer(watchIdle)
	defer idle.Stop()
	for {
		var ev watch.Event
		ok := true
		select {
		case <-ctx.Done():
			return "", true, ctx.Err()
		case <-idle.C:
			return rv, false, nil
		case ev, ok = <-w.ResultChan():
		}
		idle.Reset(watchIdle)
		// Apply this event and every one already waiting, then judge once:
		// a burst of N events (N pods starting) costs one judgement, not N.
		changed := false
		for ok {
			c, stop, err := apply(ev, &rv, store)
			if stop {
				return "", false, err
			}
			changed = changed || c
			select {
			case ev, ok = <-w.ResultChan():
				continue
			default:
			}
			break
		}
		if changed {
			if done, err := judge(j, store, report); done {
				return "", true, err
			}
		}
		if !ok {
			return rv, false, nil
		}
	}
}

// apply applies one watch event to store and moves rv past it. changed says
// the objects changed; stop ends the watch, with the error it carried (nil
// when it expired: list again).
func apply(ev watch.Event, rv *string, store objects) (changed, stop bool, err error) {
	if ev.Type == watch.Error {
		if err := apierrors.FromObject(ev.Object); !isExpired(err) {
			return false, true, err
		}
		return false, true, nil
	}
	obj, ok := ev.Object.(*unstructured.Unstructured)
	if !ok {
		return false, false, nil
	}
	*rv = obj.GetResourceVersion()
	switch ev.Type {
	case watch.Added, watch.Modified:
		store.put(obj)
		return true, false, nil
	case watch.Deleted:
		store.remove(obj)
		return true, false, nil
	}
	return false, false, nil // a bookmark
}

// judge evaluates the store and reports a pending reason; it returns true
// when the wait is over.
func judge(j readiness.Judge, store objects, report target.Report) (bool, error) {
	st := j(store.sorted())
	switch st.Phase {
	case target.PhaseReady:
		return true, nil
	case target.PhaseFailed:
		return true, st.Err()
	}
	report(st.Reason)
	return false, nil
}

func isExpired(err error) bool {
	return apierrors.IsGone(err) || apierrors.IsResourceExpired(err)
}

// watchTimeout spreads watch renewals the way client-go's reflector does, so
// many waiters do not reconnect in step.
func watchTimeout() *int64 {
	s := int64(300 + rand.IntN(300))
	return &s
}

// objects is the current view of a list+watch, keyed by namespace/name.
type objects map[string]*unstructured.Unstructured

func newObjects(items []unstructured.Unstructured) objects {
	o := make(objects, len(items))
	for i := range items {
		o.put(&items[i])
	}
	return o
}

func key(obj *unstructured.Unstructured) string { return obj.GetNamespace() + "/" + obj.GetName() }

// put keeps obj without metadata.managedFields, which no rule reads (a
// jsonpath rule naming them is refused) and which are often the larger
// part of an object: 1,000 pods held 25% less memory without them.
func (o objects) put(obj *unstructured.Unstructured) {
	unstructured.RemoveNestedField(obj.Object, "metadata", "managedFields")
	o[key(obj)] = obj
}

func (o objects) remove(obj *unstructured.Unstructured) { delete(o, key(obj)) }

func (o objects) sorted() []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(o))
	for _, obj := range o {
		out = append(out, obj)
	}
	slices.SortFunc(out, func(a, b *unstructured.Unstructured) int { return strings.Compare(key(a), key(b)) })
	return out
}
