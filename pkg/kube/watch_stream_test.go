package kube

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kwait-dev/kwait/pkg/kind"
)

// initialEventsEnd is the bookmark that ends a streaming list's initial
// state, at resourceVersion 7.
const initialEventsEnd = `
apiVersion: apps/v1
kind: Deployment
metadata: {resourceVersion: "7", annotations: {k8s.io/initial-events-end: "true"}}
`

// streamingClient is fakeClient with streaming lists on.
func streamingClient(objs ...runtime.Object) (*dynamicfake.FakeDynamicClient, *Client) {
	fake, c := fakeClient(objs...)
	c.streams = newStreams()
	return fake, c
}

// watchOptions are the options of every watch the fake client received.
func watchOptions(fake *dynamicfake.FakeDynamicClient) []metav1.ListOptions {
	var out []metav1.ListOptions
	for _, a := range fake.Actions() {
		if w, ok := a.(clienttesting.WatchActionImpl); ok {
			out = append(out, w.ListOptions)
		}
	}
	return out
}

func streaming(o metav1.ListOptions) bool {
	return o.SendInitialEvents != nil && *o.SendInitialEvents &&
		o.ResourceVersionMatch == metav1.ResourceVersionMatchNotOlderThan && o.ResourceVersion == "" && o.AllowWatchBookmarks
}

// TestStreamJudgesOnceAtTheBookmark: the objects Added before the bookmark
// are the initial state, judged once when it arrives; the same watch then
// brings the change that makes the target ready, with no LIST.
func TestStreamJudgesOnceAtTheBookmark(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := streamingClient()
		watches := fakeWatches(fake, "deployments")
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		w := <-watches
		w.Add(obj(t, deploymentRolling))
		w.Action(watch.Bookmark, obj(t, initialEventsEnd))
		r.await(t, "available replicas 1/2")
		w.Modify(obj(t, deploymentAvailable))
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil after the change on the streaming watch", err)
		}
		if len(r.all) != 1 {
			t.Errorf("reasons = %q, want one judgement of the initial state", r.all)
		}
		opts := watchOptions(fake)
		if n := count(fake, "list"); n != 0 || len(opts) != 1 || !streaming(opts[0]) {
			t.Errorf("%d lists and watches %+v, want one streaming watch alone", n, opts)
		}
		if opts[0].FieldSelector != "metadata.name=api" {
			t.Errorf("watch field selector = %q, want metadata.name=api (RBAC resourceNames)", opts[0].FieldSelector)
		}
	})
}

// TestStreamResumesFromTheBookmark: a streaming watch that closes is
// resumed from the last resourceVersion, as a plain watch.
func TestStreamResumesFromTheBookmark(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := streamingClient()
		watches := fakeWatches(fake, "deployments")
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		first := <-watches
		first.Add(obj(t, deploymentRolling))
		first.Action(watch.Bookmark, obj(t, initialEventsEnd))
		r.await(t, "available replicas 1/2")
		first.Stop()
		second := <-watches
		second.Modify(obj(t, deploymentAvailable))
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
		opts := watchOptions(fake)
		if len(opts) != 2 || opts[1].SendInitialEvents != nil || opts[1].ResourceVersion != "7" {
			t.Errorf("watches %+v, want the second a plain watch from resourceVersion 7", opts)
		}
	})
}

// TestStreamRefusalIsRemembered: an apiserver with the WatchList feature
// gate off answers 422 Invalid; the target lists instead, and every later
// target of the client lists without asking again.
func TestStreamRefusalIsRemembered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := streamingClient(obj(t, deploymentAvailable))
		fake.PrependWatchReactor("deployments", func(a clienttesting.Action) (bool, watch.Interface, error) {
			if o := a.(clienttesting.WatchActionImpl).ListOptions; o.SendInitialEvents != nil {
				return true, nil, apierrors.NewInvalid(schema.GroupKind{Group: "meta.k8s.io", Kind: "ListOptions"}, "", field.ErrorList{
					field.Forbidden(field.NewPath("sendInitialEvents"), "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled")})
			}
			return false, nil, nil
		})
		for range 3 {
			if err := c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}).Wait(t.Context(), func(string) {}); err != nil {
				t.Fatalf("Wait() = %v, want nil from the LIST after the refusal", err)
			}
		}
		if w, l := len(watchOptions(fake)), count(fake, "list"); w != 1 || l != 3 {
			t.Errorf("%d watches and %d lists for 3 targets, want 1 refused streaming watch and 3 lists", w, l)
		}
	})
}

