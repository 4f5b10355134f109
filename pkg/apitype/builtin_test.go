package apitype

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestBuiltinsTable(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i, b := range Builtins() {
		key := b.Resource + "." + b.Group
		if seen[key] {
			t.Errorf("%s is in the table twice", key)
		}
		seen[key] = true
		switch {
		case b.Kind == "" || b.Singular == "" || b.Version == "" || b.Resource == "":
			t.Errorf("entry %d %#v lacks its kind, singular, version or resource", i, b)
		case b.Singular != strings.ToLower(b.Kind):
			t.Errorf("%s: singular %q is not the lower-case kind %q", key, b.Singular, b.Kind)
		case b.Resource != strings.ToLower(b.Resource) || strings.ContainsAny(b.Resource, "./"):
			t.Errorf("%s: resource is not a lower-case plural", key)
		case !isVersion(b.Version):
			t.Errorf("%s: version %q", key, b.Version)
		case len(b.Verbs) != 0:
			t.Errorf("%s: the table leaves verbs empty (every built-in type is watchable)", key)
		}
		for _, s := range b.ShortNames {
			if s == "" || s != strings.ToLower(s) {
				t.Errorf("%s: short name %q", key, s)
			}
		}
		if i > 0 && b.Group == "" && Builtins()[i-1].Group != "" {
			t.Errorf("%s: the core group must come first (discovery order)", key)
		}
	}
	if !seen["pods."] || !seen["customresourcedefinitions.apiextensions.k8s.io"] || !seen["events.events.k8s.io"] {
		t.Error("the table lacks pods, customresourcedefinitions or events.k8s.io's events")
	}
}

// TestBuiltinsSharedNames: the only spellings two built-in types share are
// those of the two Event types, which kubectl settles by taking the core
// group's. A new entry sharing a name needs a deliberate choice.
func TestBuiltinsSharedNames(t *testing.T) {
	t.Parallel()
	owners := map[string][]string{}
	for _, b := range Builtins() {
		names := append([]string{b.Resource, b.Singular, strings.ToLower(b.Kind)}, b.ShortNames...)
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			owners[n] = append(owners[n], b.String())
		}
	}
	for name, types := range owners {
		want := 1
		if name == "events" || name == "event" || name == "ev" {
			want = 2
		}
		if len(types) != want {
			t.Errorf("%q names %q", name, types)
		}
	}
}

// TestBuiltinsResolveToThemselves: every spelling kubectl accepts for a
// built-in type, with its group, resolves to that type.
func TestBuiltinsResolveToThemselves(t *testing.T) {
	t.Parallel()
	for _, b := range Builtins() {
		var names []string
		for _, tok := range append([]string{b.Resource, b.Singular, b.Kind, strings.ToUpper(b.Kind)}, b.ShortNames...) {
			if b.Group == "" {
				names = append(names, tok+"."+b.Version)
			} else {
				names = append(names, tok+"."+b.Group, tok+"."+b.Version+"."+b.Group)
			}
		}
		for _, s := range names {
			n, err := ParseName(s)
			if err != nil {
				t.Errorf("ParseName(%q): %v", s, err)
				continue
			}
			got, ok := ResolveBuiltin(n)
			if !ok || !reflect.DeepEqual(got, b) {
				t.Errorf("ResolveBuiltin(%q) = %v, %v; want %s", s, got.GVR(), ok, b.GVR())
			}
		}
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	for _, b := range Builtins() {
		got, ok := Lookup(b.Group, b.Resource)
		if !ok || !reflect.DeepEqual(got, b) {
			t.Errorf("Lookup(%q, %q) = %v, %v", b.Group, b.Resource, got, ok)
		}
	}
	tests := []struct {
		group, resource string
		ok              bool
		kind            string
		namespaced      bool
	}{
		{"apps", "deployments", true, "Deployment", true},
		{"", "pods", true, "Pod", true},
		{"", "namespaces", true, "Namespace", false},
		{"apiextensions.k8s.io", "customresourcedefinitions", true, "CustomResourceDefinition", false},
		{"events.k8s.io", "events", true, "Event", true},
		{"", "deployments", false, "", false},
		{"apps", "Deployments", false, "", false},
		{"apps", "deployment", false, "", false},
		{"apps", "deploy", false, "", false},
		{"example.com", "widgets", false, "", false},
	}
	for _, tt := range tests {
		got, ok := Lookup(tt.group, tt.resource)
		if ok != tt.ok || got.Kind != tt.kind || got.Namespaced != tt.namespaced {
			t.Errorf("Lookup(%q, %q) = %#v, %v; want kind %q namespaced %v ok %v", tt.group, tt.resource, got, ok, tt.kind, tt.namespaced, tt.ok)
		}
	}
}

func TestIsBuiltinGroup(t *testing.T) {
	t.Parallel()
	for group, want := range map[string]bool{
		"": true, "apps": true, "batch": true, "events.k8s.io": true, "apiextensions.k8s.io": true,
		"example.com": false, "k8s.io": false, "metrics.k8s.io": false, "v1": false,
	} {
		if got := IsBuiltinGroup(group); got != want {
			t.Errorf("IsBuiltinGroup(%q) = %v, want %v", group, got, want)
		}
	}
}

// TestBuiltinsIsACopy: a caller changing its table changes no one else's.
func TestBuiltinsIsACopy(t *testing.T) {
	t.Parallel()
	mine := Builtins()
	mine[0].Resource = "changed"
	mine[0].ShortNames = append(mine[0].ShortNames[:0], "zz")
	if got := Builtins(); got[0].Resource == "changed" || slices.Contains(got[0].ShortNames, "zz") {
		t.Errorf("Builtins()[0] = %#v after a caller changed its copy", got[0])
	}
}
