package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kwait-dev/kwait/pkg/kube"
)

// observer is the bench's own view of when each object became ready: it
// watches the CRDs and Deployments the bench creates (by their label) and
// records the moment the first event satisfying the rule arrived. The waiters read the same
// watch stream from the same apiserver, so this is the earliest moment a
// client could know; the audit log's timestamp of the status write that
// caused it is used to check how late the bench's watch itself is
// (see observerLag).
type observer struct {
	mu    sync.Mutex
	ready map[string]time.Time // "crd/NAME", "deployment/NAME"
	wake  map[string]chan struct{}
}

func startObserver(ctx context.Context, c *cluster) (*observer, error) {
	o := &observer{ready: map[string]time.Time{}, wake: map[string]chan struct{}{}}
	sel := metav1.ListOptions{LabelSelector: labelKey + "=" + c.runID}
	crds := c.ext.ApiextensionsV1().CustomResourceDefinitions()
	deps := c.kube.AppsV1().Deployments(c.namespace)
	streams := []struct {
		list  func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error)
		watch func(context.Context, metav1.ListOptions) (watch.Interface, error)
	}{
		{list: listing(crds.List), watch: crds.Watch},
		{list: listing(deps.List), watch: deps.Watch},
	}
	started := make(chan error, len(streams))
	for _, s := range streams {
		go o.follow(ctx, sel, s.list, s.watch, started)
	}
	for range streams {
		select {
		case err := <-started:
			if err != nil {
				return nil, fmt.Errorf("observer: %w", err)
			}
		case <-time.After(30 * time.Second):
			return nil, fmt.Errorf("observer: watches did not start")
		}
	}
	return o, nil
}

// follow lists and then watches, taking the time of every event the moment
// it is read off the watch: one goroutine, no informer queues in between,
// so the bench learns of a change as soon as a waiter with a plain watch
// (as kwait and kubectl have) can. A watch that ends is resumed; an error
// leads to a fresh list.
func (o *observer) follow(ctx context.Context, sel metav1.ListOptions,
	list func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error), started chan<- error,
) {
	first := true
	for ctx.Err() == nil {
		objs, rv, err := list(ctx, sel)
		if first {
			started <- err
			first = false
			if err != nil {
				return
			}
		}
		if err != nil {
			_ = kube.Sleep(ctx, 200*time.Millisecond)
			continue
		}
		now := time.Now()
		for _, obj := range objs {
			o.see(obj, now)
		}
		for ctx.Err() == nil && rv != "" {
			opts := sel
			opts.ResourceVersion = rv
			opts.AllowWatchBookmarks = true
			w, err := watchFn(ctx, opts)
			if err != nil {
				rv = ""
				break
			}
			for ev := range w.ResultChan() {
				at := time.Now()
				if ev.Type == watch.Error {
					rv = ""
					break
				}
				if m, ok := ev.Object.(metav1.Object); ok {
					rv = m.GetResourceVersion()
				}
				if ev.Type == watch.Added || ev.Type == watch.Modified {
					o.see(ev.Object, at)
				}
			}
			w.Stop()
		}
		_ = kube.Sleep(ctx, 200*time.Millisecond)
	}
}

func (o *observer) see(obj any, at time.Time) {
	var key string
	switch obj := obj.(type) {
	case *apiextv1.CustomResourceDefinition:
		if !crdEstablished(obj) {
			return
		}
		key = "crd/" + obj.Name
	case *appsv1.Deployment:
		if !rolledOut(obj) {
			return
		}
		key = "deployment/" + obj.Name
	default:
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.ready[key]; ok {
		return
	}
	o.ready[key] = at
	if ch, ok := o.wake[key]; ok {
		close(ch)
		delete(o.wake, key)
	}
}

// readyAt waits until key ("crd/NAME", "deployment/NAME") has been seen
// ready and returns when.
func (o *observer) readyAt(ctx context.Context, key string, timeout time.Duration) (time.Time, error) {
	o.mu.Lock()
	if t, ok := o.ready[key]; ok {
		o.mu.Unlock()
		return t, nil
	}
	ch, ok := o.wake[key]
	if !ok {
		ch = make(chan struct{})
		o.wake[key] = ch
	}
	o.mu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-ch:
	case <-timer.C:
		return time.Time{}, fmt.Errorf("%s not ready after %s", key, timeout)
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ready[key], nil
}

// crdEstablished: Established=True. (NamesAccepted comes first; Established
// is never True without it.)
func crdEstablished(c *apiextv1.CustomResourceDefinition) bool {
	for _, cond := range c.Status.Conditions {
		if cond.Type == apiextv1.Established {
			return cond.Status == apiextv1.ConditionTrue
		}
	}
	return false
}

// rolledOut is `kubectl rollout status` for a Deployment: the spec is
// observed, every replica updated, no old ones left, all updated available.
func rolledOut(d *appsv1.Deployment) bool {
	if d.Spec.Paused || d.Generation > d.Status.ObservedGeneration {
		return false
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	s := d.Status
	return s.UpdatedReplicas >= want && s.Replicas <= s.UpdatedReplicas && s.AvailableReplicas >= s.UpdatedReplicas
}

// listing adapts a typed client's List to what follow reads: the list's
// objects and its resourceVersion.
func listing[L runtime.Object](list func(context.Context, metav1.ListOptions) (L, error)) func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) {
	return func(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error) {
		l, err := list(ctx, opts)
		if err != nil {
			return nil, "", err
		}
		objs, err := meta.ExtractList(l)
		if err != nil {
			return nil, "", err
		}
		acc, err := meta.ListAccessor(l)
		if err != nil {
			return nil, "", err
		}
		return objs, acc.GetResourceVersion(), nil
	}
}
