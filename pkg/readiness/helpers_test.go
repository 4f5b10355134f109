package readiness

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kwait-dev/kwait/pkg/target"
)

// load decodes testdata/name into a T, rejecting unknown fields so that a
// typo in a fixture cannot silently turn into a default value.
func load[T any](t testing.TB, name string) *T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := yaml.UnmarshalStrict(b, &v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return &v
}

// loadAs decodes testdata/name strictly into the API's type A, so that a
// fixture is a valid object of it, then into F, the fields kwait reads of it.
func loadAs[A, F any](t testing.TB, name string) *F {
	t.Helper()
	b, err := json.Marshal(load[A](t, name))
	if err != nil {
		t.Fatal(err)
	}
	var f F
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return &f
}

// loadItemsAs is loadAs for a list: testdata/name decoded strictly into
// the API's list type L, each item then into F.
func loadItemsAs[L, F any](t testing.TB, name string) []*F {
	t.Helper()
	b, err := json.Marshal(load[L](t, name))
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []*F `json:"items"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return list.Items
}

// loadUnstructured decodes testdata/name as an arbitrary object.
func loadUnstructured(t testing.TB, name string) *unstructured.Unstructured {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(j); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return obj
}

// verdict is what a case expects: a phase and a substring of the reason.
// A Ready verdict must come with an empty reason.
type verdict struct {
	phase  target.Phase
	reason string
}

func pending(reason string) verdict { return verdict{target.PhasePending, reason} }
func broken(reason string) verdict  { return verdict{target.PhaseFailed, reason} }

var ready = verdict{phase: target.PhaseReady}

func phaseName(p target.Phase) string {
	switch p {
	case target.PhasePending:
		return "Pending"
	case target.PhaseReady:
		return "Ready"
	case target.PhaseFailed:
		return "Failed"
	}
	return "Phase(?)"
}

func check(t *testing.T, got target.Status, want verdict) {
	t.Helper()
	if got.Phase != want.phase {
		t.Fatalf("phase = %s (reason %q), want %s", phaseName(got.Phase), got.Reason, phaseName(want.phase))
	}
	if want.phase == target.PhaseReady {
		if got.Reason != "" {
			t.Errorf("ready with reason %q, want none", got.Reason)
		}
		return
	}
	if got.Reason == "" || strings.ContainsAny(got.Reason, "\n\r") {
		t.Errorf("reason %q, want one non-empty line", got.Reason)
	}
	if !strings.Contains(got.Reason, want.reason) {
		t.Errorf("reason = %q, want it to contain %q", got.Reason, want.reason)
	}
}
