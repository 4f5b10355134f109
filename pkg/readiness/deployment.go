package readiness

import (
	"github.com/kwait-dev/kwait/pkg/target"
)

// reasonProgressDeadlineExceeded is the Progressing reason the deployment
// controller sets when a rollout made no progress for
// spec.progressDeadlineSeconds.
const reasonProgressDeadlineExceeded = "ProgressDeadlineExceeded"

// Deployment decides whether a Deployment has finished rolling out, with the
// semantics of `kubectl rollout status`, plus a rule for paused rollouts.
//
// Rules, first match wins (spec.replicas counts as 1 when unset):
//  1. metadata.deletionTimestamp set: Pending.
//  2. metadata.generation above status.observedGeneration: Pending, the
//     controller has not seen the latest spec yet.
//  3. Condition Progressing with reason ProgressDeadlineExceeded: Failed,
//     with the controller's message. The controller stops trying; only a
//     new spec starts another rollout.
//  4. spec.paused: Pending. kwait waits for the rollout to be resumed and
//     finished; it never treats a paused Deployment as ready, even one whose
//     pods all happen to be up to date.
//  5. status.updatedReplicas below spec.replicas: Pending.
//  6. status.replicas above status.updatedReplicas: Pending, old replicas
//     are still terminating.
//  7. status.availableReplicas below status.updatedReplicas: Pending.
//  8. Otherwise Ready. A Deployment scaled to zero is ready as soon as its
//     generation is observed.
func Deployment(d *DeploymentFields) target.Status {
	if d.DeletionTimestamp != nil {
		return target.Pending("being deleted")
	}
	if d.Generation > d.Status.ObservedGeneration {
		return target.Pending("waiting for spec update to be observed (generation %d, observed %d)",
			d.Generation, d.Status.ObservedGeneration)
	}
	for _, c := range d.Status.Conditions {
		if c.Type == "Progressing" && c.Reason == reasonProgressDeadlineExceeded {
			if c.Message == "" {
				return target.Failed("progress deadline exceeded")
			}
			return target.Failed("progress deadline exceeded: %s", oneLine(c.Message))
		}
	}
	if d.Spec.Paused {
		return target.Pending("rollout paused")
	}
	want := replicas(d.Spec.Replicas)
	st := d.Status
	switch {
	case st.UpdatedReplicas < want:
		return target.Pending("updated replicas %d/%d", st.UpdatedReplicas, want)
	case st.Replicas > st.UpdatedReplicas:
		return target.Pending("old replicas pending termination: %d", st.Replicas-st.UpdatedReplicas)
	case st.AvailableReplicas < st.UpdatedReplicas:
		return target.Pending("available replicas %d/%d", st.AvailableReplicas, st.UpdatedReplicas)
	}
	return target.Ready()
}

// replicas returns a spec.replicas value, which the API defaults to 1.
func replicas(n *int32) int32 {
	if n == nil {
		return 1
	}
	return *n
}
