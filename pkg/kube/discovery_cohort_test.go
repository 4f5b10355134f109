package kube

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kwait-dev/kwait/pkg/kind"
)

// policyBindingsCRD is tenantsCRD's sibling in group minio.min.io.
func policyBindingsCRD() string {
	return strings.NewReplacer("tenants", "policybindings", "tenant", "policybinding", "Tenant", "PolicyBinding").Replace(tenantsCRD)
}

// byNameOnly makes the fake's lists and watches of gvr honour a
// metadata.name field selector, as the apiserver does: the fake ignores
// field selectors, and a CRD target would take a sibling for its own.
func byNameOnly(fake *dynamicfake.FakeDynamicClient, gvr schema.GroupVersionResource, kind string) {
	selected := func(sel fields.Selector, obj runtime.Object) bool {
		m, err := meta.Accessor(obj)
		return err == nil && sel.Matches(fields.Set{"metadata.name": m.GetName()})
	}
	fake.PrependReactor("list", gvr.Resource, func(a clienttesting.Action) (bool, runtime.Object, error) {
		restrictions := a.(clienttesting.ListActionImpl).ListRestrictions
		all, err := fake.Tracker().List(gvr, gvr.GroupVersion().WithKind(kind), a.GetNamespace())
		if err != nil {
			return true, nil, err
		}
		list := all.(*unstructured.UnstructuredList)
		list.Items = slices.DeleteFunc(list.Items, func(u unstructured.Unstructured) bool { return !selected(restrictions.Fields, &u) })
		return true, list, nil
	})
	fake.PrependWatchReactor(gvr.Resource, func(a clienttesting.Action) (bool, watch.Interface, error) {
		restrictions := a.(clienttesting.WatchActionImpl).WatchRestrictions
		w, err := fake.Tracker().Watch(gvr, a.GetNamespace())
		if err != nil {
			return true, nil, err
		}
		return true, watch.Filter(w, func(e watch.Event) (watch.Event, bool) { return e, selected(restrictions.Fields, e.Object) }), nil
	})
}

// heldDiscovery serves both CRDs of minio.min.io once released, counting
// requests.
type heldDiscovery struct {
	release  chan struct{}
	requests atomic.Int32
}

func (d *heldDiscovery) Resources(ctx context.Context, gv string) ([]metav1.APIResource, error) {
	d.requests.Add(1)
	<-d.release
	return []metav1.APIResource{{Name: "tenants"}, {Name: "policybindings"}}, nil
}

// TestCRDsEstablishedApartShareDiscovery: the first CRD of a group waits
// for its sibling to be Established before it asks discovery, and then
// both share one request, though they became Established apart.
func TestCRDsEstablishedApartShareDiscovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, tenantsCRD))
		byNameOnly(fake, crdsGVR, "CustomResourceDefinition")
		d := &heldDiscovery{release: make(chan struct{})}
		c.versions = &sharedVersions{d: d}
		crd := mustKind(t, "crd")
		first, second := newReasons(), newReasons()
		// Built before any waits, as kwait builds every target first.
		tenants, bindings := c.Kind(crd, "", "tenants.minio.min.io", kind.Params{}), c.Kind(crd, "", "policybindings.minio.min.io", kind.Params{})
		done1, done2 := start(t.Context(), tenants, first), start(t.Context(), bindings, second)
		first.await(t, "asking discovery once 1 more CRD(s) of minio.min.io are")
		synctest.Wait()
		if n := d.requests.Load(); n != 0 {
			t.Fatalf("%d discovery requests while a sibling is not Established, want 0", n)
		}
		if _, err := fake.Resource(crdsGVR).Create(t.Context(), obj(t, policyBindingsCRD()), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // both are in the one discovery request
		close(d.release)
		for _, done := range []<-chan error{done1, done2} {
			if err := <-done; err != nil {
				t.Fatalf("Wait() = %v", err)
			}
		}
		if n := d.requests.Load(); n != 1 {
			t.Errorf("%d discovery requests for two CRDs of one group, want 1", n)
		}
	})
}

// TestCRDHeldBySiblingsOnly: a sibling of its group that is never created
// holds a CRD for cohortQuiet only; a CRD of another group never holds it.
func TestCRDHeldBySiblingsOnly(t *testing.T) {
	for _, tc := range []struct {
		other string
		held  time.Duration
	}{
		{"policybindings.minio.min.io", cohortQuiet},
		{"widgets.example.com", 0},
	} {
		t.Run(tc.other, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake, c := fakeClient(obj(t, tenantsCRD))
				byNameOnly(fake, crdsGVR, "CustomResourceDefinition")
				c.versions = &minioDiscovery{}
				crd := mustKind(t, "crd")
				started := time.Now()
				tenants, other := c.Kind(crd, "", "tenants.minio.min.io", kind.Params{}), c.Kind(crd, "", tc.other, kind.Params{})
				done := start(t.Context(), tenants, newReasons())
				_ = start(t.Context(), other, newReasons())
				if err := <-done; err != nil {
					t.Fatalf("Wait() = %v", err)
				}
				if held := time.Since(started); held != tc.held {
					t.Errorf("held %v by %s that does not exist, want %v", held, tc.other, tc.held)
				}
			})
		})
	}
}
