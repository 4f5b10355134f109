//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/target"
)

// TestReadyEveryServedType: for every type of Kubernetes' own groups the
// control plane serves, --for ready on a real object of it either exits 2
// at start, naming the rules that apply, or gives the verdict kwait's table
// gives that object: never 0 for an object its row calls not ready.
func TestReadyEveryServedType(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	manifests := typeManifests(t)
	for _, typ := range servedTypes(t) {
		t.Run(typ.pluralForm(), func(t *testing.T) {
			t.Parallel()
			objNS, name := objectOf(t, typ, ns, manifests[typ.pluralForm()])
			ref := typ.pluralForm() + "/" + name
			if typ.namespaced {
				ref = typ.pluralForm() + "/" + objNS + "/" + name
			}
			meaning := apitype.ReadyOf(apitype.Type{Group: typ.group, Version: typ.version, Resource: typ.resource})
			if meaning.Refused != "" {
				out := kwait(t, 2, "resource", ref, "--for", "ready", "--timeout", "30s")
				mustContain(t, out, "--for ready on "+typ.resource, "is refused", "use create, delete, condition=")
				return
			}
			before := judged(t, typ, objNS, name, meaning)
			p := start(t, "resource", ref, "--for", "ready", "--timeout", "3s")
			code := p.exit(t)
			after := judged(t, typ, objNS, name, meaning)
			want := map[target.Phase]int{target.PhaseReady: 0, target.PhasePending: 124, target.PhaseFailed: 1}
			switch {
			case code == want[before.Phase] || code == want[after.Phase]:
			case typ.resource == "services" && typ.group == "" && code == 124:
				// ready alone on a Service also waits for a ready endpoint
				// (the service kind), which this one, without a selector,
				// never has.
				mustContain(t, p.output(), "no EndpointSlices")
			default:
				t.Fatalf("kwait exited %d; kwait's table judges the object %+v before and %+v after; output:\n%s",
					code, before, after, p.output())
			}
			if code == 0 && before.Phase != target.PhaseReady && after.Phase != target.PhaseReady {
				t.Fatalf("exit 0 on an object the table calls not ready: %+v", after)
			}
		})
	}
}

// judged reads the object and judges it by the row, as kwait would.
func judged(t *testing.T, typ servedType, ns, name string, m interface {
	Of(*unstructured.Unstructured) target.Status
}) target.Status {
	t.Helper()
	args := []string{"get", typ.kubectlType(), name, "-o", "json"}
	if typ.namespaced {
		args = append(args, "-n", ns)
	}
	out := kubectl(t, "", args...)
	// kubectl's warnings (v1 Endpoints is deprecated) come before the JSON.
	out = out[max(strings.Index(out, "{"), 0):]
	obj := &unstructured.Unstructured{}
	if err := json.Unmarshal([]byte(out), &obj.Object); err != nil {
		t.Fatal(err)
	}
	return m.Of(obj)
}

// TestReadyNeverEarly: the three objects a user saw called ready too
// early, each judged by its type's row on the real control plane, in both
// directions: a PersistentVolumeClaim until the persistent-volume
// controller binds it, a ReplicaSet until its pods are available or it is
// scaled to zero, a PodDisruptionBudget whose pods are missing; and a pod
// that failed ends the wait at once.
func TestReadyNeverEarly(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	class := "kwait-" + ns
	apply(t, ns, strings.ReplaceAll(`
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: NAMESPACE}
spec: {storageClassName: CLASS, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, namespace: NAMESPACE}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {kwait.dev/nowhere: "true"}
      containers: [{name: web, image: web}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db, namespace: NAMESPACE}
spec: {minAvailable: 2, selector: {matchLabels: {app: db}}}
---
apiVersion: v1
kind: Pod
metadata: {name: job, namespace: NAMESPACE}
spec:
  nodeSelector: {kwait.dev/nowhere: "true"}
  containers: [{name: job, image: job}]
`, "CLASS", class))

	out := kwait(t, 124, "resource", "pvc/data", "rs/web", "pdb/db", "-n", ns, "--for", "ready", "--timeout", "4s")
	mustContain(t, out, "pvc/"+ns+"/data: phase Pending: no volume bound yet",
		"rs/"+ns+"/web: available replicas 0/3", "pdb/"+ns+"/db: healthy pods 0/2")

	// The persistent-volume controller binds the claim once a volume of its
	// class exists; the ReplicaSet scaled to zero has nothing left to wait for.
	p := start(t, "resource", "pvc/data", "rs/web", "-n", ns, "--for", "ready", "--timeout", "90s")
	p.await(t, "rs/"+ns+"/web", "available replicas 0/3")
	kubectl(t, strings.ReplaceAll(`
apiVersion: v1
kind: PersistentVolume
metadata: {name: CLASS}
spec: {storageClassName: CLASS, capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /tmp/CLASS}}
`, "CLASS", class), "apply", "-f", "-")
	t.Cleanup(func() { _, _ = kubectlErr(t, "", "delete", "pv", class, "--wait=false") })
	kubectl(t, "", "scale", "rs/web", "-n", ns, "--replicas=0")
	p.expect(t, 0)

	// A pod that failed never becomes ready: exit 1 with its reason.
	kubectl(t, "", "patch", "pod/job", "-n", ns, "--subresource=status", "--type=merge",
		"-p", `{"status":{"phase":"Failed","reason":"DeadlineExceeded","message":"Pod was active too long"}}`)
	out = kwait(t, 1, "resource", "pod/job", "-n", ns, "--for", "ready", "--timeout", "60s")
	mustContain(t, out, "phase Failed: DeadlineExceeded: Pod was active too long")

	// An Event has no meaning for ready: refused at start.
	out = kwait(t, 2, "resource", "events/nothing", "-n", ns, "--for", "ready")
	mustContain(t, out, "--for ready on events is refused: an Event records what happened")
}

// TestReadyLoadBalancer: ready alone on a Service of type LoadBalancer waits
// for its load balancer's address before its endpoints.
func TestReadyLoadBalancer(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, `
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: NAMESPACE}
spec: {type: LoadBalancer, selector: {app: lb}, ports: [{port: 80}]}
`)
	out := kwait(t, 124, "svc/lb", "-n", ns, "--for", "ready", "--timeout", "3s")
	mustContain(t, out, "no load balancer address yet")
}
