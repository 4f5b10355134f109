package readiness

import (
	"github.com/kwait-dev/kwait/pkg/target"
)

// StatefulSet decides whether a StatefulSet has finished rolling out. It
// starts from `kubectl rollout status` and is stricter where kubectl declares
// a half-rolled set done.
//
// Rules, first match wins (spec.replicas counts as 1 when unset):
//  1. metadata.deletionTimestamp set: Pending.
//  2. status.observedGeneration zero or below metadata.generation: Pending.
//  3. status.readyReplicas below spec.replicas: Pending. When
//     spec.minReadySeconds is set, status.availableReplicas must reach
//     spec.replicas too, as it must for a Deployment.
//  4. status.replicas above spec.replicas: Pending, surplus pods from a
//     scale-down are still terminating.
//  5. Update strategy OnDelete: Ready. The controller never replaces pods
//     under OnDelete, so their revision is someone else's business; kubectl
//     refuses such sets, kwait accepts them once rules 2-4 pass.
//  6. RollingUpdate with a partition above zero: Ready once
//     status.updatedReplicas reaches spec.replicas minus the partition (the
//     pods below the partition are meant to stay on the old revision).
//  7. status.updatedReplicas below spec.replicas: Pending.
//  8. Otherwise Ready.
//
// kubectl skips rule 7 whenever spec.updateStrategy.rollingUpdate is set,
// which the API defaults it to be, so it can report done while old pods are
// still waiting for their turn. kwait requires every pod to be updated.
// It does not compare status.currentRevision with status.updateRevision:
// after rules 3-7 every existing pod is ready and on the update revision,
// and currentRevision is only moved there by the controller afterwards, so
// the revision fields add nothing but a chance of waiting on a lagging
// status field.
func StatefulSet(s *StatefulSetFields) target.Status {
	if s.DeletionTimestamp != nil {
		return target.Pending("being deleted")
	}
	st := s.Status
	if st.ObservedGeneration == 0 || s.Generation > st.ObservedGeneration {
		return target.Pending("waiting for spec update to be observed (generation %d, observed %d)",
			s.Generation, st.ObservedGeneration)
	}
	want := replicas(s.Spec.Replicas)
	switch {
	case st.ReadyReplicas < want:
		return target.Pending("ready replicas %d/%d", st.ReadyReplicas, want)
	case s.Spec.MinReadySeconds > 0 && st.AvailableReplicas < want:
		return target.Pending("available replicas %d/%d", st.AvailableReplicas, want)
	case st.Replicas > want:
		return target.Pending("surplus replicas pending termination: %d", st.Replicas-want)
	}
	strategy := s.Spec.UpdateStrategy
	if strategy.Type == "OnDelete" {
		return target.Ready()
	}
	if ru := strategy.RollingUpdate; ru != nil && ru.Partition != nil && *ru.Partition > 0 {
		p := *ru.Partition
		if need := want - p; st.UpdatedReplicas < need {
			return target.Pending("updated replicas %d/%d (partition %d)", st.UpdatedReplicas, max(need, 0), p)
		}
		return target.Ready()
	}
	if st.UpdatedReplicas < want {
		return target.Pending("updated replicas %d/%d", st.UpdatedReplicas, want)
	}
	return target.Ready()
}
