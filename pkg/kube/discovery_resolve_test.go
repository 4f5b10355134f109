package kube

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kwait-dev/kwait/pkg/apitype"
)

func TestServedHint(t *testing.T) {
	t.Parallel()
	served := []apitype.Type{
		{Group: "apps", Version: "v1", Resource: "deployments", Singular: "deployment", Kind: "Deployment", ShortNames: []string{"deploy"}},
		{Version: "v1", Resource: "configmaps", Singular: "configmap", Kind: "ConfigMap", ShortNames: []string{"cm"}},
	}
	for raw, want := range map[string]string{
		"deploymnets":         "; did you mean deployments?",
		"configmpa":           "; did you mean configmaps?",
		"widgets":             "",
		"deploymnets.example": "", // a group: a CRD may serve it
	} {
		n, err := apitype.ParseName(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := servedHint(n, served); got != want {
			t.Errorf("servedHint(%s) = %q, want %q", raw, got, want)
		}
	}
}

// TestResolveDeleteOnlyAbsentViaCRD: a type that is not served, with only
// --for delete, is ready (the object cannot exist) only when the type is
// written PLURAL[.VERSION].GROUP and the CRD of that name does not exist.
// A type discovery could not be asked about, a CRD that could not be read,
// or a name that cannot be matched to a CRD keeps the target pending until
// its deadline.
func TestResolveDeleteOnlyAbsentViaCRD(t *testing.T) {
	t.Parallel()
	forbidCRDs := func(fake *clienttesting.Fake) {
		fake.PrependReactor("list", "customresourcedefinitions", func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions"}, "",
				errors.New(`User "kwait" cannot list resource "customresourcedefinitions"`))
		})
	}
	tests := []struct {
		name      string
		typ       string
		discovery int // HTTP status of every discovery answer; 0 is OK
		setup     func(*clienttesting.Fake)
		rules     []string // default: delete
		ready     bool
		reason    string // reported while pending
		crdLists  bool   // whether the CRD is looked for
	}{
		{name: "plural.group, no CRD", typ: "tenants.minio.min.io", ready: true, crdLists: true},
		{name: "plural.version.group, no CRD", typ: "tenants.v2.minio.min.io", ready: true, crdLists: true},
		{name: "discovery fails", typ: "tenants.minio.min.io", discovery: http.StatusInternalServerError,
			reason: "apiserver: "},
		{name: "discovery forbidden", typ: "tenants.minio.min.io", discovery: http.StatusForbidden,
			reason: "forbidden: "},
		{name: "CRD list forbidden", typ: "tenants.minio.min.io", setup: forbidCRDs,
			reason: `forbidden: customresourcedefinitions.apiextensions.k8s.io is forbidden`, crdLists: true},
		{name: "no CRD, a rule besides delete", typ: "tenants.minio.min.io", rules: []string{"delete", "condition=Ready"},
			reason: "type tenants.minio.min.io not served yet; CRD tenants.minio.min.io: not found", crdLists: true},
		{name: "bare plural", typ: "tenants", reason: "type tenants not served yet"},
		{name: "kind.group", typ: "Tenant.minio.min.io", reason: "type Tenant.minio.min.io not served yet"},
		{name: "short name", typ: "tn", reason: "type tn not served yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake, c := fakeClient()
				if tt.setup != nil {
					tt.setup(&fake.Fake)
				}
				api := &fakeAPI{}
				api.set(nil, tt.discovery)
				c.index = api.index()
				ruleSpecs := tt.rules
				if ruleSpecs == nil {
					ruleSpecs = []string{"delete"}
				}
				tg, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, tt.typ), Name: "store", Rules: rules(t, ruleSpecs...)})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
				defer cancel()
				r := newReasons()
				err = tg.Wait(ctx, r.report)
				switch {
				case tt.ready && err != nil:
					t.Fatalf("Wait() = %v, want nil: without its CRD the object cannot exist", err)
				case !tt.ready && !errors.Is(err, context.DeadlineExceeded):
					t.Fatalf("Wait() = %v, want to be pending until the deadline (reasons %q)", err, r.all)
				}
				if !tt.ready && !slices.ContainsFunc(r.all, func(s string) bool { return strings.Contains(s, tt.reason) }) {
					t.Errorf("reasons %q, want one containing %q", r.all, tt.reason)
				}
				crdLists := slices.ContainsFunc(fake.Actions(), func(a clienttesting.Action) bool {
					return a.GetVerb() == "list" && a.GetResource() == crdsGVR
				})
				if got := crdLists; got != tt.crdLists {
					t.Errorf("CRD listed: %v, want %v (actions %v)", got, tt.crdLists, fake.Actions())
				}
				if !tt.ready && api.requests.Load() < 4 {
					t.Errorf("%d discovery requests in two minutes, want discovery asked again", api.requests.Load())
				}
			})
		})
	}
}

// TestResolveFindsTypeServedLater: a type that discovery starts serving
// while the target waits is then watched, whatever form names it.
func TestResolveFindsTypeServedLater(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient()
		api := &fakeAPI{}
		c.index = api.index()
		tg, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, "wd"), Name: "w", Rules: rules(t, "delete")})
		if err != nil {
			t.Fatal(err)
		}
		r := newReasons()
		done := start(t.Context(), tg, r)
		r.await(t, "type wd not served yet")
		api.set([]apitype.Type{widgets}, 0)
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
	})
}

// TestResolveDiscoveryRecovers: after discovery errors the target keeps
// asking, and a type served once discovery answers is used.
func TestResolveDiscoveryRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient()
		api := &fakeAPI{}
		api.set([]apitype.Type{widgets}, http.StatusServiceUnavailable)
		c.index = api.index()
		tg, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, "widgets.example.com"), Name: "w", Rules: rules(t, "delete")})
		if err != nil {
			t.Fatal(err)
		}
		r := newReasons()
		done := start(t.Context(), tg, r)
		r.await(t, "apiserver: ")
		api.set([]apitype.Type{widgets}, 0)
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
	})
}
