package apitype

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func mustParse(t *testing.T, s string) Name {
	t.Helper()
	n, err := ParseName(s)
	if err != nil {
		t.Fatalf("ParseName(%q): %v", s, err)
	}
	return n
}

// Custom types served next to the built-in ones in the tests below.
var (
	widgetsV1      = Type{Group: "example.com", Version: "v1", Resource: "widgets", Singular: "widget", Kind: "Widget", ShortNames: []string{"wd"}, Namespaced: true}
	widgetsV1beta1 = Type{Group: "example.com", Version: "v1beta1", Resource: "widgets", Singular: "widget", Kind: "Widget", ShortNames: []string{"wd"}, Namespaced: true}
	widgetsOrg     = Type{Group: "example.org", Version: "v1", Resource: "widgets", Singular: "widget", Kind: "Widget", Namespaced: true}
	tenantsV2      = Type{Group: "minio.min.io", Version: "v2", Resource: "tenants", Singular: "tenant", Kind: "Tenant", Namespaced: true}
	// A group whose first label looks like a version.
	thingsV2Group = Type{Group: "v2.example.com", Version: "v1", Resource: "things", Singular: "thing", Kind: "Thing"}
	// CRDs reusing built-in names: the built-in group must win.
	crdDeployments = Type{Group: "apps.example.com", Version: "v1", Resource: "deployments", Singular: "deployment", Kind: "Deployment", ShortNames: []string{"deploy"}, Namespaced: true}
	crdCM          = Type{Group: "example.com", Version: "v1", Resource: "cmaps", Singular: "cmap", Kind: "CMap", ShortNames: []string{"cm"}, Namespaced: true}
	// A type whose discovery document leaves the singular out.
	noSingular = Type{Group: "legacy.example.com", Version: "v1", Resource: "gadgets", Kind: "Gadget"}
)

