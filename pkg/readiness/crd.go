package readiness

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/kwait-dev/kwait/pkg/target"
)

// reasonInstalling is the Established=False reason the API server sets while
// it prepares to serve a newly accepted kind.
const reasonInstalling = "Installing"

// CRD decides whether a CustomResourceDefinition has been accepted and
// established by the API server. Whether its kind is already served through
// discovery is checked elsewhere; this only reads the object.
//
// A condition counts as stale when it carries an observedGeneration below
// metadata.generation; stale conditions never make a CRD Ready or Failed.
//
// Rules, first match wins:
//  1. metadata.deletionTimestamp set, or condition Terminating=True: Pending,
//     the definition is going away.
//  2. status.observedGeneration set and below metadata.generation: Pending,
//     the API server has not looked at the latest spec yet.
//  3. NamesAccepted=False, not stale: Failed, with the condition's reason
//     and message. The names clash with another definition (a plural or kind
//     already taken), and that changes only when someone edits or deletes a
//     CRD.
//  4. Established=False, not stale, with a reason other than "Installing"
//     (and not empty): Failed, as in kstatus. "Installing" is the normal
//     step before Established=True; the API server's other reasons are
//     "NotAccepted", which comes with NamesAccepted=False, and
//     "InvalidCABundle", set when the conversion webhook's CA bundle cannot
//     be parsed, which only a spec change clears.
//  5. NamesAccepted=True and Established=True, neither stale: Ready.
//  6. Otherwise Pending, naming the first of NamesAccepted and Established
//     that is missing, not True or stale.
func CRD(crd *apiextensionsv1.CustomResourceDefinition) target.Status {
	if crd.DeletionTimestamp != nil {
		return target.Pending("being deleted")
	}
	if c, ok := crdCondition(crd, apiextensionsv1.Terminating); ok && c.Status == apiextensionsv1.ConditionTrue {
		return target.Pending("being deleted: %s", crdDescribe(c))
	}
	gen := crd.Generation
	if obs := crd.Status.ObservedGeneration; obs != 0 && obs < gen {
		return target.Pending("waiting for generation %d to be observed (observed %d)", gen, obs)
	}
	stale := func(c apiextensionsv1.CustomResourceDefinitionCondition) bool {
		return c.ObservedGeneration != 0 && c.ObservedGeneration < gen
	}
	names, ok := crdCondition(crd, apiextensionsv1.NamesAccepted)
	if ok && names.Status == apiextensionsv1.ConditionFalse && !stale(names) {
		return target.Failed("names not accepted: %s", detail(names.Reason, names.Message))
	}
	est, ok := crdCondition(crd, apiextensionsv1.Established)
	if ok && est.Status == apiextensionsv1.ConditionFalse && !stale(est) &&
		est.Reason != "" && est.Reason != reasonInstalling {
		return target.Failed("not established: %s", detail(est.Reason, est.Message))
	}
	for _, typ := range []apiextensionsv1.CustomResourceDefinitionConditionType{
		apiextensionsv1.NamesAccepted, apiextensionsv1.Established,
	} {
		c, ok := crdCondition(crd, typ)
		switch {
		case !ok:
			return target.Pending("condition %s not set", typ)
		case c.Status != apiextensionsv1.ConditionTrue:
			return target.Pending("%s", crdDescribe(c))
		case stale(c):
			return target.Pending("condition %s: waiting for generation %d to be observed (observed %d)",
				typ, gen, c.ObservedGeneration)
		}
	}
	return target.Ready()
}

func crdCondition(crd *apiextensionsv1.CustomResourceDefinition, typ apiextensionsv1.CustomResourceDefinitionConditionType) (apiextensionsv1.CustomResourceDefinitionCondition, bool) {
	for _, c := range crd.Status.Conditions {
		if c.Type == typ {
			return c, true
		}
	}
	return apiextensionsv1.CustomResourceDefinitionCondition{}, false
}

func crdDescribe(c apiextensionsv1.CustomResourceDefinitionCondition) string {
	return describeCondition(string(c.Type), string(c.Status), c.Reason, c.Message)
}
