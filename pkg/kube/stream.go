package kube

import (
	"context"
	"errors"
	"sync/atomic"

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
// Until the apiserver has answered one streaming list, targets ask one at
// a time; its first refusal switches every target of the client to
// LIST+WATCH for the rest of the run. So an apiserver without streaming
// lists costs one wasted request per run, not one per target, even when
// all targets start at once. A nil *streams never streams.
type streams struct {
	refused atomic.Bool
	// answered is set once a streaming list was served or refused; probe
	// lets one target at a time ask before that.
	answered atomic.Bool
	probe    chan struct{}
}

func newStreams() *streams { return &streams{probe: make(chan struct{}, 1)} }

func (s *streams) on() bool { return s != nil && !s.refused.Load() }

func (s *streams) refuse() { s.refused.Store(true) }

// open opens a streaming watch with opts, one caller at a time until the
// apiserver has answered one. ok is false when streaming lists turned out
// refused meanwhile: the caller lists instead.
func (s *streams) open(ctx context.Context, ri dynamic.ResourceInterface, opts metav1.ListOptions) (w watch.Interface, ok bool, err error) {
	if !s.answered.Load() {
		select {
		case s.probe <- struct{}{}:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
		defer func() { <-s.probe }()
		if !s.on() {
			return nil, false, nil
		}
	}
	w, err = ri.Watch(ctx, opts)
	switch {
	case err == nil:
		s.answered.Store(true)
	case ctx.Err() == nil && refusesStreaming(err):
		s.refuse()
		s.answered.Store(true)
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
//   - 410 Gone while streaming starts a fresh stream after a pause.
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
	for {
		var ev watch.Event
		ok := true
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case ev, ok = <-w.ResultChan():
		}
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
