package readiness

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// ReplicaSet judges a ReplicaSet or a ReplicationController (they report the
// same counters) as kstatus does. Rules, first match wins:
//  1. Condition ReplicaFailure=True (a quota, a pod the apiserver refused):
//     Pending, with the condition. Its controller retries.
//  2. Fewer available replicas than spec.replicas (1 when unset): Pending
//     "available A/W".
//  3. Fewer ready replicas than wanted: Pending "ready R/W".
//  4. More replicas than wanted: Pending, pods still terminating.
//  5. Otherwise Ready. Scaled to zero is ready once no pod is left.
func ReplicaSet(obj *unstructured.Unstructured) target.Status {
	if c, ok := findCondition(obj, "ReplicaFailure"); ok && c.Status == "True" {
		return target.Pending("%s", c)
	}
	want := int64Or(obj, 1, "spec", "replicas")
	have := int64Or(obj, 0, "status", "replicas")
	available := int64Or(obj, 0, "status", "availableReplicas")
	ready := int64Or(obj, 0, "status", "readyReplicas")
	switch {
	case available < want:
		return target.Pending("available replicas %d/%d", available, want)
	case ready < want:
		return target.Pending("ready replicas %d/%d", ready, want)
	case have > want:
		return target.Pending("%d replicas terminating", have-want)
	}
	return target.Ready()
}

// PodDisruptionBudget is ready when the disruption controller has counted
// the budget's pods and at least as many are healthy as it needs: a budget
// not met blocks every voluntary eviction (a node drain) it covers. Rules,
// first match wins:
//  1. No status.observedGeneration: Pending, the controller has not
//     counted yet (until then every counter reads zero).
//  2. status.currentHealthy below status.desiredHealthy: Pending
//     "healthy pods C/D", with the DisruptionAllowed condition when it
//     gives a reason.
//  3. Otherwise Ready.
func PodDisruptionBudget(obj *unstructured.Unstructured) target.Status {
	if _, ok := intField(obj.Object, "status", "observedGeneration"); !ok {
		return target.Pending("no status yet: the disruption controller has not counted its pods")
	}
	healthy := int64Or(obj, 0, "status", "currentHealthy")
	desired := int64Or(obj, 0, "status", "desiredHealthy")
	if healthy >= desired {
		return target.Ready()
	}
	if c, ok := findCondition(obj, "DisruptionAllowed"); ok && c.Reason != "" {
		return target.Pending("healthy pods %d/%d; %s", healthy, desired, c)
	}
	return target.Pending("healthy pods %d/%d", healthy, desired)
}

// int64Or reads an integer at path, or def when it is not set.
func int64Or(obj *unstructured.Unstructured, def int64, path ...string) int64 {
	if n, ok := intField(obj.Object, path...); ok {
		return n
	}
	return def
}
