package kube

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/target"
)

// reasons collects what a target reports and lets a test block until a
// reason containing some text arrives.
type reasons struct {
	mu   sync.Mutex
	all  []string
	seen chan string
}

func newReasons() *reasons { return &reasons{seen: make(chan string, 1000)} }

func (r *reasons) report(reason string) {
	r.mu.Lock()
	r.all = append(r.all, reason)
	r.mu.Unlock()
	r.seen <- reason
}

// await blocks until a reason containing want is reported.
func (r *reasons) await(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case got := <-r.seen:
			if strings.Contains(got, want) {
				return
			}
		case <-timeout:
			t.Fatalf("no reason containing %q reported; got %q", want, r.all)
		}
	}
}

func obj(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(y), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

const deploymentAvailable = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default, generation: 1, resourceVersion: "5"}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2}
`

const deploymentRolling = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default, generation: 1, resourceVersion: "4"}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1, readyReplicas: 1}
`

// The GVRs the tests create objects of.
var (
	deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	crdsGVR        = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	tenantsGVR     = schema.GroupVersionResource{Group: "minio.min.io", Version: "v2", Resource: "tenants"}
	widgetsGVR     = schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}
)

// fakeClient is a Client on a fake dynamic client holding objs, with a
// discovery that serves nothing (set c.versions or c.index to change
// that). Every built-in type and the tests' custom types can be listed.
func fakeClient(objs ...runtime.Object) (*dynamicfake.FakeDynamicClient, *Client) {
	listKinds := map[schema.GroupVersionResource]string{
		tenantsGVR: "TenantList",
		widgetsGVR: "WidgetList",
	}
	for _, t := range apitype.Builtins() {
		listKinds[t.GVR()] = t.Kind + "List"
	}
	fake := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds, objs...)
	return fake, &Client{dynamic: fake, versions: &discovery{}, index: (&fakeAPI{}).index(), namespace: "default"}
}

// mustKind is the kind of package kind called name.
func mustKind(t *testing.T, name string) kind.Kind {
	t.Helper()
	k, ok := kind.Lookup(name)
	if !ok || k.Name != name {
		t.Fatalf("no kind %q", name)
	}
	return k
}

// fakeWatches makes every watch of resource a fake watcher the test drives,
// handed out on the returned channel.
func fakeWatches(fake *dynamicfake.FakeDynamicClient, resource string) <-chan *watch.FakeWatcher {
	watches := make(chan *watch.FakeWatcher, 10)
	fake.PrependWatchReactor(resource, func(clienttesting.Action) (bool, watch.Interface, error) {
		w := watch.NewFake()
		watches <- w
		return true, w, nil
	})
	return watches
}

// count counts the requests with verb the fake client received.
func count(fake *dynamicfake.FakeDynamicClient, verb string) int {
	n := 0
	for _, a := range fake.Actions() {
		if a.GetVerb() == verb {
			n++
		}
	}
	return n
}

// start runs t.Wait in the background and returns its result channel.
func start(ctx context.Context, tg target.Target, r *reasons) <-chan error {
	done := make(chan error, 1)
	go func() { done <- tg.Wait(ctx, r.report) }()
	return done
}

func TestWaitNotFoundThenCreated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		r.await(t, "not found")
		_, err := fake.Resource(deploymentsGVR).Namespace("default").Create(t.Context(), obj(t, deploymentAvailable), metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil once the ready deployment exists", err)
		}
	})
}

func TestWaitAlreadyReadyListsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, deploymentAvailable))
		if err := c.Kind(mustKind(t, "deployment"), "default", "api", kind.Params{}).Wait(t.Context(), func(string) {}); err != nil {
			t.Fatalf("Wait() = %v", err)
		}
		var verbs []string
		for _, a := range fake.Actions() {
			verbs = append(verbs, a.GetVerb())
		}
		if len(verbs) != 1 || verbs[0] != "list" {
			t.Errorf("requests = %v, want one list", verbs)
		}
	})
}

func TestWaitForbiddenIsReportedAndRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, deploymentAvailable))
		var denied atomic.Bool
		denied.Store(true)
		fake.PrependReactor("list", "deployments", func(clienttesting.Action) (bool, runtime.Object, error) {
			if denied.Load() {
				return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "",
					errors.New(`User "kwait" cannot list resource "deployments" in API group "apps" in the namespace "default"`))
			}
			return false, nil, nil
		})
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		r.await(t, `forbidden: deployments.apps is forbidden: User "kwait" cannot list resource "deployments"`)
		denied.Store(false)
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil once the permission is granted", err)
		}
	})
}

// TestWaitForbiddenBacksOffLonger: Forbidden is retried more slowly than an
// outage, so that many waiters missing a permission do not load the
// apiserver; both keep trying.
func TestWaitForbiddenBacksOffLonger(t *testing.T) {
	lists := func(fail error) int64 {
		var n atomic.Int64
		synctest.Test(t, func(t *testing.T) {
			fake, c := fakeClient(obj(t, deploymentAvailable))
			fake.PrependReactor("list", "deployments", func(clienttesting.Action) (bool, runtime.Object, error) {
				n.Add(1)
				return true, nil, fail
			})
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			_ = c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}).Wait(ctx, func(string) {})
		})
		return n.Load()
	}
	forbidden := lists(apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "", errors.New("no")))
	outage := lists(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	if forbidden < 3 || outage < 2*forbidden {
		t.Errorf("in a minute: %d LISTs while forbidden, %d while unreachable; want the first fewer than half the second, and at least 3", forbidden, outage)
	}
}

func TestWaitResumesAfterWatchCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, deploymentRolling))
		watches := fakeWatches(fake, "deployments")
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		r.await(t, "available replicas 1/2")
		first := <-watches
		first.Stop() // the apiserver ends the watch
		second := <-watches
		second.Modify(obj(t, deploymentAvailable))
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil after the event on the resumed watch", err)
		}
		if n := count(fake, "list"); n != 1 {
			t.Errorf("listed %d times, want 1: a closed watch resumes without a new list", n)
		}
	})
}

func TestWaitRelistsAfterGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, deploymentRolling))
		watches := fakeWatches(fake, "deployments")
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		r.await(t, "available replicas 1/2")
		// While the watch is down the deployment becomes ready; the watch
		// then reports its resourceVersion too old.
		if _, err := fake.Resource(deploymentsGVR).Namespace("default").Update(t.Context(), obj(t, deploymentAvailable), metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		first := <-watches
		first.Error(&apierrors.NewResourceExpired("too old resource version").ErrStatus)
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v, want nil from the fresh list", err)
		}
		if n := count(fake, "list"); n != 2 {
			t.Errorf("listed %d times, want 2: an expired watch leads to a new list", n)
		}
	})
}

func TestWaitDeletedThenRecreated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, deploymentRolling))
		watches := fakeWatches(fake, "deployments")
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		r.await(t, "available replicas 1/2")
		w := <-watches
		w.Delete(obj(t, deploymentRolling))
		r.await(t, "not found")
		w.Add(obj(t, deploymentAvailable))
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
	})
}

func TestWaitJobFailedIsFinal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient(obj(t, `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: default}
status:
  failed: 4
  conditions:
  - {type: Failed, status: "True", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}
`))
		err := c.Kind(mustKind(t, "job"), "", "migrate", kind.Params{}).Wait(t.Context(), func(string) {})
		if !target.IsFailed(err) || !strings.Contains(err.Error(), "BackoffLimitExceeded") {
			t.Fatalf("Wait() = %v, want a failure naming BackoffLimitExceeded", err)
		}
	})
}

func TestWaitStopsAtDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient()
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		err := c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}).Wait(ctx, func(string) {})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait() = %v, want the deadline", err)
		}
	})
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	gr := schema.GroupResource{Group: "apps", Resource: "deployments"}
	cases := []struct {
		err  error
		want string
	}{
		{apierrors.NewForbidden(gr, "api", errors.New("nope")), "forbidden: "},
		{apierrors.NewUnauthorized("x"), "unauthorized"},
		{apierrors.NewNotFound(gr, ""), "resource type not served yet"},
		{apierrors.NewServiceUnavailable("starting"), "apiserver: starting"},
		{&url.Error{Op: "Get", URL: "https://127.0.0.1:6443/apis", Err: &net.OpError{Op: "dial", Net: "tcp",
			Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}, "apiserver unreachable: connection refused"},
	}
	for _, c := range cases {
		if got := describe(c.err); !strings.HasPrefix(got, c.want) || strings.Contains(got, "connect:") {
			t.Errorf("describe(%v) = %q, want prefix %q", c.err, got, c.want)
		}
	}
}

// TestWaitReasonRecoversWithTheWatch: once a watch is up again after an
// outage, the reason is the objects' again, even if none of them changed.
func TestWaitReasonRecoversWithTheWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, deploymentRolling))
		var failed atomic.Bool
		fake.PrependWatchReactor("deployments", func(clienttesting.Action) (bool, watch.Interface, error) {
			if failed.CompareAndSwap(false, true) {
				return true, nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
			}
			return true, watch.NewFake(), nil
		})
		r := newReasons()
		ctx, cancel := context.WithCancel(t.Context())
		done := start(ctx, c.Kind(mustKind(t, "deployment"), "", "api", kind.Params{}), r)
		r.await(t, "available replicas 1/2")
		r.await(t, "apiserver unreachable: connection refused")
		r.await(t, "available replicas 1/2")
		cancel()
		<-done
	})
}

func TestObjectsDropManagedFields(t *testing.T) {
	o := obj(t, deploymentAvailable)
	o.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "helm", Operation: metav1.ManagedFieldsOperationApply}})
	store := objects{}
	store.put(o)
	kept := store.sorted()[0]
	if _, found, _ := unstructured.NestedFieldNoCopy(kept.Object, "metadata", "managedFields"); found {
		t.Errorf("the store kept metadata.managedFields: %v", kept.GetManagedFields())
	}
	if kept.GetName() != o.GetName() || kept.GetGeneration() != o.GetGeneration() {
		t.Errorf("the store changed more than managedFields: %v", kept.Object["metadata"])
	}
}
