package kind

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind      string
		spellings []string
	}{
		{"crd", []string{
			"crd", "CRD", "crds", "customresourcedefinition", "customresourcedefinitions", "CustomResourceDefinition",
			"customresourcedefinitions.apiextensions.k8s.io", "crd.apiextensions.k8s.io",
			"customresourcedefinition.v1.apiextensions.k8s.io", "CustomResourceDefinition.v1.apiextensions.k8s.io",
		}},
		{"deployment", []string{
			"deployment", "Deployment", "DEPLOYMENT", "deployments", "deploy",
			"deployments.apps", "deployment.apps", "Deployment.apps", "deploy.apps",
			"deployments.v1.apps", "deployment.v1.apps", "Deployment.v1.apps",
		}},
		{"statefulset", []string{"statefulset", "statefulsets", "sts", "StatefulSet", "statefulsets.apps", "sts.v1.apps"}},
		{"daemonset", []string{"daemonset", "daemonsets", "ds", "DaemonSet", "daemonsets.apps", "daemonset.v1.apps"}},
		{"job", []string{"job", "jobs", "Job", "jobs.batch", "job.v1.batch"}},
		{"service", []string{"service", "services", "svc", "Service", "services.v1", "svc.v1"}},
		{"pods", []string{"pods", "pod", "po", "Pod", "PODS", "pods.v1", "Pod.v1"}},
		{"validatingwebhookconfiguration", []string{
			"validatingwebhookconfiguration", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration",
			"validatingwebhookconfigurations.admissionregistration.k8s.io", "ValidatingWebhookConfiguration.v1.admissionregistration.k8s.io",
		}},
		{"mutatingwebhookconfiguration", []string{
			"mutatingwebhookconfiguration", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration",
			"mutatingwebhookconfigurations.admissionregistration.k8s.io",
		}},
		{"apiservice", []string{"apiservice", "apiservices", "APIService", "apiservices.apiregistration.k8s.io", "APIService.v1.apiregistration.k8s.io"}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.kind] = true
		for _, s := range tt.spellings {
			k, ok := Lookup(s)
			if !ok || k.Name != tt.kind {
				t.Errorf("Lookup(%q) = %q, %v; want %q", s, k.Name, ok, tt.kind)
			}
		}
	}
	for _, k := range All() {
		if !covered[k.Name] {
			t.Errorf("kind %q has no Lookup cases", k.Name)
		}
	}
}

func TestLookupAliases(t *testing.T) {
	t.Parallel()
	for _, k := range All() {
		for _, s := range append([]string{k.Name, strings.ToUpper(k.Name), k.Type.Kind}, k.Aliases()...) {
			got, ok := Lookup(s)
			if !ok || got.Name != k.Name {
				t.Errorf("Lookup(%q) = %q, %v; want %q", s, got.Name, ok, k.Name)
			}
		}
	}
}

func TestLookupUnknown(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "widgets", "configmaps", "cm", "events", "endpointslices", "replicasets", "crdx",
		"deployments.v1beta1.apps", "deployments.extensions", "deployments.apps.example.com", "pods.v2", "jobs.v1",
		"tcp", "http", "dns", "resource", "deployment/x", "a_b", "-deploy",
	} {
		if k, ok := Lookup(s); ok {
			t.Errorf("Lookup(%q) = %q, want no kind", s, k.Name)
		}
	}
}

func TestAliases(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"crd":         {"customresourcedefinitions", "customresourcedefinition", "crds"},
		"deployment":  {"deployments", "deploy"},
		"statefulset": {"statefulsets", "sts"},
		"daemonset":   {"daemonsets", "ds"},
		"job":         {"jobs"},
		"service":     {"services", "svc"},
		"pods":        {"pod", "po"},

		"validatingwebhookconfiguration": {"validatingwebhookconfigurations"},
		"mutatingwebhookconfiguration":   {"mutatingwebhookconfigurations"},
		"apiservice":                     {"apiservices"},
	}
	for _, k := range All() {
		got := k.Aliases()
		if !slices.Equal(got, want[k.Name]) {
			t.Errorf("%s.Aliases() = %q, want %q", k.Name, got, want[k.Name])
		}
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(got) {
			t.Errorf("%s.Aliases() = %q has duplicates", k.Name, got)
		}
		for _, a := range got {
			if a == k.Name || a == "" || a != strings.ToLower(a) {
				t.Errorf("%s.Aliases() holds %q", k.Name, a)
			}
		}
	}
}

