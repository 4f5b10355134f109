package readiness

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// ParseFailRule parses one --fail-for value: the grammar of --for (see
// Rule) without ready, which says when to stop waiting, not that waiting
// is hopeless.
func ParseFailRule(s string) (Rule, error) {
	r, err := parseRule(strings.TrimSpace(s))
	if err == nil && r.kind == ruleReady {
		err = errors.New("ready is not a failure rule; want create, delete, condition=TYPE[=STATUS] or jsonpath=EXPR[=VALUE]")
	}
	if err != nil {
		return Rule{}, fmt.Errorf("invalid --fail-for %q: %w", s, err)
	}
	return r, nil
}

// Holds reports whether r, used as a failure rule, holds for obj (nil when
// the object does not exist), and what the object says about it: for a
// condition rule the condition with its reason and message, else nothing.
// A rule holds exactly when Evaluate would call it ready, so a condition
// stale for the object's generation does not hold.
func (r Rule) Holds(obj *unstructured.Unstructured) (detail string, holds bool) {
	if r.Evaluate(obj).Phase != target.PhaseReady {
		return "", false
	}
	if r.kind == ruleCondition {
		if c, ok := findCondition(obj, r.condType); ok {
			return c.String(), true
		}
	}
	return "", true
}
