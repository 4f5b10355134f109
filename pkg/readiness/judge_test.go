package readiness

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

func pod(name, rv, phase string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": "ns", "resourceVersion": rv},
		"status":   map[string]any{"phase": phase},
	}}
}

// TestEachConvertsChangesOnly: an object is converted again only when its
// resourceVersion changed.
func TestEachConvertsChangesOnly(t *testing.T) {
	t.Parallel()
	var phases []string
	j := Each(func(pods []*PodFields) target.Status {
		phases = phases[:0]
		for _, p := range pods {
			phases = append(phases, p.Status.Phase)
		}
		return target.Ready()
	})
	a := pod("a", "1", "Pending")
	j([]*unstructured.Unstructured{a})
	// Same resourceVersion: the earlier conversion stands.
	a.Object["status"] = map[string]any{"phase": "Running"}
	j([]*unstructured.Unstructured{a})
	if phases[0] != "Pending" {
		t.Errorf("phase %q after an unchanged resourceVersion, want the cached Pending", phases[0])
	}
	// A new resourceVersion: converted again.
	j([]*unstructured.Unstructured{pod("a", "2", "Running"), pod("b", "3", "Pending")})
	if len(phases) != 2 || phases[0] != "Running" || phases[1] != "Pending" {
		t.Errorf("phases %v, want [Running Pending]", phases)
	}
}

// BenchmarkPodsFollow is one pods target following 1,000 pods through
// three events each (created, scheduled, ready).
func BenchmarkPodsFollow(b *testing.B) {
	for b.Loop() {
		j := Each(func(pods []*PodFields) target.Status { return Pods(pods, 1000) })
		objs := make([]*unstructured.Unstructured, 0, 1000)
		for step, phase := range []string{"Pending", "Pending", "Running"} {
			for i := range 1000 {
				o := pod(fmt.Sprintf("p%04d", i), fmt.Sprint(step*1000+i+1), phase)
				if step == 0 {
					objs = append(objs, o)
				} else {
					objs[i] = o
				}
				j(objs)
			}
		}
	}
}
