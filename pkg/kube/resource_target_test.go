package kube

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/readiness"
)

// fakeAPI is an apiserver's discovery: it answers GET /api and GET /apis
// with aggregated discovery documents listing types, or, while fail is set,
// with an error of that HTTP status. No request touches the network.
type fakeAPI struct {
	mu    sync.Mutex
	types []apitype.Type
	fail  int

	requests atomic.Int32
}

func (a *fakeAPI) set(types []apitype.Type, fail int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.types, a.fail = types, fail
}

// index is a typeIndex that reads a, through a REST client configured as
// NewClient configures its own.
func (a *fakeAPI) index() *typeIndex {
	cfg := dynamic.ConfigFor(&rest.Config{Host: "https://apiserver.test", QPS: -1})
	cfg.GroupVersion = nil
	cfg.APIPath = "/apis"
	rc, err := rest.UnversionedRESTClientForConfigAndClient(cfg, &http.Client{Transport: roundTrip(a.serve)})
	if err != nil {
		panic(err)
	}
	return &typeIndex{rc: rc}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func (a *fakeAPI) serve(req *http.Request) (*http.Response, error) {
	a.requests.Add(1)
	a.mu.Lock()
	types, fail := a.types, a.fail
	a.mu.Unlock()
	if fail != 0 {
		status := apierrors.NewGenericServerResponse(fail, "get", schema.GroupResource{}, "", "discovery is down", 0, true).ErrStatus
		status.Kind, status.APIVersion = "Status", "v1"
		return jsonResponse(req, fail, status)
	}
	var core bool
	switch req.URL.Path {
	case "/api":
		core = true
	case "/apis":
	default:
		return jsonResponse(req, http.StatusNotFound, metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
			Status: metav1.StatusFailure, Reason: metav1.StatusReasonNotFound, Code: http.StatusNotFound})
	}
	doc := apidiscoveryv2.APIGroupDiscoveryList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupDiscoveryList", APIVersion: "apidiscovery.k8s.io/v2"}}
	for _, t := range types {
		if (t.Group == "") != core {
			continue
		}
		gi := slices.IndexFunc(doc.Items, func(g apidiscoveryv2.APIGroupDiscovery) bool { return g.Name == t.Group })
		if gi < 0 {
			doc.Items = append(doc.Items, apidiscoveryv2.APIGroupDiscovery{ObjectMeta: metav1.ObjectMeta{Name: t.Group}})
			gi = len(doc.Items) - 1
		}
		g := &doc.Items[gi]
		vi := slices.IndexFunc(g.Versions, func(v apidiscoveryv2.APIVersionDiscovery) bool { return v.Version == t.Version })
		if vi < 0 {
			g.Versions = append(g.Versions, apidiscoveryv2.APIVersionDiscovery{Version: t.Version})
			vi = len(g.Versions) - 1
		}
		scope := apidiscoveryv2.ScopeCluster
		if t.Namespaced {
			scope = apidiscoveryv2.ScopeNamespace
		}
		verbs := t.Verbs
		if verbs == nil {
			verbs = []string{"get", "list", "watch"}
		}
		g.Versions[vi].Resources = append(g.Versions[vi].Resources, apidiscoveryv2.APIResourceDiscovery{
			Resource: t.Resource, SingularResource: t.Singular, ShortNames: t.ShortNames, Scope: scope, Verbs: verbs,
			ResponseKind: &metav1.GroupVersionKind{Group: t.Group, Version: t.Version, Kind: t.Kind},
		})
	}
	return jsonResponse(req, http.StatusOK, doc)
}

func jsonResponse(req *http.Request, code int, body any) (*http.Response, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return &http.Response{StatusCode: code, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(raw)), Request: req}, nil
}

