package readiness

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kwait-dev/kwait/pkg/target"
)

// Meaning is what `ready` means for one built-in type: the rule kwait judges
// its objects by, and the same rule in words for README's table. The zero
// Meaning belongs to a type outside the built-in table (a custom resource,
// an aggregated API), which Current judges.
//
// A Meaning is one of three:
//   - a rule of its own: Rule, before which an object being deleted or
//     whose status.observedGeneration is below metadata.generation is
//     pending, unless KindRule says the rule reads those itself;
//   - Exists as its Rule: the type has no state to wait for, so an object is
//     ready once it exists and is not being deleted (a ConfigMap, a Role);
//   - Refused: `ready` has no meaning for the type (an Event records what
//     happened), and kwait refuses it rather than guess.
//
// Its fields are plain values, so that a table of them is data.
type Meaning struct {
	// Ready says when an object is ready; Fails when the wait fails at once
	// (empty: never). Both are Markdown for README's table.
	Ready, Fails string
	// Rule judges an object that exists; nil when Refused.
	Rule func(*unstructured.Unstructured) target.Status
	// KindRule says Rule is a kind's rule, which reads deletion and
	// generations its own way (as `kubectl rollout status` does).
	KindRule bool
	// Refused says why `ready` is refused on the type; empty when it is not.
	Refused string
}

// Exists is the rule of a type with no state to wait for: any object that
// exists is ready.
func Exists(*unstructured.Unstructured) target.Status { return target.Ready() }

// Known reports whether the meaning comes from the built-in table (the zero
// Meaning does not).
func (m Meaning) Known() bool { return m.Rule != nil || m.Refused != "" }

// Of judges one object, nil meaning it does not exist. A refused or zero
// Meaning judges nothing ready: callers refuse it before they wait.
func (m Meaning) Of(obj *unstructured.Unstructured) target.Status {
	switch {
	case obj == nil:
		return target.Pending("not found")
	case m.Rule == nil:
		return target.Pending("no rule for ready")
	}
	if !m.KindRule {
		if s, ok := current(obj); !ok {
			return s
		}
	}
	return m.Rule(obj)
}

// Judge is the meaning over what a by-name watch sees: its one object, or
// none.
func (m Meaning) Judge() Judge {
	return func(objs []*unstructured.Unstructured) target.Status {
		if len(objs) == 0 {
			return m.Of(nil)
		}
		return m.Of(objs[0])
	}
}

// OtherRules is what a refusal names: the --for rules that apply to any
// type.
const OtherRules = "create, delete, condition=TYPE[=STATUS] or jsonpath=EXPR[=VALUE]"

// typed converts obj to T and applies rule to it.
func typed[T any](obj *unstructured.Unstructured, rule func(*T) target.Status) target.Status {
	var t T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &t); err != nil {
		return target.Failed("cannot read %s: %v", obj.GetName(), err)
	}
	return rule(&t)
}
