package readiness

import (
	"github.com/kwait-dev/kwait/pkg/target"
)

// crashLoopRestarts is how many restarts a container in CrashLoopBackOff
// gets before Pod gives up on it: the kubelet's back-off (10 s, 20 s, 40 s)
// has then let it start four times, over more than a minute, which rules
// out a dependency that was merely late.
const crashLoopRestarts = 3

// Pod judges one pod as `ready` means it. Rules, first match wins:
//  1. metadata.deletionTimestamp set: Pending "being deleted".
//  2. Phase Succeeded: Ready. The pod ran to completion (kstatus: Current).
//  3. Phase Failed: Failed, with the pod's reason and message (Evicted,
//     DeadlineExceeded). No controller restarts a failed pod.
//  4. A container in CrashLoopBackOff after crashLoopRestarts restarts or
//     more: Failed, naming it and its last exit code.
//  5. Condition Ready=True: Ready.
//  6. Otherwise Pending, saying why (a container waiting, a failed
//     scheduling, the Ready condition, the phase).
//
// kwait's pods kind (a selector) is different on purpose: it ignores
// finished pods and never fails, since a controller replaces them.
func Pod(p *PodFields) target.Status {
	switch {
	case p.DeletionTimestamp != nil:
		return target.Pending("being deleted")
	case p.Status.Phase == "Succeeded":
		return target.Ready()
	case p.Status.Phase == "Failed":
		return target.Failed("phase Failed: %s", orNone(detail(p.Status.Reason, p.Status.Message)))
	}
	for _, cs := range append(append([]ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		w := cs.State.Waiting
		if w == nil || w.Reason != "CrashLoopBackOff" || cs.RestartCount < crashLoopRestarts {
			continue
		}
		if t := cs.LastTerminationState.Terminated; t != nil {
			return target.Failed("container %s: CrashLoopBackOff after %d restarts, last exit code %d: %s",
				cs.Name, cs.RestartCount, t.ExitCode, orNone(detail(t.Reason, t.Message)))
		}
		return target.Failed("container %s: CrashLoopBackOff after %d restarts", cs.Name, cs.RestartCount)
	}
	if podReady(p) {
		return target.Ready()
	}
	return target.Pending("%s", podNotReady(p))
}
