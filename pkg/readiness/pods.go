package readiness

import (
	"fmt"
	"strings"

	"github.com/kwait-dev/kwait/pkg/target"
)

// Pods decides whether the pods matched by a selector are ready, and at
// least minReady of them (below 1 counts as 1).
//
// Pods are sorted into:
//   - terminating: metadata.deletionTimestamp set. Ignored; they are on
//     their way out.
//   - finished: phase Succeeded or Failed. Ignored too: they neither count
//     as ready nor hold the others up. A finished pod never runs again, and
//     such pods can linger for a long time (evicted pods stay Failed until
//     garbage collected), so waiting for them could mean waiting forever.
//     A Failed pod is not a reason to give up either: its controller may
//     replace it, so Pods never returns Failed.
//   - live: all the others.
//
// Rules, first match wins:
//  1. No pods at all: Pending "no pods match".
//  2. No live pods: Pending, counting the terminating and finished ones.
//  3. Fewer live pods with condition Ready=True than the larger of minReady
//     and the number of live pods: Pending "ready pods R/N", with why the
//     first not-ready pod (in the given order) is not ready.
//  4. Otherwise Ready.
func Pods(pods []*PodFields, minReady int) target.Status {
	if len(pods) == 0 {
		return target.Pending("no pods match")
	}
	minReady = max(minReady, 1)
	var live, ready, terminating, succeeded, failed int
	var firstNotReady *PodFields
	for _, p := range pods {
		switch {
		case p.DeletionTimestamp != nil:
			terminating++
		case p.Status.Phase == "Succeeded":
			succeeded++
		case p.Status.Phase == "Failed":
			failed++
		default:
			live++
			if podReady(p) {
				ready++
			} else if firstNotReady == nil {
				firstNotReady = p
			}
		}
	}
	if live == 0 {
		var parts []string
		for _, c := range []struct {
			n    int
			what string
		}{{terminating, "terminating"}, {succeeded, "succeeded"}, {failed, "failed"}} {
			if c.n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
			}
		}
		return target.Pending("no live pods match (%s)", strings.Join(parts, ", "))
	}
	want := max(live, minReady)
	if ready >= want {
		return target.Ready()
	}
	if firstNotReady == nil {
		return target.Pending("ready pods %d/%d", ready, want)
	}
	return target.Pending("ready pods %d/%d; %s: %s", ready, want, firstNotReady.Name, podNotReady(firstNotReady))
}

func podReady(p *PodFields) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == "True"
		}
	}
	return false
}

// podNotReady says briefly why a live pod is not ready, preferring the most
// specific information: a container stuck waiting (CrashLoopBackOff,
// ImagePullBackOff), then a failed scheduling, then the Ready condition,
// then the phase.
func podNotReady(p *PodFields) string {
	statuses := append(append([]ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "PodInitializing" && w.Reason != "ContainerCreating" {
			return oneLine(fmt.Sprintf("container %s: %s", cs.Name, detail(w.Reason, w.Message)))
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == "PodScheduled" && c.Status == "False" {
			return describeCondition(c.Type, c.Status, c.Reason, c.Message)
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == "Ready" {
			return describeCondition(c.Type, c.Status, c.Reason, c.Message)
		}
	}
	if p.Status.Phase == "" {
		return "no status yet"
	}
	return "phase " + p.Status.Phase
}
