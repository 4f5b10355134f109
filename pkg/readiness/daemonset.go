package readiness

import (
	"github.com/kwait-dev/kwait/pkg/target"
)

// DaemonSet decides whether a DaemonSet has finished rolling out, with the
// semantics of `kubectl rollout status`, extended to OnDelete sets.
//
// Rules, first match wins:
//  1. metadata.deletionTimestamp set: Pending.
//  2. metadata.generation above status.observedGeneration: Pending.
//  3. Update strategy OnDelete: Ready once status.numberAvailable reaches
//     status.desiredNumberScheduled, Pending before. Under OnDelete old pods
//     are only replaced when someone deletes them, so kwait does not wait for
//     them to be updated; kubectl refuses such sets instead.
//  4. status.updatedNumberScheduled below status.desiredNumberScheduled:
//     Pending.
//  5. status.numberAvailable below status.desiredNumberScheduled: Pending.
//  6. Otherwise Ready. A DaemonSet whose node selector matches no node
//     (desiredNumberScheduled zero) is ready once its generation is observed.
func DaemonSet(ds *DaemonSetFields) target.Status {
	if ds.DeletionTimestamp != nil {
		return target.Pending("being deleted")
	}
	st := ds.Status
	if ds.Generation > st.ObservedGeneration {
		return target.Pending("waiting for spec update to be observed (generation %d, observed %d)",
			ds.Generation, st.ObservedGeneration)
	}
	desired := st.DesiredNumberScheduled
	if ds.Spec.UpdateStrategy.Type != "OnDelete" && st.UpdatedNumberScheduled < desired {
		return target.Pending("updated pods %d/%d", st.UpdatedNumberScheduled, desired)
	}
	if st.NumberAvailable < desired {
		return target.Pending("available pods %d/%d", st.NumberAvailable, desired)
	}
	return target.Ready()
}
