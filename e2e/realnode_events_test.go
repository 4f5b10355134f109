//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"
)

// eventsRole lets the ServiceAccount waiter record Events in its namespace,
// as the chart's RBAC does.
const eventsRole = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: waiter-events, namespace: NAMESPACE}
rules:
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: waiter-events, namespace: NAMESPACE}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: waiter-events}
subjects: [{kind: ServiceAccount, name: waiter, namespace: NAMESPACE}]
`

// waiterPod is a pod on the real node whose init container runs kwait with
// args as the ServiceAccount waiter, finding its pod from its token alone
// (no downward API variables).
func waiterPod(node, args string) string {
	return realNodePod(node, `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: NAMESPACE}
spec:
  serviceAccountName: waiter
  nodeName: NODE
  TOLERATE
  restartPolicy: Never
  initContainers:
  - name: wait
    image: KWAIT_IMAGE
    imagePullPolicy: Never
    args: `+args+`
    `+restricted+`
  containers:
  - name: app
    image: PAUSE_IMAGE
    imagePullPolicy: Never
    `+restricted+`
`)
}

// TestRealNodeEventsWhileWaiting: an init container stuck waiting shows,
// within seconds, in kubectl describe pod what it waits for and why; once
// the CRD exists, that it is ready.
func TestRealNodeEventsWhileWaiting(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	ns := restrictedNamespace(t)
	crd := "gadgets." + uniqueGroup(ns)
	deleteCRD(t, crd)
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "clusterrole,clusterrolebinding", ns+"-waiter", "--ignore-not-found")
	})
	apply(t, ns, waiterRBAC(crd)+"---"+eventsRole)
	apply(t, ns, waiterPod(node, `[crd/`+crd+`, tcp://127.0.0.1:1, --timeout, 3m]`))
	waitFor(t, ns, "pod/app", "{.status.initContainerStatuses[0].started}", "true", 2*time.Minute)
	started := time.Now()
	e := awaitEvent(t, ns, 30*time.Second, "Waiting", func(e kwaitEvent) bool { return e.Reason == "Waiting" })
	t.Logf("Waiting Event %s after the init container started", time.Since(started).Round(time.Millisecond))
	uid := kubectl(t, "", "-n", ns, "get", "pod/app", "-o", "jsonpath={.metadata.uid}")
	if e.Regarding.Name != "app" || e.Regarding.UID != uid {
		t.Errorf("Event about %+v, want pod app (uid %s)", e.Regarding, uid)
	}
	awaitEvent(t, ns, 30*time.Second, "Pending on the CRD", func(e kwaitEvent) bool {
		return e.Reason == "Pending" && strings.HasPrefix(e.Note, "crd/"+crd+": ")
	})
	desc := kubectl(t, "", "-n", ns, "describe", "pod/app")
	mustContain(t, desc, "Waiting", "crd/"+crd, "tcp://127.0.0.1:1", "kwait.dev/kwait")
	if phase := kubectl(t, "", "-n", ns, "get", "pod/app", "-o", "jsonpath={.status.phase}"); phase != "Pending" {
		t.Fatalf("app is %s, want Pending (Init:0/1)", phase)
	}
	apply(t, "", crdYAML("gadgets", uniqueGroup(ns)))
	awaitEvent(t, ns, time.Minute, "Ready for the CRD", func(e kwaitEvent) bool {
		return e.Reason == "Ready" && e.Note == "crd/"+crd+" is ready"
	})
	mustContain(t, kubectl(t, "", "-n", ns, "describe", "pod/app"), "crd/"+crd+" is ready")
}

// TestRealNodeEventsTimeout: a wait that times out leaves a Warning Event
// naming every target still pending, with its reason.
func TestRealNodeEventsTimeout(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	ns := restrictedNamespace(t)
	crd := "gizmos." + uniqueGroup(ns)
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "clusterrole,clusterrolebinding", ns+"-waiter", "--ignore-not-found")
	})
	apply(t, ns, waiterRBAC(crd)+"---"+eventsRole)
	apply(t, ns, waiterPod(node, `[crd/`+crd+`, tcp://127.0.0.1:1, --timeout, 5s]`))
	waitFor(t, ns, "pod/app", "{.status.initContainerStatuses[0].state.terminated.exitCode}", "124", 2*time.Minute)
	e := awaitEvent(t, ns, 30*time.Second, "Warning TimedOut", func(e kwaitEvent) bool {
		return e.Type == "Warning" && e.Reason == "TimedOut"
	})
	mustContain(t, e.Note, "timed out after 5", "crd/"+crd+": ", "tcp://127.0.0.1:1: ")
	mustContain(t, kubectl(t, "", "-n", ns, "describe", "pod/app"), "Warning", "TimedOut", "crd/"+crd)
}

// TestRealNodeEventsWithoutRBAC: without RBAC for Events the wait succeeds
// all the same, and kwait says once that it records none.
func TestRealNodeEventsWithoutRBAC(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	ns := restrictedNamespace(t)
	group := uniqueGroup(ns)
	crd := "widgets." + group
	deleteCRD(t, crd)
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "clusterrole,clusterrolebinding", ns+"-waiter", "--ignore-not-found")
	})
	apply(t, ns, waiterRBAC(crd))
	apply(t, "", crdYAML("widgets", group))
	apply(t, ns, waiterPod(node, `[crd/`+crd+`, --timeout, 2m]`))
	waitFor(t, ns, "pod/app", "{.status.phase}", "Running", 2*time.Minute)
	code := kubectl(t, "", "-n", ns, "get", "pod/app", "-o", "jsonpath={.status.initContainerStatuses[0].state.terminated.exitCode}")
	if code != "0" {
		t.Fatalf("init container exited %s, want 0", code)
	}
	logs := kubectl(t, "", "-n", ns, "logs", "pod/app", "-c", "wait")
	if n := strings.Count(logs, "events not recorded"); n != 1 {
		t.Errorf("%q logged %d times, want once:\n%s", "events not recorded", n, logs)
	}
	mustContain(t, logs, "forbidden", "all ready")
	if evs := kwaitEvents(t, ns); len(evs) != 0 {
		t.Errorf("Events recorded without RBAC: %+v", evs)
	}
}
