package readiness

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestPods(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		min  int
		want verdict
	}{
		{"none.yaml", 1, pending("no pods match")},
		{"some-ready.yaml", 1, pending("ready pods 1/3; web-b: Ready=False")},
		{"all-ready.yaml", 1, ready},
		{"all-ready.yaml", 3, ready},
		{"all-ready.yaml", 0, ready},
		{"two-ready.yaml", 3, pending("ready pods 2/3")},
		{"only-terminating.yaml", 1, pending("no live pods match (1 terminating)")},
		{"one-terminating.yaml", 1, ready},
		{"one-terminating.yaml", 2, pending("ready pods 1/2")},
		{"finished-ignored.yaml", 1, ready},
		{"only-finished.yaml", 1, pending("no live pods match (1 succeeded, 1 failed)")},
		{"crashloop.yaml", 1, pending("ready pods 1/2; web-b: container app: CrashLoopBackOff: back-off 2m40s")},
		{"unschedulable.yaml", 1, pending("ready pods 0/1; web-a: PodScheduled=False: Unschedulable: 0/3 nodes are available")},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			check(t, Pods(loadItemsAs[corev1.PodList, PodFields](t, "pods/"+tc.file), tc.min), tc.want)
		})
	}
}

func TestPodsNil(t *testing.T) {
	t.Parallel()
	check(t, Pods(nil, 1), pending("no pods match"))
}