func TestResolve(t *testing.T) {
	t.Parallel()
	custom := append([]Type{widgetsV1, widgetsV1beta1, tenantsV2, thingsV2Group, noSingular}, Builtins()...)
	clashing := append([]Type{crdDeployments, crdCM}, Builtins()...)
	tests := []struct {
		name   string
		served []Type // nil: Builtins()
		want   string // group/version, Resource=plural, as schema prints a GVR
	}{
		// TOKEN: kind in any case, singular, plural, short name.
		{name: "Deployment", want: "apps/v1, Resource=deployments"},
		{name: "deployment", want: "apps/v1, Resource=deployments"},
		{name: "DEPLOYMENT", want: "apps/v1, Resource=deployments"},
		{name: "dePloyMents", want: "apps/v1, Resource=deployments"},
		{name: "deployments", want: "apps/v1, Resource=deployments"},
		{name: "deploy", want: "apps/v1, Resource=deployments"},
		{name: "cm", want: "/v1, Resource=configmaps"},
		{name: "configmaps", want: "/v1, Resource=configmaps"},
		{name: "crd", want: "apiextensions.k8s.io/v1, Resource=customresourcedefinitions"},
		{name: "crds", want: "apiextensions.k8s.io/v1, Resource=customresourcedefinitions"},
		{name: "CustomResourceDefinition", want: "apiextensions.k8s.io/v1, Resource=customresourcedefinitions"},
		{name: "hpa", want: "autoscaling/v2, Resource=horizontalpodautoscalers"},
		{name: "Endpoints", want: "/v1, Resource=endpoints"},
		// TOKEN.GROUP: plural, singular, kind, short name.
		{name: "deployments.apps", want: "apps/v1, Resource=deployments"},
		{name: "deployment.apps", want: "apps/v1, Resource=deployments"},
		{name: "Deployment.apps", want: "apps/v1, Resource=deployments"},
		{name: "deploy.apps", want: "apps/v1, Resource=deployments"},
		{name: "ingress.networking.k8s.io", want: "networking.k8s.io/v1, Resource=ingresses"},
		{name: "ing.networking.k8s.io", want: "networking.k8s.io/v1, Resource=ingresses"},
		// TOKEN.VERSION.GROUP.
		{name: "deployments.v1.apps", want: "apps/v1, Resource=deployments"},
		{name: "Deployment.v1.apps", want: "apps/v1, Resource=deployments"},
		{name: "horizontalpodautoscalers.v2.autoscaling", want: "autoscaling/v2, Resource=horizontalpodautoscalers"},
		// TOKEN.VERSION: the core group only.
		{name: "configmaps.v1", want: "/v1, Resource=configmaps"},
		{name: "ConfigMap.v1", want: "/v1, Resource=configmaps"},
		{name: "cm.v1", want: "/v1, Resource=configmaps"},
		// Built-in groups win: the core group first, then table order.
		{name: "events", want: "/v1, Resource=events"},
		{name: "event", want: "/v1, Resource=events"},
		{name: "Event", want: "/v1, Resource=events"},
		{name: "ev", want: "/v1, Resource=events"},
		{name: "events.events.k8s.io", want: "events.k8s.io/v1, Resource=events"},
		{name: "events.v1.events.k8s.io", want: "events.k8s.io/v1, Resource=events"},
		{name: "events.v1", want: "/v1, Resource=events"},
		{name: "deployments", served: clashing, want: "apps/v1, Resource=deployments"},
		{name: "deploy", served: clashing, want: "apps/v1, Resource=deployments"},
		{name: "Deployment", served: clashing, want: "apps/v1, Resource=deployments"},
		{name: "cm", served: clashing, want: "/v1, Resource=configmaps"},
		{name: "deployments.apps.example.com", served: clashing, want: "apps.example.com/v1, Resource=deployments"},
		{name: "cmaps", served: clashing, want: "example.com/v1, Resource=cmaps"},
		// Custom types: the preferred (first listed) version unless one is given.
		{name: "widgets", served: custom, want: "example.com/v1, Resource=widgets"},
		{name: "wd", served: custom, want: "example.com/v1, Resource=widgets"},
		{name: "Widget", served: custom, want: "example.com/v1, Resource=widgets"},
		{name: "widgets.example.com", served: custom, want: "example.com/v1, Resource=widgets"},
		{name: "widget.example.com", served: custom, want: "example.com/v1, Resource=widgets"},
		{name: "widgets.v1beta1.example.com", served: custom, want: "example.com/v1beta1, Resource=widgets"},
		{name: "Widget.v1beta1.example.com", served: custom, want: "example.com/v1beta1, Resource=widgets"},
		{name: "tenants.minio.min.io", served: custom, want: "minio.min.io/v2, Resource=tenants"},
		{name: "tenants.v2.minio.min.io", served: custom, want: "minio.min.io/v2, Resource=tenants"},
		{name: "Tenant.minio.min.io", served: custom, want: "minio.min.io/v2, Resource=tenants"},
		// "things.v2.example.com": no version v2 in group example.com, so
		// it is resource things of group v2.example.com, as kubectl reads it.
		{name: "things.v2.example.com", served: custom, want: "v2.example.com/v1, Resource=things"},
		{name: "things.v1.v2.example.com", served: custom, want: "v2.example.com/v1, Resource=things"},
		// Without a singular in discovery, the lower-case kind is one.
		{name: "gadget", served: custom, want: "legacy.example.com/v1, Resource=gadgets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			served := tt.served
			if served == nil {
				served = Builtins()
			}
			got, err := Resolve(mustParse(t, tt.name), served)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.name, err)
			}
			if got.GVR().String() != tt.want {
				t.Errorf("Resolve(%q) = %s, want %s", tt.name, got.GVR(), tt.want)
			}
			if !slices.ContainsFunc(served, func(s Type) bool { return reflect.DeepEqual(s, got) }) {
				t.Errorf("Resolve(%q) = %#v, which is not one of the served types", tt.name, got)
			}
		})
	}
}

func TestResolveNotServed(t *testing.T) {
	t.Parallel()
	served := append([]Type{widgetsV1, tenantsV2}, Builtins()...)
	for _, name := range []string{
		"widgetz", "gadgets", "widgets.apps", "widgets.v1.apps", "deployments.v9.apps", "deployments.v1beta1.apps",
		"deployments.v2", "configmaps.v2", "configmaps.apps", "deployments.extensions", "Deployment.v1",
		"widgets.v2.example.com", "widgets.example", "tenants.min.io", "deploy.v1.apps.example.com",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Resolve(mustParse(t, name), served)
			if !errors.Is(err, ErrNotServed) {
				t.Fatalf("Resolve(%q) = %v, %v; want ErrNotServed", name, got, err)
			}
			if !strings.Contains(err.Error(), `"`+name+`"`) {
				t.Errorf("Resolve(%q) error %q does not name the type", name, err)
			}
			if !reflect.DeepEqual(got, Type{}) {
				t.Errorf("Resolve(%q) failed but returned %#v", name, got)
			}
		})
	}
	if _, err := Resolve(mustParse(t, "pods"), nil); !errors.Is(err, ErrNotServed) {
		t.Errorf("Resolve(pods, nothing served) = %v, want ErrNotServed", err)
	}
}

