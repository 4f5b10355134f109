//go:build e2e

package e2e

import (
	"testing"
	"time"
)

// TestRealNodeInitContainerWaitsForCRD: kwait's image as an init container
// under the restricted Pod Security level, with nothing but its
// ServiceAccount: the default in-cluster config (the kubelet's projected
// token and CA, the `kubernetes` Service IP through kube-proxy). It waits
// for a CRD created after the pod started, then the app container runs.
func TestRealNodeInitContainerWaitsForCRD(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	ns := restrictedNamespace(t)
	group := uniqueGroup(ns)
	crd := "tools." + group
	deleteCRD(t, crd)
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "clusterrole,clusterrolebinding", ns+"-waiter", "--ignore-not-found")
	})
	apply(t, ns, waiterRBAC(crd))
	apply(t, ns, realNodePod(node, `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: NAMESPACE}
spec:
  serviceAccountName: waiter
  nodeName: NODE
  TOLERATE
  initContainers:
  - name: wait
    image: KWAIT_IMAGE
    imagePullPolicy: Never
    args: [crd/`+crd+`, --timeout, 2m]
    `+restricted+`
  containers:
  - name: app
    image: PAUSE_IMAGE
    imagePullPolicy: Never
    `+restricted+`
`))
	// kwait is running and waiting: the CRD does not exist yet.
	waitFor(t, ns, "pod/app", "{.status.initContainerStatuses[0].started}", "true", 2*time.Minute)
	apply(t, "", crdYAML("tools", group))
	waitFor(t, ns, "pod/app", "{.status.phase}", "Running", 2*time.Minute)
	status := kubectl(t, "", "-n", ns, "get", "pod/app", "-o",
		"jsonpath={.status.initContainerStatuses[0].state.terminated.exitCode}/{.status.initContainerStatuses[0].state.terminated.reason}")
	if status != "0/Completed" {
		t.Fatalf("init container ended with %s, want 0/Completed", status)
	}
	logs := kubectl(t, "", "-n", ns, "logs", "pod/app", "-c", "wait")
	mustContain(t, logs, "crd/"+crd)
}

// dbService is the Service "db" of seed 004, selecting pods labelled app=db.
const dbService = `
apiVersion: v1
kind: Service
metadata: {name: db, namespace: NAMESPACE}
spec:
  selector: {app: db}
  ports: [{port: 5432, targetPort: 5432}]
`

// TestRealNodeSeed004: an app whose init container runs
// `kwait tcp db:5432 dns://db.NS.svc.cluster.local`: the short name through
// the pod's resolv.conf search path and CoreDNS, the connection through
// kube-proxy to a backing pod that starts only later. The app leaves
// Init:0/1 once that pod listens.
func TestRealNodeSeed004(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	ns := restrictedNamespace(t)
	apply(t, ns, dbService)
	apply(t, ns, realNodePod(node, `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: NAMESPACE}
spec:
  nodeName: NODE
  TOLERATE
  automountServiceAccountToken: false
  initContainers:
  - name: wait-for-db
    image: KWAIT_IMAGE
    imagePullPolicy: Never
    args: [tcp://db:5432, dns://db.NAMESPACE.svc.cluster.local, --timeout, 2m]
    `+restricted+`
  containers:
  - name: app
    image: PAUSE_IMAGE
    imagePullPolicy: Never
    `+restricted+`
`))
	waitFor(t, ns, "pod/app", "{.status.initContainerStatuses[0].started}", "true", 2*time.Minute)
	if phase := kubectl(t, "", "-n", ns, "get", "pod/app", "-o", "jsonpath={.status.phase}"); phase != "Pending" {
		t.Fatalf("app is %s before db listens, want Pending (Init:0/1)", phase)
	}
	apply(t, ns, realNodePod(node, dbPod))
	waitFor(t, ns, "pod/app", "{.status.phase}", "Running", 2*time.Minute)
	logs := kubectl(t, "", "-n", ns, "logs", "pod/app", "-c", "wait-for-db")
	mustContain(t, logs, "tcp://db:5432", "dns://db."+ns+".svc.cluster.local")
}

