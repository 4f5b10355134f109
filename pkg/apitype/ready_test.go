package apitype

import (
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// readyCase is one object of a built-in type and the verdict `ready` gives
// it: a phase and a substring of the reason.
type readyCase struct {
	name   string
	object string // YAML; apiVersion and kind are added from the row
	phase  target.Phase
	reason string
}

const (
	isReady   = target.PhaseReady
	isPending = target.PhasePending
	isFailed  = target.PhaseFailed
)

// readyCases holds, for every row with a rule of its own (not exists, not
// refused), objects it calls ready, pending and (when the row says it
// fails) failed. Keys are PLURAL.GROUP.
var readyCases = map[string][]readyCase{
	"endpoints.": {
		{"address", `subsets: [{addresses: [{ip: 10.0.0.1}]}]`, isReady, ""},
		{"not ready only", `subsets: [{notReadyAddresses: [{ip: 10.0.0.1}]}]`, isPending, "no ready addresses"},
	},
	"namespaces.": {
		{"active", `status: {phase: Active}`, isReady, ""},
		{"no status", `{}`, isPending, "phase not set, want Active"},
	},
	"nodes.": {
		{"ready", `status: {conditions: [{type: Ready, status: "True"}]}`, isReady, ""},
		{"not ready", `status: {conditions: [{type: Ready, status: "False", reason: KubeletNotReady}]}`, isPending, "Ready=False: KubeletNotReady"},
		{"new", `{}`, isPending, "condition Ready not set"},
	},
	"persistentvolumeclaims.": {
		{"bound", `status: {phase: Bound}`, isReady, ""},
		{"pending", `status: {phase: Pending}`, isPending, "phase Pending: no volume bound yet"},
		{"lost", `{spec: {volumeName: pv-1}, status: {phase: Lost}}`, isFailed, `phase Lost: its PersistentVolume "pv-1" is gone`},
	},
	"persistentvolumes.": {
		{"available", `status: {phase: Available}`, isReady, ""},
		{"bound", `status: {phase: Bound}`, isReady, ""},
		{"released", `status: {phase: Released}`, isPending, "phase Released"},
		{"failed", `status: {phase: Failed, message: "recycler failed"}`, isFailed, "phase Failed: recycler failed"},
	},
	"pods.": {
		{"ready", `status: {phase: Running, conditions: [{type: Ready, status: "True"}]}`, isReady, ""},
		{"succeeded", `status: {phase: Succeeded}`, isReady, ""},
		{"pending", `status: {phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable, message: "0/1 nodes"}]}`, isPending, "PodScheduled=False: Unschedulable: 0/1 nodes"},
		{"crash looping briefly", `status: {phase: Running, containerStatuses: [{name: app, image: a, imageID: "", ready: false, restartCount: 2, state: {waiting: {reason: CrashLoopBackOff}}}]}`, isPending, "container app: CrashLoopBackOff"},
		{"crash looping", `status: {phase: Running, containerStatuses: [{name: app, image: a, imageID: "", ready: false, restartCount: 3, state: {waiting: {reason: CrashLoopBackOff}}, lastState: {terminated: {exitCode: 2, reason: Error}}}]}`, isFailed, "container app: CrashLoopBackOff after 3 restarts, last exit code 2: Error"},
		{"failed", `status: {phase: Failed, reason: Evicted, message: "low on memory"}`, isFailed, "phase Failed: Evicted: low on memory"},
	},
	"replicationcontrollers.": {
		{"available", `{spec: {replicas: 2}, status: {replicas: 2, readyReplicas: 2, availableReplicas: 2}}`, isReady, ""},
		{"none ready", `{spec: {replicas: 3}, status: {replicas: 3}}`, isPending, "available replicas 0/3"},
	},
	"resourcequotas.": {
		{"computed", `{spec: {hard: {pods: "10"}}, status: {hard: {pods: "10"}, used: {pods: "0"}}}`, isReady, ""},
		{"not computed", `{spec: {hard: {pods: "10"}}}`, isPending, "usage not computed yet (pods)"},
	},
	"services.": {
		{"cluster ip", `spec: {type: ClusterIP}`, isReady, ""},
		{"load balancer", `{spec: {type: LoadBalancer}, status: {loadBalancer: {ingress: [{ip: 192.0.2.1}]}}}`, isReady, ""},
		{"load balancer pending", `spec: {type: LoadBalancer}`, isPending, "no load balancer address yet"},
	},
	"apiservices.apiregistration.k8s.io": {
		{"available", `status: {conditions: [{type: Available, status: "True"}]}`, isReady, ""},
		{"unavailable", `status: {conditions: [{type: Available, status: "False", reason: MissingEndpoints}]}`, isPending, "MissingEndpoints"},
	},
	"daemonsets.apps": {
		{"rolled out", `{metadata: {generation: 1}, status: {observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1}}`, isReady, ""},
		{"rolling", `{metadata: {generation: 1}, status: {observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 1}}`, isPending, ""},
	},
	"deployments.apps": {
		{"rolled out", `{metadata: {generation: 1}, spec: {replicas: 1}, status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1}}`, isReady, ""},
		{"rolling", `{metadata: {generation: 1}, spec: {replicas: 2}, status: {observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 1}}`, isPending, ""},
		{"deadline", `{metadata: {generation: 1}, spec: {replicas: 1}, status: {observedGeneration: 1, conditions: [{type: Progressing, status: "False", reason: ProgressDeadlineExceeded}]}}`, isFailed, "progress deadline exceeded"},
	},
	"replicasets.apps": {
		{"available", `{spec: {replicas: 3}, status: {replicas: 3, readyReplicas: 3, availableReplicas: 3}}`, isReady, ""},
		{"scaled to zero", `{spec: {replicas: 0}, status: {replicas: 0}}`, isReady, ""},
		{"none ready", `{spec: {replicas: 3}, status: {replicas: 3}}`, isPending, "available replicas 0/3"},
		{"ready, not available", `{spec: {replicas: 1}, status: {replicas: 1, readyReplicas: 1}}`, isPending, "available replicas 0/1"},
		{"terminating", `{spec: {replicas: 1}, status: {replicas: 2, readyReplicas: 1, availableReplicas: 1}}`, isPending, "1 replicas terminating"},
		{"quota", `{spec: {replicas: 1}, status: {conditions: [{type: ReplicaFailure, status: "True", reason: FailedCreate, message: "exceeded quota"}]}}`, isPending, "ReplicaFailure=True: FailedCreate: exceeded quota"},
		{"generation", `{metadata: {generation: 2}, spec: {replicas: 1}, status: {observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1}}`, isPending, "waiting for generation 2"},
	},
	"statefulsets.apps": {
		{"rolled out", `{metadata: {generation: 1}, spec: {replicas: 1}, status: {observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: a, updateRevision: a}}`, isReady, ""},
		{"none ready", `{metadata: {generation: 1}, spec: {replicas: 1}, status: {observedGeneration: 1, replicas: 1}}`, isPending, ""},
	},
	"horizontalpodautoscalers.autoscaling": {
		{"active", `status: {conditions: [{type: AbleToScale, status: "True"}, {type: ScalingActive, status: "True"}]}`, isReady, ""},
		{"no metrics", `status: {conditions: [{type: AbleToScale, status: "True"}, {type: ScalingActive, status: "False", reason: FailedGetResourceMetric}]}`, isPending, "ScalingActive=False: FailedGetResourceMetric"},
	},
	"jobs.batch": {
		{"complete", `status: {conditions: [{type: Complete, status: "True"}]}`, isReady, ""},
		{"running", `status: {active: 1}`, isPending, ""},
		{"failed", `status: {conditions: [{type: Failed, status: "True", reason: BackoffLimitExceeded}]}`, isFailed, "BackoffLimitExceeded"},
	},
	"certificatesigningrequests.certificates.k8s.io": {
		{"issued", `status: {certificate: Y2VydA==, conditions: [{type: Approved, status: "True"}]}`, isReady, ""},
		{"approved", `status: {conditions: [{type: Approved, status: "True"}]}`, isPending, "approved, no certificate issued yet"},
		{"new", `{}`, isPending, "not approved yet"},
		{"denied", `status: {conditions: [{type: Denied, status: "True", reason: Policy}]}`, isFailed, "Denied: Policy"},
	},
	"ingresses.networking.k8s.io": {
		{"address", `status: {loadBalancer: {ingress: [{hostname: lb.example}]}}`, isReady, ""},
		{"none", `{}`, isPending, "no address published"},
	},
	"servicecidrs.networking.k8s.io": {
		{"ready", `status: {conditions: [{type: Ready, status: "True"}]}`, isReady, ""},
		{"new", `{}`, isPending, "condition Ready not set"},
	},
	"poddisruptionbudgets.policy": {
		{"met", `{metadata: {generation: 1}, status: {observedGeneration: 1, currentHealthy: 2, desiredHealthy: 2}}`, isReady, ""},
		{"unmet", `{metadata: {generation: 1}, status: {observedGeneration: 1, currentHealthy: 0, desiredHealthy: 2}}`, isPending, "healthy pods 0/2"},
		{"not counted", `{}`, isPending, "no status yet"},
	},
	"volumeattachments.storage.k8s.io": {
		{"attached", `status: {attached: true}`, isReady, ""},
		{"error", `status: {attached: false, attachError: {message: "no such disk"}}`, isPending, "not attached: no such disk"},
	},
	"mutatingwebhookconfigurations.admissionregistration.k8s.io": {
		{"no webhooks", `{}`, isReady, ""},
		{"no CA", `webhooks: [{name: a.example.com, clientConfig: {url: "https://a.example.com"}}]`, isPending, "a.example.com"},
	},
	"validatingwebhookconfigurations.admissionregistration.k8s.io": {
		{"no webhooks", `{}`, isReady, ""},
		{"no CA", `webhooks: [{name: a.example.com, clientConfig: {url: "https://a.example.com"}}]`, isPending, "a.example.com"},
	},
	"customresourcedefinitions.apiextensions.k8s.io": {
		{"established", `status: {conditions: [{type: NamesAccepted, status: "True"}, {type: Established, status: "True"}]}`, isReady, ""},
		{"installing", `status: {conditions: [{type: NamesAccepted, status: "True"}, {type: Established, status: "False", reason: Installing}]}`, isPending, ""},
		{"names rejected", `status: {conditions: [{type: NamesAccepted, status: "False", reason: NameConflict}]}`, isFailed, "NameConflict"},
	},
	"leases.coordination.k8s.io": {
		{"held", `spec: {holderIdentity: a, renewTime: "2999-01-01T00:00:00.000000Z", leaseDurationSeconds: 15}`, isReady, ""},
		{"expired", `spec: {holderIdentity: a, renewTime: "2001-01-01T00:00:00.000000Z", leaseDurationSeconds: 15}`, isPending, "held by a, expired at 2001-01-01T00:00:15Z"},
		{"free", `spec: {leaseDurationSeconds: 15}`, isPending, "not held"},
	},
	"endpointslices.discovery.k8s.io": {
		{"ready", `{addressType: IPv4, endpoints: [{addresses: [10.0.0.1], conditions: {ready: true}}]}`, isReady, ""},
		{"not ready", `{addressType: IPv4, endpoints: [{addresses: [10.0.0.1], conditions: {ready: false}}]}`, isPending, "no ready endpoints"},
	},
	"flowschemas.flowcontrol.apiserver.k8s.io": {
		{"matched", `status: {conditions: [{type: Dangling, status: "False"}]}`, isReady, ""},
		{"dangling", `status: {conditions: [{type: Dangling, status: "True", reason: NotFound}]}`, isPending, "Dangling=True: NotFound"},
	},
	"resourceclaims.resource.k8s.io": {
		{"allocated", `status: {allocation: {devices: {results: [{request: a, driver: d, pool: p, device: x}]}}}`, isReady, ""},
		{"new", `{}`, isPending, "not allocated yet"},
	},
}

// TestEveryRowJudges: every row of the built-in table says what ready
// means, with a test case for each verdict it can give: rules of their own
// in readyCases (ready, pending, and failed when the row says so); every
// `exists` row is ready for an object and pending for one being deleted;
// refused rows judge nothing and say why.
func TestEveryRowJudges(t *testing.T) {
	t.Parallel()
	for _, row := range table() {
		key := row.resource + "." + row.group
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			m := row.ready
			if !m.Known() || (m.Ready == "") == (m.Refused == "") {
				t.Fatalf("a row needs words for ready, or a refusal (not both): %+v", m)
			}
			if m.Refused != "" {
				if _, ok := readyCases[key]; ok {
					t.Fatal("refused, yet readyCases has cases")
				}
				if st := m.Of(object(t, row.typ(), "{}")); st.Phase == target.PhaseReady {
					t.Fatal("a refused row judged an object ready")
				}
				return
			}
			cases := readyCases[key]
			if strings.HasPrefix(m.Ready, "exists: ") != (reflect.ValueOf(m.Rule).Pointer() == reflect.ValueOf(readiness.Exists).Pointer()) {
				t.Fatal("the words say exists and the rule is not readiness.Exists, or the other way round")
			}
			if strings.HasPrefix(m.Ready, "exists: ") {
				if len(cases) != 0 {
					t.Fatal("an exists row has cases of its own")
				}
				cases = []readyCase{
					{"exists", `{}`, isReady, ""},
					{"being deleted", `metadata: {deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: [x]}`, isPending, "being deleted"},
				}
			}
			seen := map[target.Phase]bool{}
			for _, c := range cases {
				seen[c.phase] = true
				st := m.Of(object(t, row.typ(), c.object))
				if st.Phase != c.phase || !strings.Contains(st.Reason, c.reason) || (c.phase == isReady && st.Reason != "") {
					t.Errorf("%s: got phase %d %q, want phase %d with %q", c.name, st.Phase, st.Reason, c.phase, c.reason)
				}
			}
			if !seen[isReady] || !seen[isPending] {
				t.Errorf("needs a ready and a pending case")
			}
			if fails := m.Fails != ""; fails != seen[isFailed] {
				t.Errorf("the row fails (%q): %v, but has a failed case: %v", m.Fails, fails, seen[isFailed])
			}
		})
	}
	for key := range readyCases {
		if _, ok := lookupKey(key); !ok {
			t.Errorf("readyCases has %s, which is not in the table", key)
		}
	}
}

