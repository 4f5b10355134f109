//go:build e2e

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/kwait-dev/kwait/pkg/apitype"
)

// servedType is one resource type the control plane serves, as discovery
// describes it.
type servedType struct {
	group, version, resource, kind string
	namespaced                     bool
}

// pluralForm is PLURAL.GROUP (PLURAL for the core group); kindForm is the
// kind, with .GROUP outside the core group.
func (s servedType) pluralForm() string { return join(s.resource, s.group) }
func (s servedType) kindForm() string   { return join(s.kind, s.group) }
func (s servedType) kubectlType() string {
	if s.group == "" {
		return s.resource
	}
	return s.resource + "." + s.version + "." + s.group
}

func join(name, group string) string {
	if group == "" {
		return name
	}
	return name + "." + group
}

// servedTypes reads, from the apiserver's discovery documents, every type
// of a preferred version that can be listed and watched.
func servedTypes(t *testing.T) []servedType {
	t.Helper()
	var out []servedType
	add := func(group, gv string) {
		list, ok := discoveryOf(t, gv)
		if !ok {
			return
		}
		_, version, _ := strings.Cut(gv, "/")
		if group == "" {
			version = gv
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") || !slices.Contains(r.Verbs, "watch") {
				continue
			}
			out = append(out, servedType{group: group, version: version, resource: r.Name, kind: r.Kind, namespaced: r.Namespaced})
		}
	}
	add("", "v1")
	var groups metav1.APIGroupList
	if err := json.Unmarshal([]byte(kubectl(t, "", "get", "--raw", "/apis")), &groups); err != nil {
		t.Fatalf("discovery /apis: %v", err)
	}
	for _, g := range groups.Groups {
		if builtinGroup(g.Name) {
			add(g.Name, g.PreferredVersion.GroupVersion)
		}
	}
	return out
}

// builtinGroup tells Kubernetes' own API groups (apps, batch, *.k8s.io)
// from the groups of CRDs and aggregated APIs that other tests create and
// delete while this one runs: a type that vanishes mid-test is not one
// kwait failed to wait for. CRD types have tests of their own.
func builtinGroup(group string) bool {
	return !strings.Contains(group, ".") || strings.HasSuffix(group, ".k8s.io")
}

// discoveryOf reads the discovery document of one group/version. ok is
// false for an aggregated API whose server does not answer (another test
// registers one): its types cannot be listed anyway.
func discoveryOf(t *testing.T, gv string) (metav1.APIResourceList, bool) {
	t.Helper()
	var list metav1.APIResourceList
	out, err := kubectlErr(t, "", "get", "--raw", gvPath(gv))
	if err != nil {
		if strings.Contains(out, "ServiceUnavailable") {
			t.Logf("discovery %s: %s", gv, strings.TrimSpace(out))
			return list, false
		}
		t.Fatalf("discovery %s: %v\n%s", gv, err, out)
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("discovery %s: %v", gv, err)
	}
	return list, true
}

func gvPath(gv string) string {
	if strings.Contains(gv, "/") {
		return "/apis/" + gv
	}
	return "/api/" + gv
}

// TestEveryServedType: for every type of Kubernetes' own groups the control
// plane serves with list and watch, read from discovery at test time, kwait
// resolves the type both written PLURAL.GROUP and as its kind, finds an object of it, sees that a
// name that does not exist is deleted, and does not take the existing
// object for deleted. A type kwait resolved wrongly (a built-in taken for a
// CRD, a cluster-scoped type given a namespace) fails one of the three.
func TestEveryServedType(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	manifests := typeManifests(t)
	types := servedTypes(t)
	if len(types) < 40 {
		t.Fatalf("discovery lists only %d types that can be listed and watched", len(types))
	}
	for _, typ := range types {
		t.Run(typ.pluralForm(), func(t *testing.T) {
			t.Parallel()
			objNS, obj := objectOf(t, typ, ns, manifests[typ.pluralForm()])
			var existing, absent, named []string
			for _, form := range []string{typ.pluralForm(), typ.kindForm()} {
				prefix := form + "/"
				if typ.namespaced {
					prefix += objNS + "/"
				}
				existing = append(existing, prefix+obj)
				absent = append(absent, prefix+"kwait-absent-"+ns)
				// Named as given, without a namespace for a cluster-scoped type.
				named = append(named, prefix+obj+": still exists")
			}
			kwait(t, 0, append([]string{"resource", "--for", "create", "--timeout", "30s"}, existing...)...)
			kwait(t, 0, append([]string{"resource", "--for", "delete", "--timeout", "30s"}, absent...)...)
			out := kwait(t, 124, append([]string{"resource", "--for", "delete", "--timeout", "3s"}, existing...)...)
			mustContain(t, out, named...)
		})
	}
}