// TestStreamUnmarkedBookmarkFallsBack: a server that ignores
// sendInitialEvents (before 1.27) never sends the annotated bookmark; its
// first plain bookmark makes the client fall back to LIST+WATCH.
func TestStreamUnmarkedBookmarkFallsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := streamingClient(obj(t, deploymentAvailable))
		watches := fakeWatches(fake, "deployments")
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), newReasons())
		w := <-watches
		w.Add(obj(t, deploymentRolling))
		w.Action(watch.Bookmark, obj(t, deploymentRolling))
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil from the LIST", err)
		}
		if c.streams.on() || count(fake, "list") != 1 {
			t.Errorf("streaming still on or %d lists; want it off and one list", count(fake, "list"))
		}
	})
}

// TestStreamRestreamsAfterGone: 410 Gone on a streaming watch, before or
// after its initial state, leads to a fresh stream, so nothing that
// happened meanwhile is missed.
func TestStreamRestreamsAfterGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := streamingClient()
		watches := fakeWatches(fake, "deployments")
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		gone := &apierrors.NewResourceExpired("too old resource version").ErrStatus
		first := <-watches
		first.Error(gone) // while the initial state streams
		second := <-watches
		second.Add(obj(t, deploymentRolling))
		second.Action(watch.Bookmark, obj(t, initialEventsEnd))
		r.await(t, "available replicas 1/2")
		second.Error(gone) // after it
		third := <-watches
		third.Add(obj(t, deploymentAvailable))
		third.Action(watch.Bookmark, obj(t, initialEventsEnd))
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil from the fresh stream", err)
		}
		opts := watchOptions(fake)
		if len(opts) != 3 || !streaming(opts[1]) || !streaming(opts[2]) || count(fake, "list") != 0 {
			t.Errorf("watches %+v and %d lists, want three streaming watches", opts, count(fake, "list"))
		}
	})
}

// silentWatches is a resource whose WATCH never answers (a hung aggregated
// API server): Watch blocks until its context ends.
type silentWatches struct {
	dynamic.ResourceInterface
	asked chan struct{}
}

func (s silentWatches) Watch(ctx context.Context, _ metav1.ListOptions) (watch.Interface, error) {
	s.asked <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestStreamNoHeadOfLineBlocking: a streaming WATCH that never answers
// holds up its own target only: another target of the same client, started
// after it, streams and becomes ready.
func TestStreamNoHeadOfLineBlocking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := streamingClient()
		silent := silentWatches{asked: make(chan struct{}, 1)}
		stalled := make(chan error, 1)
		go func() {
			_, _, err := c.streams.open(t.Context(), silent, metav1.ListOptions{})
			stalled <- err
		}()
		<-silent.asked
		watches := fakeWatches(fake, "deployments")
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), newReasons())
		w := <-watches
		w.Add(obj(t, deploymentAvailable))
		w.Action(watch.Bookmark, obj(t, initialEventsEnd))
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil beside a silent watch", err)
		}
		select {
		case err := <-stalled:
			t.Fatalf("the silent watch ended (%v), want it still waiting", err)
		default:
		}
	})
}

// TestWatchSilentIsReopened: an established watch that delivers nothing,
// not even a bookmark, for watchIdle is replaced by a new one from the
// same resourceVersion, so a connection that stopped carrying data is
// noticed; the target stays as it was.
func TestWatchSilentIsReopened(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := streamingClient()
		watches := fakeWatches(fake, "deployments")
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		first := <-watches
		first.Add(obj(t, deploymentRolling))
		first.Action(watch.Bookmark, obj(t, initialEventsEnd))
		r.await(t, "available replicas 1/2")
		began := time.Now()
		second := <-watches // nothing more on the first: silent
		if d := time.Since(began); d < watchIdle || d > watchIdle+5*time.Second {
			t.Errorf("second watch after %s of silence, want about %s", d, watchIdle)
		}
		if !first.IsStopped() {
			t.Error("the silent watch was not stopped")
		}
		second.Modify(obj(t, deploymentAvailable))
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil from the new watch", err)
		}
		if opts := watchOptions(fake); len(opts) != 2 || opts[1].ResourceVersion != "7" || streaming(opts[1]) {
			t.Errorf("watches %+v, want a streaming one, then one from resourceVersion 7", opts)
		}
	})
}

// TestStreamSilentBeforeBookmark: a streaming watch whose initial state
// stops coming is a stall, named in the reason, and is started again.
func TestStreamSilentBeforeBookmark(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := streamingClient()
		watches := fakeWatches(fake, "deployments")
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		first := <-watches
		first.Add(obj(t, deploymentRolling))
		r.await(t, "no answer from the apiserver for 30s")
		second := <-watches
		second.Add(obj(t, deploymentAvailable))
		second.Action(watch.Bookmark, obj(t, initialEventsEnd))
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil from the second stream", err)
		}
		if !c.streams.on() {
			t.Error("a stall turned streaming lists off, want them on")
		}
	})
}