func typeName(t *testing.T, s string) apitype.Name {
	t.Helper()
	n, err := apitype.ParseName(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func rules(t *testing.T, specs ...string) []readiness.Rule {
	t.Helper()
	var out []readiness.Rule
	for _, s := range specs {
		r, err := readiness.ParseRule(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// The custom types the tests' discovery serves.
var (
	widgets = apitype.Type{Group: "example.com", Version: "v1", Resource: "widgets", Singular: "widget", Kind: "Widget",
		ShortNames: []string{"wd"}, Namespaced: true}
	clusterWidgets = apitype.Type{Group: "example.com", Version: "v1", Resource: "widgets", Singular: "widget", Kind: "Widget"}
	otherWidgets   = apitype.Type{Group: "example.org", Version: "v1", Resource: "widgets", Singular: "widget", Kind: "Widget", Namespaced: true}
	getOnly        = apitype.Type{Group: "example.com", Version: "v1", Resource: "reviews", Singular: "review", Kind: "Review",
		Verbs: []string{"create"}}
)

// TestResourceScopeAndName: Resource refuses a namespace for a type it
// knows to be cluster-scoped (built in or found in discovery), and names
// the target TYPE/NAME for such a type, TYPE/NS/NAME otherwise (the
// default namespace when none is given, and when the type is not known).
func TestResourceScopeAndName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ, ns, name string
		served        []apitype.Type
		failDiscovery bool
		want          string // Name(); empty when Resource must fail
		err           string
	}{
		{typ: "namespaces", name: "prod", want: "namespaces/prod"},
		{typ: "ns", name: "prod", want: "ns/prod"},
		{typ: "Namespace", name: "prod", want: "Namespace/prod"},
		{typ: "clusterroles.rbac.authorization.k8s.io", name: "admin", want: "clusterroles.rbac.authorization.k8s.io/admin"},
		{typ: "crd", name: "a.b", want: "crd/a.b"},
		{typ: "configmaps", name: "cfg", want: "configmaps/default/cfg"},
		{typ: "cm", ns: "kube-system", name: "cfg", want: "cm/kube-system/cfg"},
		{typ: "deployments.v1.apps", ns: "prod", name: "api", want: "deployments.v1.apps/prod/api"},
		{typ: "widgets", name: "w", served: []apitype.Type{widgets}, want: "widgets/default/w"},
		{typ: "wd", ns: "prod", name: "w", served: []apitype.Type{widgets}, want: "wd/prod/w"},
		{typ: "widgets.example.com", name: "w", served: []apitype.Type{clusterWidgets}, want: "widgets.example.com/w"},
		// Not served, or discovery down: the scope is not known yet.
		{typ: "widgets.example.com", name: "w", want: "widgets.example.com/default/w"},
		{typ: "widgets.example.com", ns: "prod", name: "w", failDiscovery: true, want: "widgets.example.com/prod/w"},

		{typ: "namespaces", ns: "default", name: "x", err: "namespaces is cluster-scoped: name it without a namespace"},
		{typ: "ns", ns: "default", name: "x", err: "namespaces is cluster-scoped"},
		{typ: "nodes.v1", ns: "default", name: "x", err: "nodes is cluster-scoped"},
		{typ: "storageclasses.storage.k8s.io", ns: "default", name: "x", err: "storageclasses.storage.k8s.io is cluster-scoped"},
		{typ: "widgets", ns: "prod", name: "w", served: []apitype.Type{clusterWidgets}, err: "widgets.example.com is cluster-scoped"},
		{typ: "reviews", name: "r", served: []apitype.Type{getOnly}, err: "reviews.example.com cannot be listed and watched"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.ns+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := fakeClient()
			api := &fakeAPI{}
			fail := 0
			if tt.failDiscovery {
				fail = http.StatusInternalServerError
			}
			api.set(tt.served, fail)
			c.index = api.index()
			tg, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, tt.typ), Namespace: tt.ns, Name: tt.name, Rules: rules(t, "delete")})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Resource(%s, %q, %s) = %v, want an error containing %q", tt.typ, tt.ns, tt.name, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resource(%s, %q, %s): %v", tt.typ, tt.ns, tt.name, err)
			}
			if got := tg.Name(); got != tt.want {
				t.Errorf("Name() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestResourceBuiltinNeedsNoDiscovery: a type of the built-in table is
// resolved without a request.
func TestResourceBuiltinNeedsNoDiscovery(t *testing.T) {
	t.Parallel()
	_, c := fakeClient()
	api := &fakeAPI{}
	c.index = api.index()
	for _, typ := range []string{"deploy", "events", "Deployment.apps", "configmaps.v1", "crds"} {
		if _, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, typ), Name: "x", Rules: rules(t, "delete")}); err != nil {
			t.Fatalf("Resource(%s): %v", typ, err)
		}
	}
	if n := api.requests.Load(); n != 0 {
		t.Errorf("%d discovery requests, want none for built-in types", n)
	}
}

// TestResourceAmbiguous: a name two non-built-in groups serve is refused
// with an *AmbiguousError naming both, at once when discovery answers then.
func TestResourceAmbiguous(t *testing.T) {
	t.Parallel()
	_, c := fakeClient()
	api := &fakeAPI{}
	api.set([]apitype.Type{widgets, otherWidgets}, 0)
	c.index = api.index()
	_, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, "widgets"), Name: "w", Rules: rules(t, "delete")})
	var amb *apitype.AmbiguousError
	if !errors.As(err, &amb) {
		t.Fatalf("Resource(widgets) = %v, want an *apitype.AmbiguousError", err)
	}
	if !slices.Equal(amb.Candidates, []string{"widgets.example.com", "widgets.example.org"}) {
		t.Errorf("candidates = %q, want widgets.example.com and widgets.example.org", amb.Candidates)
	}
	if _, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, "widgets.example.org"), Name: "w", Rules: rules(t, "delete")}); err != nil {
		t.Errorf("Resource(widgets.example.org) = %v, want the group to settle it", err)
	}
}

// TestResourceServedTypeIsWatched: a type found in discovery is listed and
// judged; an object it does not list satisfies --for delete.
func TestResourceServedTypeIsWatched(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		api := &fakeAPI{}
		api.set([]apitype.Type{widgets}, 0)
		c.index = api.index()
		tg, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, "Widget"), Namespace: "prod", Name: "w", Rules: rules(t, "delete")})
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.Wait(t.Context(), func(string) {}); err != nil {
			t.Fatalf("Wait() = %v, want nil: the apiserver lists no such widget", err)
		}
		var listed []string
		for _, a := range fake.Actions() {
			if a.GetVerb() == "list" {
				listed = append(listed, a.GetResource().String()+" in "+a.GetNamespace())
			}
		}
		if want := []string{widgetsGVR.String() + " in prod"}; !slices.Equal(listed, want) {
			t.Errorf("lists = %q, want %q", listed, want)
		}
	})
}