func TestResolveAmbiguous(t *testing.T) {
	t.Parallel()
	served := append([]Type{widgetsV1, widgetsV1beta1, widgetsOrg}, Builtins()...)
	for _, name := range []string{"widgets", "widget", "Widget", "WIDGETS"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Resolve(mustParse(t, name), served)
			var amb *AmbiguousError
			if !errors.As(err, &amb) {
				t.Fatalf("Resolve(%q) = %v, want an *AmbiguousError", name, err)
			}
			// example.com is named once, though it serves two versions.
			want := []string{"widgets.example.com", "widgets.example.org"}
			if amb.Name != name || !slices.Equal(amb.Candidates, want) {
				t.Errorf("Resolve(%q) = %#v, want name %q and candidates %q", name, amb, name, want)
			}
			for _, c := range want {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("error %q does not name %s", err, c)
				}
			}
			if errors.Is(err, ErrNotServed) {
				t.Errorf("an ambiguous name is not ErrNotServed: %v", err)
			}
		})
	}
	// The group settles it; a short name only one group has does too.
	for name, want := range map[string]string{"widgets.example.org": "example.org", "widgets.v1.example.com": "example.com", "wd": "example.com"} {
		got, err := Resolve(mustParse(t, name), served)
		if err != nil || got.Group != want {
			t.Errorf("Resolve(%q) = %v, %v; want group %s", name, got, err, want)
		}
	}
}

func TestResolveBuiltin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want string // empty: not built in
	}{
		{name: "deployments.apps", want: "apps/v1, Resource=deployments"},
		{name: "deployment.apps", want: "apps/v1, Resource=deployments"},
		{name: "deployments.v1.apps", want: "apps/v1, Resource=deployments"},
		{name: "configmaps", want: "/v1, Resource=configmaps"},
		{name: "ingress.networking.k8s.io", want: "networking.k8s.io/v1, Resource=ingresses"},
		{name: "knativeservings.operator.knative.dev"},
		{name: "tenants.v2.minio.min.io"},
		{name: "widgets"},
		{name: "widgets.apps"},
		{name: "deployments.v9.apps"},
		{name: "cronjobs.v1beta1.batch"},
	}
	for _, tt := range tests {
		got, ok := ResolveBuiltin(mustParse(t, tt.name))
		switch {
		case ok != (tt.want != ""):
			t.Errorf("ResolveBuiltin(%q) = %v, %v; want built in: %v", tt.name, got, ok, tt.want != "")
		case ok && got.GVR().String() != tt.want:
			t.Errorf("ResolveBuiltin(%q) = %s, want %s", tt.name, got.GVR(), tt.want)
		}
	}
}

func TestParseName(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"deployments", "Deployment", "deploy", "deployments.apps", "Deployment.v1.apps", "configmaps.v1",
		"tenants.v2.minio.min.io", "a", "a-b.c-d", "x1.v1", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63),
	} {
		n, err := ParseName(s)
		if err != nil {
			t.Errorf("ParseName(%q): %v", s, err)
		} else if n.String() != s {
			t.Errorf("ParseName(%q).String() = %q", s, n.String())
		}
	}
	for s, reason := range map[string]string{
		"":                         "empty resource type",
		strings.Repeat("a.", 127):  "longer than 253",
		"-a":                       "is not TYPE",
		"a-":                       "is not TYPE",
		"a.":                       "is not TYPE",
		".a":                       "is not TYPE",
		"a..b":                     "is not TYPE",
		"a_b":                      "is not TYPE",
		"a/b":                      "is not TYPE",
		"a b":                      "is not TYPE",
		"a:b":                      "is not TYPE",
		"deployments.apps\n":       "is not TYPE",
		"déployments":              "is not TYPE",
		strings.Repeat("a", 254):   "longer than 253",
		"deployments.apps.":        "is not TYPE",
		"Deployment.v1.apps/extra": "is not TYPE",
	} {
		n, err := ParseName(s)
		if err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("ParseName(%q) = %v, %v; want an error containing %q", s, n, err, reason)
			continue
		}
		if strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("ParseName(%q): error is not one line: %q", s, err)
		}
	}
}