// TestRealNodeTimeoutTerminationMessage: a Service nobody backs. kwait gives
// up at --timeout with exit 124, and its final message is the container's
// termination message, where `kubectl describe pod` shows it.
func TestRealNodeTimeoutTerminationMessage(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	ns := restrictedNamespace(t)
	apply(t, ns, dbService)
	apply(t, ns, realNodePod(node, `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: NAMESPACE}
spec:
  nodeName: NODE
  TOLERATE
  restartPolicy: Never
  automountServiceAccountToken: false
  initContainers:
  - name: wait-for-db
    image: KWAIT_IMAGE
    imagePullPolicy: Never
    args: [tcp, db:5432, --timeout, 5s]
    `+restricted+`
  containers:
  - name: app
    image: PAUSE_IMAGE
    imagePullPolicy: Never
    `+restricted+`
`))
	waitFor(t, ns, "pod/app", "{.status.initContainerStatuses[0].state.terminated.exitCode}", "124", 2*time.Minute)
	msg := kubectl(t, "", "-n", ns, "get", "pod/app", "-o", "jsonpath={.status.initContainerStatuses[0].state.terminated.message}")
	// A Service without endpoints: kube-proxy rejects the connection.
	mustContain(t, msg, "timed out after 5", "not ready:", "tcp://db:5432: network is unreachable")
	desc := kubectl(t, "", "-n", ns, "describe", "pod/app")
	mustContain(t, desc, "Exit Code:    124", "timed out after 5", "tcp://db:5432: network is unreachable")
}

// TestRealNodeSIGTERMOnDelete: kwait runs as PID 1, where the kernel drops a
// SIGTERM that has no handler. Deleting a waiting pod with a 60s grace
// period must end kwait by that SIGTERM, not by the SIGKILL at the end of
// the grace period; kwait's last log line, read through the apiserver from
// the kubelet as the container ends, says the signal stopped it.
func TestRealNodeSIGTERMOnDelete(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	ns := restrictedNamespace(t)
	apply(t, ns, dbService)
	apply(t, ns, realNodePod(node, `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: NAMESPACE}
spec:
  nodeName: NODE
  TOLERATE
  terminationGracePeriodSeconds: 60
  automountServiceAccountToken: false
  initContainers:
  - name: wait-for-db
    image: KWAIT_IMAGE
    imagePullPolicy: Never
    args: [tcp, db:5432, --timeout, 10m]
    `+restricted+`
  containers:
  - name: app
    image: PAUSE_IMAGE
    imagePullPolicy: Never
    `+restricted+`
`))
	waitFor(t, ns, "pod/app", "{.status.initContainerStatuses[0].started}", "true", 2*time.Minute)
	log := launch(t, kubectlCmd("-n", ns, "logs", "-f", "pod/app", "-c", "wait-for-db"))
	log.await(t, `"msg":"waiting"`, "tcp://db:5432")
	start := time.Now()
	kubectl(t, "", "-n", ns, "delete", "pod/app", "--wait=true", "--timeout=55s")
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("deleting the waiting pod took %s: kwait did not end on SIGTERM", took)
	}
	log.await(t, `"msg":"stopped"`, `"cause":"received terminated"`)
}

// TestRealNodeEmbedProgram: the README's `-- PROGRAM` pattern as a real
// container: an image holding kwait and the app, whose entrypoint waits and
// then becomes the app (its readiness probe passes only once the app
// listens, so the exec happened).
func TestRealNodeEmbedProgram(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	ns := restrictedNamespace(t)
	apply(t, ns, dbService)
	apply(t, ns, realNodePod(node, dbPod))
	apply(t, ns, realNodePod(node, `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: NAMESPACE}
spec:
  nodeName: NODE
  TOLERATE
  automountServiceAccountToken: false
  containers:
  - name: app
    image: `+embedImage+`
    imagePullPolicy: Never
    args: [tcp, db:5432, --timeout, 2m, --, /listen, ":8080"]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
    `+restricted+`
`))
	waitFor(t, ns, "pod/app", "{.status.containerStatuses[0].ready}", "true", 2*time.Minute)
	logs := kubectl(t, "", "-n", ns, "logs", "pod/app")
	mustContain(t, logs, "tcp://db:5432", "listening on [::]:8080")
}

// dbPod is the pod behind dbService: a listener on :5432, ready once it
// listens, under the restricted Pod Security level.
const dbPod = `
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: NAMESPACE, labels: {app: db}}
spec:
  nodeName: NODE
  TOLERATE
  automountServiceAccountToken: false
  containers:
  - name: db
    image: LISTEN_IMAGE
    imagePullPolicy: Never
    args: [":5432"]
    readinessProbe: {tcpSocket: {port: 5432}, periodSeconds: 1}
    ` + restricted + `
`
