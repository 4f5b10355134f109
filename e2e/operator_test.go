//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"
)

// operatorFinalizer is the finalizer the stand-in operator puts on every
// custom resource it sees: deleting one waits until the operator has
// cleaned up after it.
const operatorFinalizer = "e2e.kwait.dev/cleanup"

// operated is one kind of custom resource a stand-in operator serves, and
// the Deployment that stands for that operator in the chart.
type operated struct {
	group, version, plural, kind string
	deployment                   string
}

func (o operated) crd() string { return o.plural + "." + o.group }

func (o operated) gvr() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: o.group, Version: o.version, Resource: o.plural}
}

// yaml is the CRD the operator installs: any spec, a status subresource.
func (o operated) yaml() string {
	return fmt.Sprintf(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: %[1]s.%[2]s}
spec:
  group: %[2]s
  scope: Namespaced
  names: {plural: %[1]s, singular: %[3]s, kind: %[4]s, listKind: %[4]sList}
  versions:
  - name: %[5]s
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`, o.plural, o.group, strings.ToLower(o.kind), o.kind, o.version)
}

// standIn plays, in the test process, the operators whose Deployments a
// chart installs: started (serve), it creates their CRDs, then for every
// custom resource of theirs in its namespace it adds operatorFinalizer and
// reports the resource Ready (observedGeneration and a Ready condition, as
// operators do); for one being deleted it removes the finalizer, but only
// while that resource's operator Deployment still exists and is not being
// deleted; otherwise it refuses, as a real operator that is gone would, and
// records the refusal. It records when each finalizer was removed, when
// each resource and each Deployment went.
type standIn struct {
	ns    string
	kinds []operated
	cs    kubernetes.Interface
	dyn   dynamic.Interface
	start func() // starts the resources' informers

	mu       sync.Mutex
	released map[string]time.Time // "kind/name": its finalizer removed
	gone     map[string]time.Time // "kind/name" or "deployment/name": deleted
	refused  []string
	trouble  []string      // API errors, reported by check
	changed  chan struct{} // closed and replaced on every record
}

func newStandIn(t *testing.T, ns string, kinds ...operated) *standIn {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", env.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.UserAgent = "kwait-e2e-stand-in-operator"
	o := &standIn{ns: ns, kinds: kinds, cs: kubernetes.NewForConfigOrDie(cfg), dyn: dynamic.NewForConfigOrDie(rest.CopyConfig(cfg)),
		released: map[string]time.Time{}, gone: map[string]time.Time{}, changed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		o.releaseAll(t)
	})
	deployments := cache.NewSharedIndexInformer(cache.NewFilteredListWatchFromClient(o.cs.AppsV1().RESTClient(), "deployments", ns, func(*metav1.ListOptions) {}),
		&appsv1.Deployment{}, 0, cache.Indexers{})
	gone := func(obj any) {
		if d, ok := obj.(*appsv1.Deployment); ok && d.DeletionTimestamp != nil {
			o.record(o.gone, "deployment/"+d.Name)
		}
	}
	_, _ = deployments.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, obj any) { gone(obj) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if d, ok := obj.(*appsv1.Deployment); ok {
				o.record(o.gone, "deployment/"+d.Name)
			}
		},
	})
	wg.Go(func() { deployments.RunWithContext(ctx) })
	if !cache.WaitForCacheSync(t.Context().Done(), deployments.HasSynced) {
		t.Fatal("stand-in operator: deployments informer did not sync")
	}
	o.start = func() {
		for _, k := range kinds {
			inf := dynamicinformer.NewFilteredDynamicInformer(o.dyn, k.gvr(), ns, 0, cache.Indexers{}, nil).Informer()
			_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
				AddFunc:    func(obj any) { o.reconcile(ctx, k, obj) },
				UpdateFunc: func(_, obj any) { o.reconcile(ctx, k, obj) },
				DeleteFunc: func(obj any) {
					if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
						obj = d.Obj
					}
					if u, ok := obj.(*unstructured.Unstructured); ok {
						o.record(o.gone, k.kind+"/"+u.GetName())
					}
				},
			})
			wg.Go(func() { inf.RunWithContext(ctx) })
		}
	}
	return o
}

// serve installs the CRDs (deleted when the test ends) and starts
// reconciling their resources.
func (o *standIn) serve(t *testing.T) {
	t.Helper()
	var crds []string
	for _, k := range o.kinds {
		apply(t, "", k.yaml())
		crds = append(crds, "crd/"+k.crd())
	}
	kubectl(t, "", append([]string{"wait", "--for=condition=Established", "--timeout=60s"}, crds...)...)
	o.start()
}

func (o *standIn) record(m map[string]time.Time, key string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := m[key]; !ok {
		m[key] = time.Now()
	}
	close(o.changed)
	o.changed = make(chan struct{})
}

func (o *standIn) fail(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.trouble = append(o.trouble, fmt.Sprintf(format, args...))
}

// reconcile is the operator's loop body for one custom resource.
func (o *standIn) reconcile(ctx context.Context, k operated, obj any) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok || ctx.Err() != nil {
		return
	}
	res := o.dyn.Resource(k.gvr()).Namespace(o.ns)
	key := k.kind + "/" + u.GetName()
	if u.GetDeletionTimestamp() == nil {
		if !slices.Contains(u.GetFinalizers(), operatorFinalizer) {
			o.update(ctx, k, u.GetName(), func(u *unstructured.Unstructured) bool {
				if slices.Contains(u.GetFinalizers(), operatorFinalizer) || u.GetDeletionTimestamp() != nil {
					return false
				}
				u.SetFinalizers(append(u.GetFinalizers(), operatorFinalizer))
				return true
			})
			return
		}
		if observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration"); observed != u.GetGeneration() {
			st := map[string]any{"observedGeneration": u.GetGeneration(), "conditions": []any{map[string]any{
				"type": "Ready", "status": "True", "reason": "Reconciled", "message": "",
				"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}}}
			u = u.DeepCopy()
			u.Object["status"] = st
			if _, err := res.UpdateStatus(ctx, u, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) && ctx.Err() == nil {
				o.fail("status of %s: %v", key, err)
			}
		}
		return
	}
	if !slices.Contains(u.GetFinalizers(), operatorFinalizer) {
		return
	}
	d, err := o.cs.AppsV1().Deployments(o.ns).Get(ctx, k.deployment, metav1.GetOptions{})
	if err != nil || d.DeletionTimestamp != nil {
		o.mu.Lock()
		o.refused = append(o.refused, fmt.Sprintf("%s deleted while its operator's Deployment %s is gone or going (%v)", key, k.deployment, err))
		o.mu.Unlock()
		return
	}
	if o.update(ctx, k, u.GetName(), func(u *unstructured.Unstructured) bool {
		f := slices.DeleteFunc(u.GetFinalizers(), func(s string) bool { return s == operatorFinalizer })
		if len(f) == len(u.GetFinalizers()) {
			return false
		}
		u.SetFinalizers(f)
		return true
	}) {
		o.record(o.released, key)
	}
}

// update changes the latest version of a custom resource with change
// (false: nothing to change) and reports whether it wrote it.
func (o *standIn) update(ctx context.Context, k operated, name string, change func(*unstructured.Unstructured) bool) bool {
	res := o.dyn.Resource(k.gvr()).Namespace(o.ns)
	wrote := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u, err := res.Get(ctx, name, metav1.GetOptions{})
		if err != nil || !change(u) {
			return err
		}
		_, err = res.Update(ctx, u, metav1.UpdateOptions{})
		wrote = err == nil
		return err
	})
	if err != nil && !apierrors.IsNotFound(err) && ctx.Err() == nil {
		o.fail("update %s/%s: %v", k.kind, name, err)
	}
	return wrote
}

// await blocks until cond, called with the records locked, holds.
func (o *standIn) await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		o.mu.Lock()
		ok, changed := cond(), o.changed
		o.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("stand-in operator: %s did not happen in time; %s", what, o.summary())
		}
	}
}

func (o *standIn) summary() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprintf("released %v, gone %v, refused %q, trouble %q", o.released, o.gone, o.refused, o.trouble)
}

// releaseAll removes the finalizer from whatever is left when the test
// ends, so the namespace and the CRDs can go.
func (o *standIn) releaseAll(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
	defer cancel()
	for _, k := range o.kinds {
		list, err := o.dyn.Resource(k.gvr()).Namespace(o.ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for _, u := range list.Items {
			o.update(ctx, k, u.GetName(), func(u *unstructured.Unstructured) bool {
				f := slices.DeleteFunc(u.GetFinalizers(), func(s string) bool { return s == operatorFinalizer })
				changed := len(f) != len(u.GetFinalizers())
				u.SetFinalizers(f)
				return changed
			})
		}
	}
}