func TestNameReadings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want []reading
	}{
		{"deploy", []reading{{token: "deploy"}}},
		{"deployments.apps", []reading{{token: "deployments", group: "apps"}}},
		{"configmaps.v1", []reading{{token: "configmaps", group: "v1"}, {token: "configmaps", version: "v1"}}},
		{"deployments.v1.apps", []reading{{token: "deployments", version: "v1", group: "apps"}, {token: "deployments", group: "v1.apps"}}},
		{"ingresses.networking.k8s.io", []reading{{token: "ingresses", version: "networking", group: "k8s.io"}, {token: "ingresses", group: "networking.k8s.io"}}},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.name).readings(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("readings(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestNameForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		grouped, coreForm bool
		crd, crdVersion   string
		isCRD             bool
	}{
		{name: "tenants"},
		{name: "Tenant"},
		{name: "tn"},
		{name: "deployments.apps", grouped: true},
		{name: "Deployment.apps", grouped: true},
		{name: "configmaps.v1", grouped: true, coreForm: true},
		{name: "configmaps.v1beta1", grouped: true, coreForm: true},
		{name: "configmaps.V1", grouped: true},
		// Read as PLURAL.VERSION.GROUP, group "apps" has no dot: the only
		// CRD it can name is "deployments.v1.apps" (group "v1.apps").
		{name: "deployments.v1.apps", grouped: true, crd: "deployments.v1.apps", isCRD: true},
		{name: "tenants.minio.min.io", grouped: true, crd: "tenants.minio.min.io", isCRD: true},
		{name: "tenants.v2.minio.min.io", grouped: true, crd: "tenants.minio.min.io", crdVersion: "v2", isCRD: true},
		{name: "tenants.v1beta1.minio.min.io", grouped: true, crd: "tenants.minio.min.io", crdVersion: "v1beta1", isCRD: true},
		{name: "widgets.example.com", grouped: true, crd: "widgets.example.com", isCRD: true},
		{name: "widgets.v1.example.com", grouped: true, crd: "widgets.example.com", crdVersion: "v1", isCRD: true},
		// Group "v1.io": a CRD's group needs a dot, so "io" cannot be one.
		{name: "widgets.v1.io", grouped: true, crd: "widgets.v1.io", isCRD: true},
		{name: "ingresses.networking.k8s.io", grouped: true, crd: "ingresses.networking.k8s.io", isCRD: true},
		// Kinds, singulars written in upper case cannot name a CRD.
		{name: "Tenant.minio.min.io", grouped: true},
		{name: "Tenant.v2.minio.min.io", grouped: true},
		{name: "tenants.V2.minio.min.io", grouped: true},
	}
	for _, tt := range tests {
		n := mustParse(t, tt.name)
		if got := n.Grouped(); got != tt.grouped {
			t.Errorf("%q.Grouped() = %v, want %v", tt.name, got, tt.grouped)
		}
		if got := n.CoreForm(); got != tt.coreForm {
			t.Errorf("%q.CoreForm() = %v, want %v", tt.name, got, tt.coreForm)
		}
		crd, v, ok := n.CRD()
		if crd != tt.crd || v != tt.crdVersion || ok != tt.isCRD {
			t.Errorf("%q.CRD() = %q, %q, %v; want %q, %q, %v", tt.name, crd, v, ok, tt.crd, tt.crdVersion, tt.isCRD)
		}
	}
	if crd, v, ok := (Name{}).CRD(); crd != "" || v != "" || ok {
		t.Errorf("zero Name.CRD() = %q, %q, %v", crd, v, ok)
	}
}

func TestTypeWatchableAndString(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		verbs []string
		want  bool
	}{
		{nil, true},
		{[]string{"get", "list", "watch"}, true},
		{[]string{"list", "watch"}, true},
		{[]string{"get", "list"}, false},
		{[]string{"watch"}, false},
		{[]string{"create"}, false},
	} {
		if got := (Type{Verbs: tt.verbs}).Watchable(); got != tt.want {
			t.Errorf("Watchable(%q) = %v, want %v", tt.verbs, got, tt.want)
		}
	}
	if s := (Type{Version: "v1", Resource: "pods"}).String(); s != "pods" {
		t.Errorf("core String() = %q, want pods", s)
	}
	if s := widgetsV1.String(); s != "widgets.example.com" {
		t.Errorf("String() = %q, want widgets.example.com", s)
	}
}
