package readiness

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// object decodes an inline YAML object.
func object(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(j); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return obj
}

// TestCurrent checks the ready rule for types without a rule of their own
// against the cases of kstatus's generic tests (cli-utils
// pkg/kstatus/status/status_compute_test.go, TestCRDGenericStatus) and
// where kwait decides otherwise.
func TestCurrent(t *testing.T) {
	t.Parallel()
	const head = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: ns, generation: 2}\n"
	for _, tc := range []struct {
		name           string
		doc            string
		statusExpected bool
		want           verdict
	}{
		// kstatus crdNoStatus: Current when the CRD has no status subresource...
		{"no status, no status subresource", head, false, ready},
		// ...and not ready when it has one (kstatus: Current, cli-utils#632).
		{"no status, status subresource", head, true, pending("no status yet")},
		{"empty status, status subresource", head + "status: {}\n", true, pending("no status yet")},
		{"some status, status subresource", head + "status: {phase: Running}\n", true, ready},
		// kstatus crdMismatchStatusGeneration.
		{"generation not observed", head + "status: {observedGeneration: 1}\n", true, pending("generation 2 to be observed")},
		{"generation observed", head + "status: {observedGeneration: 2}\n", true, ready},
		// kstatus crdReady.
		{"Ready=True", head + "status: {conditions: [{type: Ready, status: 'True', reason: AllOk}]}\n", true, ready},
		// kstatus crdNotReady.
		{"Ready=False", head + "status: {observedGeneration: 2, conditions: [{type: Ready, status: 'False', reason: Failed, message: boom}]}\n",
			true, pending("Ready=False: Failed: boom")},
		{"Ready=Unknown", head + "status: {conditions: [{type: Ready, status: Unknown}]}\n", false, pending("Ready=Unknown")},
		{"Ready=True for an older generation", head + "status: {conditions: [{type: Ready, status: 'True', observedGeneration: 1}]}\n",
			false, pending("generation 2 to be observed")},
		// kstatus crdNoCondition.
		{"other conditions only", head + "status: {conditions: [{type: SomeCondition, status: 'False'}]}\n", true, ready},
		// kstatus's generic properties.
		{"Stalled=True", head + "status: {conditions: [{type: Stalled, status: 'True', reason: BadConfig, message: no such secret}]}\n",
			false, broken("stalled: BadConfig: no such secret")},
		{"Stalled=True for an older generation", head + "status: {conditions: [{type: Stalled, status: 'True', observedGeneration: 1}]}\n",
			false, ready},
		{"Stalled=False", head + "status: {conditions: [{type: Stalled, status: 'False'}, {type: Ready, status: 'True'}]}\n", false, ready},
		{"Stalled wins over Reconciling", head + "status: {conditions: [{type: Reconciling, status: 'True'}, {type: Stalled, status: 'True'}]}\n",
			false, broken("stalled: no reason given")},
		{"Reconciling=True", head + "status: {conditions: [{type: Reconciling, status: 'True', reason: Progressing}, {type: Ready, status: 'True'}]}\n",
			false, pending("Reconciling=True: Progressing")},
		{"being deleted", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, deletionTimestamp: '2026-01-01T00:00:00Z'}\n", false, pending("being deleted")},
		// kstatus: a ConfigMap is always ready.
		{"ConfigMap", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n", false, ready},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			check(t, Current(object(t, tc.doc), tc.statusExpected), tc.want)
		})
	}
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		check(t, Current(nil, true), pending("not found"))
	})
}

func TestReadyRule(t *testing.T) {
	t.Parallel()
	r, err := ParseRule(" Ready ")
	if err != nil {
		t.Fatal(err)
	}
	if !r.IsReady() || r.String() != "ready" {
		t.Fatalf("ParseRule(ready) = %q, IsReady %v", r, r.IsReady())
	}
	if _, err := ParseRule("ready=True"); err == nil {
		t.Error("ParseRule(ready=True) succeeded, want an error")
	}
	// Evaluate knows nothing of status subresources: kstatus's reading.
	check(t, r.Evaluate(object(t, "apiVersion: example.com/v1\nkind: W\nmetadata: {name: w}\n")), ready)
}

func TestFailRule(t *testing.T) {
	t.Parallel()
	if _, err := ParseFailRule("ready"); err == nil {
		t.Error("ParseFailRule(ready) succeeded, want an error")
	}
	if _, err := ParseFailRule("condition="); err == nil {
		t.Error("ParseFailRule(condition=) succeeded, want an error")
	}
	r, err := ParseFailRule("condition=Ready=False")
	if err != nil {
		t.Fatal(err)
	}
	const head = "apiVersion: example.com/v1\nkind: W\nmetadata: {name: w, generation: 2}\n"
	for _, tc := range []struct {
		name, doc, detail string
		holds             bool
	}{
		{"holds", head + "status: {conditions: [{type: Ready, status: 'False', reason: Failed, message: bad image}]}\n",
			"Ready=False: Failed: bad image", true},
		{"other status", head + "status: {conditions: [{type: Ready, status: 'True'}]}\n", "", false},
		{"stale", head + "status: {conditions: [{type: Ready, status: 'False', observedGeneration: 1}]}\n", "", false},
		{"generation not observed", head + "status: {observedGeneration: 1, conditions: [{type: Ready, status: 'False'}]}\n", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			detail, holds := r.Holds(object(t, tc.doc))
			if holds != tc.holds || detail != tc.detail {
				t.Errorf("Holds = %q, %v; want %q, %v", detail, holds, tc.detail, tc.holds)
			}
		})
	}
	if _, holds := r.Holds(nil); holds {
		t.Error("a condition rule holds for a missing object")
	}
	del, _ := ParseFailRule("delete")
	if _, holds := del.Holds(nil); !holds {
		t.Error("delete does not hold for a missing object")
	}
}