// typeManifests reads testdata/types.yaml: a manifest per PLURAL.GROUP.
func typeManifests(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("testdata/types.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var manifests map[string]string
	if err := yaml.Unmarshal(raw, &manifests); err != nil {
		t.Fatal(err)
	}
	return manifests
}

// TestBuiltinTypesAsServed: every type kwait resolves without the API is
// served, by the control plane's discovery, exactly as kwait's table says.
func TestBuiltinTypesAsServed(t *testing.T) {
	t.Parallel()
	served := map[string]metav1.APIResource{}
	read := func(gv string) {
		list, _ := discoveryOf(t, gv)
		for _, r := range list.APIResources {
			served[gv+"/"+r.Name] = r
		}
	}
	read("v1")
	var groups metav1.APIGroupList
	if err := json.Unmarshal([]byte(kubectl(t, "", "get", "--raw", "/apis")), &groups); err != nil {
		t.Fatal(err)
	}
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			read(v.GroupVersion)
		}
	}
	for _, b := range apitype.Builtins() {
		gv := strings.TrimPrefix(b.Group+"/"+b.Version, "/")
		r, ok := served[gv+"/"+b.Resource]
		if !ok {
			t.Errorf("%s/%s is not served", gv, b.Resource)
			continue
		}
		if r.Kind != b.Kind || r.SingularName != b.Singular || r.Namespaced != b.Namespaced || !slices.Equal(r.ShortNames, b.ShortNames) {
			t.Errorf("%s/%s: served as kind %q singular %q namespaced %v short names %v; kwait's table says %q %q %v %v",
				gv, b.Resource, r.Kind, r.SingularName, r.Namespaced, r.ShortNames, b.Kind, b.Singular, b.Namespaced, b.ShortNames)
		}
	}
}

// objectOf returns the namespace (empty for a cluster-scoped type) and name
// of an object of typ: one created from manifest when there is one, else
// one that exists already.
func objectOf(t *testing.T, typ servedType, ns, manifest string) (string, string) {
	t.Helper()
	if manifest == "" {
		out := strings.TrimSpace(kubectl(t, "", "get", typ.kubectlType(), "-A", "-o",
			`jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}`))
		first, _, _ := strings.Cut(out, "\n")
		objNS, name, ok := strings.Cut(first, "/")
		if !ok || name == "" {
			t.Fatalf("no object of %s exists and e2e/testdata/types.yaml has no manifest to create one", typ.pluralForm())
		}
		return objNS, name
	}
	manifest = strings.ReplaceAll(manifest, "NAMESPACE", ns)
	manifest = strings.ReplaceAll(manifest, "NAME", ns)
	manifest = strings.ReplaceAll(manifest, "REQUEST_PEM", csrPEM(t))
	var meta struct {
		Metadata struct{ Name string } `json:"metadata"`
	}
	if err := yaml.Unmarshal([]byte(manifest), &meta); err != nil {
		t.Fatalf("manifest of %s: %v", typ.pluralForm(), err)
	}
	kubectl(t, manifest, "create", "-f", "-")
	if !typ.namespaced {
		t.Cleanup(func() {
			_, _ = kubectlErr(t, "", "delete", typ.kubectlType(), meta.Metadata.Name, "--wait=false")
		})
		return "", meta.Metadata.Name
	}
	return ns, meta.Metadata.Name
}

// csrPEM is a certificate signing request, base64-encoded PEM as a
// CertificateSigningRequest carries it.
func csrPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}