// TestTable checks the kinds' rows: unique names, no name or alias shared
// between kinds, the types of the built-in table, and a rule for each.
func TestTable(t *testing.T) {
	t.Parallel()
	owner := map[string]string{}
	for _, k := range All() {
		for _, s := range append([]string{k.Name}, k.Aliases()...) {
			if o, dup := owner[s]; dup {
				t.Errorf("%q names both %s and %s", s, o, k.Name)
			}
			owner[s] = k.Name
		}
		if k.Name == "" || k.Name != strings.ToLower(k.Name) || k.Args == "" || k.Usage == "" || !strings.HasPrefix(k.Example, "kwait "+k.Name+" ") {
			t.Errorf("kind %#v lacks a lower-case name, args, usage or an example of its subcommand", k.Name)
		}
		if k.Type.Resource == "" || k.Watch.Resource == "" {
			t.Errorf("%s: no type or watched type", k.Name)
		}
		wantThen := map[string]Then{"crd": ThenServed, "validatingwebhookconfiguration": ThenEndpoints,
			"mutatingwebhookconfiguration": ThenEndpoints, "apiservice": ThenDiscovery}[k.Name]
		if k.Then != wantThen {
			t.Errorf("%s: Then = %v, want %v", k.Name, k.Then, wantThen)
		}
		if k.Then != ThenNothing && (k.Select != ByName || k.Type.Namespaced) {
			t.Errorf("%s: Then %v needs one cluster-scoped object by name", k.Name, k.Then)
		}
		if k.LooseNames != (k.Name == "apiservice") {
			t.Errorf("%s: LooseNames = %v; only apiservice has names that are not DNS subdomains", k.Name, k.LooseNames)
		}
		if (k.Select == BySelector) != (k.Name == "pods") || (k.Select == ByServiceName) != (k.Name == "service") {
			t.Errorf("%s: selection %v", k.Name, k.Select)
		}
		if k.Judge == nil {
			t.Fatalf("%s: no rule", k.Name)
		}
		j := k.Judge(Params{})
		if j == nil {
			t.Fatalf("%s: Judge gives no rule", k.Name)
		}
		// An object named but not seen is pending "not found".
		st := j([]*unstructured.Unstructured{})
		if k.Select == ByName && (st.Phase != target.PhasePending || !strings.Contains(st.Reason, "not found")) {
			t.Errorf("%s: no object = %+v, want pending, not found", k.Name, st)
		}
		if st.Phase == target.PhaseFailed {
			t.Errorf("%s: no objects = %+v, want pending or ready, never failed", k.Name, st)
		}
	}
	if got := len(All()); got != 10 {
		t.Errorf("%d kinds, want 10", got)
	}
}

// TestPodsMin: the pods rule takes its minimum from Params.
func TestPodsMin(t *testing.T) {
	t.Parallel()
	k, _ := Lookup("pods")
	if st := k.Judge(Params{Min: 1})(nil); st.Phase != target.PhasePending {
		t.Errorf("pods with --min 1 and no pod = %+v, want pending", st)
	}
}

// TestAllIsACopy: a caller changing its table changes no one else's.
func TestAllIsACopy(t *testing.T) {
	t.Parallel()
	mine := All()
	mine[0].Name = "changed"
	mine[0].Type.ShortNames[0] = "zz"
	if got := All(); got[0].Name == "changed" || slices.Contains(got[0].Type.ShortNames, "zz") {
		t.Errorf("All()[0] = %q %q after a caller changed its copy", got[0].Name, got[0].Type.ShortNames)
	}
}
