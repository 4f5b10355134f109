package readiness

import (
	"testing"

	"github.com/kwait-dev/kwait/pkg/target"
)

// FuzzParseRule checks that ParseRule never panics and that the canonical
// form of every rule it accepts parses back to the same rule.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{
		"create", "delete", "condition=Ready", "condition=Ready=False",
		"jsonpath={.status.phase}=Running", "jsonpath=.status.readyReplicas",
		`jsonpath={.status.conditions[?(@.type=="Ready")].status}=True`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		if err != nil {
			return
		}
		canonical := r.String()
		again, err := ParseRule(canonical)
		if err != nil {
			t.Fatalf("ParseRule(%q) = %q, which does not parse: %v", s, canonical, err)
		}
		if again != r {
			t.Fatalf("ParseRule(%q) = %#v, but its canonical form %q parses to %#v", s, r, canonical, again)
		}
	})
}

// FuzzRuleEvaluate checks that no accepted rule panics or returns Failed
// when evaluated, whatever its JSONPath expression does to a typical object.
func FuzzRuleEvaluate(f *testing.F) {
	for _, s := range []string{
		"condition=Ready", "jsonpath={.status.phase}=Running", "jsonpath={.status.ports[-1:]}",
		`jsonpath={.status.conditions[?(@.observedGeneration>1)].type}`, "jsonpath={..type}", "jsonpath={.status.ports[0:5:2]}",
	} {
		f.Add(s)
	}
	obj := loadUnstructured(f, "rule/ready.yaml")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		if err != nil {
			return
		}
		if st := r.Evaluate(obj.DeepCopy()); st.Phase == target.PhaseFailed {
			t.Fatalf("%s evaluated to Failed: %s", r, st.Reason)
		}
	})
}
