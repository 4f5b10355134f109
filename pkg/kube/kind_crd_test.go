package kube

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/target"
)

const tenantsCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: tenants.minio.min.io}
spec:
  group: minio.min.io
  scope: Namespaced
  names: {plural: tenants, singular: tenant, kind: Tenant, listKind: TenantList}
  versions:
  - {name: v1, served: false, storage: false}
  - {name: v2, served: true, storage: true}
status:
  conditions:
  - {type: NamesAccepted, status: "True", reason: NoConflicts}
  - {type: Established, status: "True", reason: InitialNamesAccepted}
`

// discovery serves the tenants resource in minio.min.io/v2 once served is
// set, and counts its requests.
type discovery struct {
	served   atomic.Bool
	requests atomic.Int32
}

func (d *discovery) Resources(_ context.Context, gv string) ([]metav1.APIResource, error) {
	d.requests.Add(1)
	if gv == "minio.min.io/v2" && d.served.Load() {
		return []metav1.APIResource{{Name: "tenants", Namespaced: true, Kind: "Tenant"}}, nil
	}
	return nil, nil
}

func TestCRDWaitsUntilServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient(obj(t, tenantsCRD))
		d := &discovery{}
		c.versions = d
		r := newReasons()
		done := start(t.Context(), c.Kind(mustKind(t, "crd"), "", "tenants.minio.min.io", kind.Params{}), r)
		r.await(t, "not yet served in discovery of minio.min.io/v2")
		d.served.Store(true)
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
	})
}

func TestCRDAlreadyReadyCostsTwoRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, tenantsCRD))
		d := &discovery{}
		d.served.Store(true)
		c.versions = d
		if err := c.Kind(mustKind(t, "crd"), "", "tenants.minio.min.io", kind.Params{}).Wait(t.Context(), func(string) {}); err != nil {
			t.Fatalf("Wait() = %v", err)
		}
		if n := len(fake.Actions()) + int(d.requests.Load()); n != 2 {
			t.Errorf("made %d requests, want 2 (one list, one discovery of the served version)", n)
		}
	})
}

func TestCRDNamesRejectedFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient(obj(t, `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: tenants.minio.min.io}
spec: {group: minio.min.io, names: {plural: tenants, kind: Tenant}}
status:
  conditions:
  - {type: NamesAccepted, status: "False", reason: PluralConflict, message: '"tenants" is already in use'}
  - {type: Established, status: "False", reason: NotAccepted}
`))
		c.versions = &discovery{}
		err := c.Kind(mustKind(t, "crd"), "", "tenants.minio.min.io", kind.Params{}).Wait(t.Context(), func(string) {})
		if !target.IsFailed(err) || !strings.Contains(err.Error(), "PluralConflict") {
			t.Fatalf("Wait() = %v, want a failure naming PluralConflict", err)
		}
	})
}

func TestResourceWaitsForItsCRD(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		tg, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, "tenants.minio.min.io"), Name: "store", Rules: rules(t, "condition=Ready")})
		if err != nil {
			t.Fatal(err)
		}
		if tg.Name() != "tenants.minio.min.io/default/store" {
			t.Errorf("Name() = %q", tg.Name())
		}
		r := newReasons()
		done := start(t.Context(), tg, r)
		r.await(t, "CRD tenants.minio.min.io: not found")
		if _, err := fake.Resource(crdsGVR).Create(t.Context(), obj(t, tenantsCRD), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		r.await(t, "not found")
		cr := &unstructured.Unstructured{}
		cr.SetAPIVersion("minio.min.io/v2")
		cr.SetKind("Tenant")
		cr.SetNamespace("default")
		cr.SetName("store")
		_ = unstructured.SetNestedSlice(cr.Object, []any{map[string]any{"type": "Ready", "status": "True"}}, "status", "conditions")
		if _, err := fake.Resource(tenantsGVR).Namespace("default").Create(t.Context(), cr, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
	})
}

func TestResourceDeleteWithoutCRDIsReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient()
		tg, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, "tenants.minio.min.io"), Name: "store", Rules: rules(t, "delete")})
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.Wait(t.Context(), func(string) {}); err != nil {
			t.Fatalf("Wait() = %v, want nil: without its CRD the object cannot exist", err)
		}
	})
}

// blockingDiscovery answers only when released, counting requests.
type blockingDiscovery struct {
	release  chan struct{}
	requests atomic.Int32
}

func (d *blockingDiscovery) Resources(ctx context.Context, gv string) ([]metav1.APIResource, error) {
	d.requests.Add(1)
	<-d.release
	return []metav1.APIResource{{Name: "tenants"}}, nil
}

func TestSharedDiscoveryJoinsConcurrentRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &blockingDiscovery{release: make(chan struct{})}
		shared := &sharedVersions{d: inner}
		done := make(chan error, 5)
		for range 5 {
			go func() {
				_, err := shared.Resources(t.Context(), "minio.min.io/v2")
				done <- err
			}()
		}
		synctest.Wait() // all five are blocked on the one request
		close(inner.release)
		for range 5 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		if n := inner.requests.Load(); n != 1 {
			t.Errorf("%d requests for 5 concurrent callers, want 1", n)
		}
	})
}

// minioDiscovery serves two resources in minio.min.io/v2 and counts its
// requests.
type minioDiscovery struct{ requests atomic.Int32 }

func (d *minioDiscovery) Resources(context.Context, string) ([]metav1.APIResource, error) {
	d.requests.Add(1)
	return []metav1.APIResource{{Name: "tenants"}, {Name: "policybindings"}}, nil
}

// TestCRDsOfOneGroupShareDiscovery: a CRD whose plural an earlier discovery
// document of the run listed needs no discovery request of its own, so N
// CRDs of one group cost N watches and about one discovery request.
func TestCRDsOfOneGroupShareDiscovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		policies := strings.NewReplacer("tenants", "policybindings", "tenant", "policybinding", "Tenant", "PolicyBinding").Replace(tenantsCRD)
		_, c := fakeClient(obj(t, tenantsCRD), obj(t, policies))
		d := &minioDiscovery{}
		c.versions = d
		for _, name := range []string{"tenants.minio.min.io", "policybindings.minio.min.io"} {
			if err := c.Kind(mustKind(t, "crd"), "", name, kind.Params{}).Wait(t.Context(), func(string) {}); err != nil {
				t.Fatalf("Wait(%s) = %v", name, err)
			}
		}
		if n := d.requests.Load(); n != 1 {
			t.Errorf("%d discovery requests for two CRDs of one group/version, want 1", n)
		}
	})
}
