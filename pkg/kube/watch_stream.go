package kube

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
)

// streams remembers whether the apiserver serves streaming lists: a WATCH
// with sendInitialEvents=true that first sends the objects as Added events
// and then a bookmark annotated k8s.io/initial-events-end, served from the
// watch cache. One request then gives a target both its initial state and
// its changes, where LIST+WATCH takes two.
//
// The first refusal switches every target of the client to LIST+WATCH for
// the rest of the run. Targets never wait for another target's request to
// learn that: each one that starts before the first refusal arrives asks
// once, so an apiserver without streaming lists costs at most one wasted
// request per target started at once, and one silent request (a stalled
// aggregated API) holds up only its own target. A nil *streams never
// streams.
type streams struct {
	refused atomic.Bool
}

func newStreams() *streams { return &streams{} }

func (s *streams) on() bool { return s != nil && !s.refused.Load() }

func (s *streams) refuse() { s.refused.Store(true) }

// open opens a streaming watch with opts. ok is false when the apiserver
// refused streaming lists: the caller lists instead.
func (s *streams) open(ctx context.Context, ri dynamic.ResourceInterface, opts metav1.ListOptions) (w watch.Interface, ok bool, err error) {
	w, err = ri.Watch(ctx, opts)
	if err != nil && ctx.Err() == nil && refusesStreaming(err) {
		s.refuse()
		return nil, false, nil
	}
	return w, true, err
}

// refusesStreaming says whether err is an apiserver's answer to a streaming
// list it does not serve. With the WatchList feature gate off (the default
// from 1.27 to 1.31 and in 1.33), the apiserver validates the watch's
// options and answers 422 Invalid for kind ListOptions:
// "sendInitialEvents is forbidden for watch unless the WatchList feature
// gate is enabled".
func refusesStreaming(err error) bool {
	var st apierrors.APIStatus
	if !apierrors.IsInvalid(err) || !errors.As(err, &st) {
		return false
	}
	d := st.Status().Details
	return d != nil && d.Kind == "ListOptions"
}

// stream opens one watch that carries the initial state of the objects
// and, once the bookmark ending it arrives, judges them and follows the
// same watch on.
//
// Decision rules, besides those of until:
//   - a refusal (refusesStreaming) is remembered and the loop lists
//     (see streams.open);
//   - Forbidden lists once instead, so an account allowed to list but not
//     to watch still sees an already-ready object; a waiting target then
//     asks for the watch as before;
//   - a watch that ends, or sends an unmarked bookmark, before its initial
//     state is complete comes from a server that ignores sendInitialEvents
//     (before 1.27): remembered as a refusal too;
//   - 410 Gone while streaming starts a fresh stream after a pause;
//   - nothing for watchIdle before the bookmark is a stall: reported as
//     such, and a fresh stream follows after a pause.
func (l *loop) stream(ctx context.Context) (bool, error) {
	opts := l.sel
	sendInitial := true
	opts.SendInitialEvents = &sendInitial
	opts.ResourceVersionMatch = metav1.ResourceVersionMatchNotOlderThan
	opts.ResourceVersion = ""
	opts.AllowWatchBookmarks = true
	opts.TimeoutSeconds = watchTimeout()
	w, ok, err := l.streams.open(ctx, l.ri, opts)
	switch {
	case !ok && err == nil:
		return false, nil // refused: list
	case err != nil && apierrors.IsForbidden(err):
		l.listNext = true
		return false, nil
	case err != nil:
		return l.trouble(ctx, err)
	}
	defer w.Stop()
	store, rv := objects{}, ""
	idle := time.NewTimer(watchIdle)
	defer idle.Stop()
	for {
		var ev watch.Event
		ok := true
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case <-idle.C:
			// The initial state stopped coming: report it and start over.
			return l.trouble(ctx, &NoAnswerError{After: watchIdle})
		case ev, ok = <-w.ResultChan():
		}
		idle.Reset(watchIdle)
		if !ok {
			l.streams.refuse()
			return false, nil
		}
		if ev.Type == watch.Bookmark {
			u, isObj := ev.Object.(*unstructured.Unstructured)
			if !isObj || u.GetAnnotations()[metav1.InitialEventsAnnotationKey] != "true" {
				l.streams.refuse()
				return false, nil
			}
			l.retry.reset()
			l.denied.reset()
			l.misconfig.ok()
			l.store, l.rv, l.troubled = store, u.GetResourceVersion(), false
			if done, err := judge(l.judge, l.store, l.report); done {
				return true, err
			}
			return l.keep(ctx, w)
		}
		if _, stop, err := apply(ev, &rv, store); stop {
			if err == nil {
				return l.pause(ctx)
			}
			return l.trouble(ctx, err)
		}
	}
}
