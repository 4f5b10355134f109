package manifest

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		// want lists each object as TYPE NAME-IN-DEFAULT-NS.
		want []string
	}{
		{"one object", `
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: probe, namespace: cert-manager}
spec: {selfSigned: {}}
`, []string{"Issuer.v1.cert-manager.io Issuer.cert-manager.io/cert-manager/probe"}},
		{"core group", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\n",
			[]string{"ConfigMap.v1 ConfigMap/default/probe"}},
		{"documents, empty ones and comments skipped", `
---
# a comment only
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
---
apiVersion: example.com/v1alpha1
kind: Widget
metadata: {generateName: probe-}
...
`, []string{"ConfigMap.v1 ConfigMap/default/a", "Widget.v1alpha1.example.com Widget.example.com/default/probe-*"}},
		{"JSON", `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}}`,
			[]string{"Secret.v1 Secret/default/s"}},
		{"a List's items", `
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: b, namespace: prod}}
`, []string{"ConfigMap.v1 ConfigMap/default/a", "Deployment.v1.apps Deployment.apps/prod/b"}},
		{"a typed list", `
apiVersion: v1
kind: ConfigMapList
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
`, []string{"ConfigMap.v1 ConfigMap/default/a"}},
		{"a name the apiserver allows beyond DNS", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:probe'}\n",
			[]string{"ClusterRole.v1.rbac.authorization.k8s.io ClusterRole.rbac.authorization.k8s.io/default/system:probe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			objs, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.Type.String()+" "+o.Name(nsOr(o.Object.GetNamespace(), "default")))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Decode = %q, want %q", got, tt.want)
			}
		})
	}
}

func nsOr(ns, def string) string {
	if ns == "" {
		return def
	}
	return ns
}

// TestDecodeKeepsTheObject: what goes to the apiserver is the object as
// written, numbers as integers.
func TestDecodeKeepsTheObject(t *testing.T) {
	t.Parallel()
	objs, err := Decode([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: z}}\ndata: {n: '1'}\nextra: {count: 3, ratio: 0.5}\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := objs[0].Object
	if o.GetLabels()["x"] != "z" {
		t.Errorf("labels = %v", o.GetLabels())
	}
	extra := o.Object["extra"].(map[string]any)
	if _, ok := extra["count"].(int64); !ok {
		t.Errorf("count is %T, want int64", extra["count"])
	}
	if _, ok := extra["ratio"].(float64); !ok {
		t.Errorf("ratio is %T, want float64", extra["ratio"])
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, want string
	}{
		{"", "no objects"},
		{"---\n---\n# nothing\n", "no objects"},
		{"kind: ConfigMap\nmetadata: {name: a}\n", "document 1: apiVersion is not set"},
		{"apiVersion: v1\nmetadata: {name: a}\n", "document 1: kind is not set"},
		{"apiVersion: v1\nkind: ConfigMap\n", "document 1: ConfigMap has neither metadata.name nor metadata.generateName"},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "document 2: ConfigMap has neither"},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: [a]\n", "metadata is not a mapping"},
		{"apiVersion: a/b/c\nkind: X\nmetadata: {name: a}\n", `apiVersion "a/b/c" is not VERSION or GROUP/VERSION`},
		{"apiVersion: example.com/\nkind: X\nmetadata: {name: a}\n", `apiVersion "example.com/"`},
		{"apiVersion: v1\nkind: Config_Map\nmetadata: {name: a}\n", `kind "Config_Map", apiVersion "v1": not a Kubernetes kind`},
		{"apiVersion: 1\nkind: ConfigMap\nmetadata: {name: a}\n", "apiVersion is not set"},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a/b}\n", `ConfigMap: name "a/b"`},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 'a b'}\n", `name "a b" holds white space`},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: ..}\n", `ConfigMap: generateName: name ".."`},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: Prod}\n", `ConfigMap: namespace "Prod"`},
		{"- a\n- b\n", "document 1: not an object"},
		{"just text\n", "document 1: not an object"},
		{"apiVersion: v1\nkind: List\nitems: {a: b}\n", "List: items is not a list"},
		{"apiVersion: v1\nkind: List\nitems: [a]\n", "List item 1: not an object"},
		{"apiVersion: v1\nkind: List\nitems: [{kind: ConfigMap}]\n", "List item 1: apiVersion is not set"},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n", "document 1: yaml: line 3"},
		{"a: b\n c: d\n", "document 1:"},
		{strings.Repeat("#", MaxSize+1), "larger than 8 MiB"},
	} {
		_, err := Decode([]byte(tt.in))
		if err == nil {
			t.Errorf("Decode(%.40q) succeeded, want an error containing %q", tt.in, tt.want)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.ContainsAny(msg, "\r\n") {
			t.Errorf("Decode(%.40q) = %q, want one line containing %q", tt.in, msg, tt.want)
		}
	}
}

// FuzzDecode: any input decodes or gives a one-line error, and every object
// decoded names a type and a name.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"---\napiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: X, metadata: {generateName: p-}}]\n",
		`{"apiVersion": "example.com/v1", "kind": "W", "metadata": {"name": "w", "namespace": "n"}}`,
		"- 1\n", "a: [\n", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		objs, err := Decode([]byte(in))
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("Decode(%q): error is not one line: %q", in, err)
			}
			return
		}
		for _, o := range objs {
			if o.Type.String() == "" || o.Name("ns") == "" || o.Object.GetKind() == "" {
				t.Fatalf("Decode(%q) gave an object without type or name: %#v", in, o)
			}
		}
	})
}
