package apitype

import (
	"os"
	"strings"
	"testing"

	"github.com/kwait-dev/kwait/pkg/target"
)

// kstatusPeer is one of the cases kstatus (cli-utils pkg/kstatus/status)
// tests its rules for built-in types with, rebuilt here: the object, the
// verdict kstatus gives (Current is ready, InProgress pending, Failed
// failed), and kwait's. Where the two differ, differs quotes README's words
// for the difference, which README must hold.
type kstatusPeer struct {
	key, name, object string
	kstatus, kwait    target.Phase
	differs           string
}

var kstatusPeers = []kstatusPeer{
	{"pods.", "no status", `{}`, isPending, isPending, ""},
	{"pods.", "ready", `status: {phase: Running, conditions: [{type: Ready, status: "True"}]}`, isReady, isReady, ""},
	{"pods.", "completed", `status: {phase: Succeeded, conditions: [{type: Ready, status: "False", reason: PodCompleted}]}`, isReady, isReady, ""},
	{"pods.", "completed, failed", `status: {phase: Failed, conditions: [{type: Ready, status: "False", reason: PodCompleted}]}`, isReady, isFailed,
		"a `Failed` pod fails (kstatus calls it Current)"},
	{"pods.", "unschedulable", `status: {phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}`, isFailed, isPending,
		"an unschedulable pod waits (kstatus fails it after 15 s: a node may still join)"},
	{"pods.", "crash looping", `status: {phase: Running, containerStatuses: [{name: nginx, image: nginx, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: CrashLoopBackOff}}}]}`, isFailed, isPending,
		"a container in `CrashLoopBackOff` fails after 3 restarts, not at the first back-off"},
	{"persistentvolumeclaims.", "no status", `{}`, isPending, isPending, ""},
	{"persistentvolumeclaims.", "bound", `status: {phase: Bound}`, isReady, isReady, ""},
	{"replicasets.apps", "no status", `{}`, isPending, isPending, ""},
	{"replicasets.apps", "ok", `{spec: {replicas: 4}, status: {replicas: 4, readyReplicas: 4, availableReplicas: 4, fullyLabeledReplicas: 4}}`, isReady, isReady, ""},
	{"replicasets.apps", "less ready", `{spec: {replicas: 4}, status: {replicas: 4, readyReplicas: 2, availableReplicas: 4, fullyLabeledReplicas: 4}}`, isPending, isPending, ""},
	{"replicasets.apps", "less available", `{spec: {replicas: 4}, status: {replicas: 4, readyReplicas: 4, availableReplicas: 2, fullyLabeledReplicas: 4}}`, isPending, isPending, ""},
	{"replicasets.apps", "extra pods", `{spec: {replicas: 4}, status: {replicas: 8, readyReplicas: 4, availableReplicas: 4, fullyLabeledReplicas: 4}}`, isPending, isPending, ""},
	{"replicasets.apps", "replica failure", `{spec: {replicas: 4}, status: {conditions: [{type: ReplicaFailure, status: "True"}]}}`, isPending, isPending, ""},
	{"poddisruptionbudgets.policy", "budget not met", `{metadata: {generation: 1}, status: {observedGeneration: 1, currentHealthy: 0, desiredHealthy: 2}}`, isReady, isPending,
		"a PodDisruptionBudget is judged by its counts (kstatus calls it Current once observed)"},
	{"poddisruptionbudgets.policy", "budget met", `{metadata: {generation: 1}, status: {observedGeneration: 1, currentHealthy: 2, desiredHealthy: 2}}`, isReady, isReady, ""},
	{"services.", "cluster ip", `spec: {type: ClusterIP, clusterIP: 10.0.0.1}`, isReady, isReady, ""},
	{"services.", "load balancer, no address", `spec: {type: LoadBalancer, clusterIP: 10.0.0.1}`, isReady, isPending,
		"a `LoadBalancer` Service needs an address in `status.loadBalancer.ingress` (kstatus only asks for a cluster IP)"},
	{"jobs.batch", "running", `status: {startTime: "2026-01-01T00:00:00Z", active: 1}`, isReady, isPending, "a running Job is not ready"},
	{"jobs.batch", "complete", `status: {conditions: [{type: Complete, status: "True"}]}`, isReady, isReady, ""},
	{"jobs.batch", "failed", `status: {conditions: [{type: Failed, status: "True"}]}`, isFailed, isFailed, ""},
}

// words folds runs of white space (line breaks in README) into one space.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestKstatusPeers: kwait's rows judge kstatus's own cases as kstatus does,
// or as README says they differ.
func TestKstatusPeers(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range kstatusPeers {
		r, ok := lookupKey(c.key)
		if !ok {
			t.Fatalf("%s: not in the table", c.key)
		}
		if got := r.ready.Of(object(t, r.typ(), c.object)); got.Phase != c.kwait {
			t.Errorf("%s %s: kwait judges phase %d (%s), want %d", c.key, c.name, got.Phase, got.Reason, c.kwait)
		}
		switch {
		case c.kstatus == c.kwait && c.differs != "":
			t.Errorf("%s %s: the same verdict as kstatus, yet a difference is given", c.key, c.name)
		case c.kstatus != c.kwait && c.differs == "":
			t.Errorf("%s %s: differs from kstatus without saying so", c.key, c.name)
		case c.differs != "" && !strings.Contains(words(string(readme)), words(c.differs)):
			t.Errorf("%s %s: README does not say %q", c.key, c.name, c.differs)
		}
	}
}