func lookupKey(key string) (row, bool) {
	for _, r := range table() {
		if r.resource+"."+r.group == key {
			return r, true
		}
	}
	return row{}, false
}

// object decodes a case's YAML into an object of type t named "x".
func object(t *testing.T, typ Type, doc string) *unstructured.Unstructured {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	if m == nil {
		m = map[string]any{}
	}
	obj := &unstructured.Unstructured{Object: m}
	obj.SetAPIVersion(strings.TrimPrefix(typ.Group+"/"+typ.Version, "/"))
	obj.SetKind(typ.Kind)
	obj.SetName("x")
	return obj
}

// TestReadyOfOtherTypes: a type outside the table in a built-in group (an
// older version, a beta type) is refused, naming the version kwait knows
// when there is one; a custom resource's type gets the zero Meaning, which
// readiness.Current judges.
func TestReadyOfOtherTypes(t *testing.T) {
	t.Parallel()
	hpaV1 := ReadyOf(Type{Group: "autoscaling", Version: "v1", Resource: "horizontalpodautoscalers"})
	if !strings.Contains(hpaV1.Refused, "horizontalpodautoscalers.v2.autoscaling") {
		t.Errorf("autoscaling/v1: %q", hpaV1.Refused)
	}
	beta := ReadyOf(Type{Group: "storage.k8s.io", Version: "v1beta1", Resource: "storageversionmigrations"})
	if !strings.Contains(beta.Refused, "storageversionmigrations.storage.k8s.io") {
		t.Errorf("a beta type of a built-in group: %q", beta.Refused)
	}
	if m := ReadyOf(Type{Group: "example.com", Version: "v1", Resource: "widgets"}); m.Known() {
		t.Errorf("a custom resource's type got a row: %+v", m)
	}
}
