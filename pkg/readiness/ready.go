package readiness

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// The conditions kstatus reads on any object: abnormal-true conditions a
// controller sets while it works (Reconciling) or once it gave up
// (Stalled), and the usual Ready.
const (
	condReady       = "Ready"
	condReconciling = "Reconciling"
	condStalled     = "Stalled"
)

// Current is the `ready` rule for an object of a type kwait has no rule of
// its own for: kstatus's "Current" status, closed where kstatus is open.
// statusExpected says the object's type has a status subresource (its CRD
// declares one), so a controller is meant to write a status.
//
// Rules, first match wins (a condition is stale when it carries an
// observedGeneration below metadata.generation):
//  1. obj nil: Pending "not found".
//  2. metadata.deletionTimestamp set: Pending (kstatus: Terminating).
//  3. status.observedGeneration below metadata.generation: Pending.
//  4. Stalled=True, not stale: Failed, with the condition's reason and
//     message. The controller says it cannot make progress without help.
//  5. Reconciling=True: Pending, with the condition.
//  6. A Ready condition: Ready when True and not stale, otherwise Pending
//     with the condition ("Ready=False: Installing: ...").
//  7. statusExpected and status missing or empty: Pending. kstatus calls
//     such an object Current (kubernetes-sigs/cli-utils#632), although its
//     controller has not looked at it yet.
//  8. Otherwise Ready: a type without conditions or status (a ConfigMap, a
//     custom resource whose CRD has no status subresource) is ready once
//     it exists.
func Current(obj *unstructured.Unstructured, statusExpected bool) target.Status {
	if s, ok := current(obj); !ok {
		return s
	}
	gen := obj.GetGeneration()
	stale := func(c condition) bool { return c.ObservedGeneration != 0 && c.ObservedGeneration < gen }
	if c, ok := findCondition(obj, condStalled); ok && c.Status == "True" && !stale(c) {
		return target.Failed("stalled: %s", failText(c))
	}
	if c, ok := findCondition(obj, condReconciling); ok && c.Status == "True" {
		return target.Pending("%s", c)
	}
	if c, ok := findCondition(obj, condReady); ok {
		if c.Status != "True" {
			return target.Pending("%s", c)
		}
		if stale(c) {
			return target.Pending("condition %s: waiting for generation %d to be observed (observed %d)",
				c.Type, gen, c.ObservedGeneration)
		}
		return target.Ready()
	}
	if statusExpected {
		if st, _, _ := unstructured.NestedMap(obj.Object, "status"); len(st) == 0 {
			return target.Pending("no status yet: its type has a status subresource, and no controller has written it")
		}
	}
	return target.Ready()
}

// failText is a condition's reason and message, or a placeholder when it
// gives neither.
func failText(c condition) string {
	return orNone(detail(c.Reason, c.Message))
}
