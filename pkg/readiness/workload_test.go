package readiness

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

func TestDeployment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want verdict
	}{
		{"updating.yaml", pending("updated replicas 1/3")},
		{"old-terminating.yaml", pending("old replicas pending termination: 1")},
		{"unavailable.yaml", pending("available replicas 1/3")},
		{"not-observed.yaml", pending("waiting for spec update to be observed (generation 3, observed 2)")},
		{"scaled-to-zero.yaml", ready},
		{"paused.yaml", pending("rollout paused")},
		{"deadline-exceeded.yaml", broken(`progress deadline exceeded: ReplicaSet "api-5f6b" has timed out progressing.`)},
		// A new spec restarts the clock: the old verdict no longer applies.
		{"deadline-exceeded-new-spec.yaml", pending("waiting for spec update to be observed")},
		{"rolled-out.yaml", ready},
		{"default-replicas.yaml", pending("updated replicas 0/1")},
		{"deleting.yaml", pending("being deleted")},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			check(t, Deployment(loadAs[appsv1.Deployment, DeploymentFields](t, "deployment/"+tc.file)), tc.want)
		})
	}
}

func TestStatefulSet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want verdict
	}{
		{"partition-done.yaml", ready},
		{"partition-pending.yaml", pending("updated replicas 1/2 (partition 1)")},
		// kubectl rollout status reports this one done; kwait does not.
		{"half-rolled.yaml", pending("updated replicas 1/3")},
		{"rolled-out.yaml", ready},
		{"ondelete-old-revision.yaml", ready},
		{"ondelete-not-ready.yaml", pending("ready replicas 2/3")},
		{"not-observed.yaml", pending("waiting for spec update to be observed (generation 1, observed 0)")},
		{"scaling-down.yaml", pending("surplus replicas pending termination: 1")},
		{"min-ready-seconds.yaml", pending("available replicas 2/3")},
		{"not-ready.yaml", pending("ready replicas 1/3")},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			check(t, StatefulSet(loadAs[appsv1.StatefulSet, StatefulSetFields](t, "statefulset/"+tc.file)), tc.want)
		})
	}
}

func TestDaemonSet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want verdict
	}{
		{"updating.yaml", pending("updated pods 1/3")},
		{"unavailable.yaml", pending("available pods 2/3")},
		{"rolled-out.yaml", ready},
		{"not-observed.yaml", pending("waiting for spec update to be observed (generation 3, observed 2)")},
		{"ondelete.yaml", ready},
		{"ondelete-unavailable.yaml", pending("available pods 1/3")},
		{"no-nodes.yaml", ready},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			check(t, DaemonSet(loadAs[appsv1.DaemonSet, DaemonSetFields](t, "daemonset/"+tc.file)), tc.want)
		})
	}
}
