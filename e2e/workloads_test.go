//go:build e2e

package e2e

import (
	"fmt"
	"testing"
)

// deploymentYAML is a Deployment whose pods kwok runs on the fake node.
func deploymentYAML(name string, replicas int, extra string) string {
	return fmt.Sprintf(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: NAMESPACE}
spec:
  replicas: %[2]d
  selector: {matchLabels: {app: %[1]s}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  %[3]s
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      containers: [{name: app, image: app:v1}]
`, name, replicas, extra)
}

func TestDeploymentAlreadyRolledOut(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("api", 3, ""))
	kubectl(t, "", "-n", ns, "rollout", "status", "deployment/api", "--timeout=60s")
	kwait(t, 0, "deployment", ns+"/api", "--timeout", "30s")
}

func TestDeploymentCreatedWhileWaiting(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	p := start(t, "deployment", "api", "-n", ns, "--timeout", "60s")
	p.await(t, "deployment/"+ns+"/api", "not found")
	apply(t, ns, deploymentYAML("api", 3, ""))
	p.expect(t, 0)
	out := kubectl(t, "", "-n", ns, "get", "deployment", "api", "-o", "jsonpath={.status.availableReplicas}")
	if out != "3" {
		t.Errorf("kwait exited with %s of 3 replicas available", out)
	}
}

// TestDeploymentMidRolloutIsNotReady holds a rollout halfway (the new pods
// cannot be scheduled) and checks kwait waits until it really finishes.
func TestDeploymentMidRolloutIsNotReady(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("api", 2, ""))
	kubectl(t, "", "-n", ns, "rollout", "status", "deployment/api", "--timeout=60s")
	kubectl(t, "", "-n", ns, "patch", "deployment", "api", "--type=merge",
		"-p", `{"spec":{"template":{"spec":{"nodeSelector":{"kwait.dev/nowhere":"true"}}}}}`)
	p := start(t, "deployment", ns+"/api", "--timeout", "90s")
	p.await(t, "deployment/"+ns+"/api", "updated replicas")
	select {
	case <-p.done:
		t.Fatalf("kwait exited mid-rollout:\n%s", p.output())
	default:
	}
	kubectl(t, "", "-n", ns, "patch", "deployment", "api", "--type=json",
		"-p", `[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]`)
	p.expect(t, 0)
	kubectl(t, "", "-n", ns, "rollout", "status", "deployment/api", "--timeout=1s")
}

func TestDeploymentProgressDeadlineExceededFailsFast(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("stuck", 1, "progressDeadlineSeconds: 2")+
		"      nodeSelector: {kwait.dev/nowhere: \"true\"}\n")
	out := kwait(t, 1, "deployment", ns+"/stuck", "--timeout", "120s")
	mustContain(t, out, "progress deadline exceeded", "deployment/"+ns+"/stuck")
}

func TestStatefulSet(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	p := start(t, "statefulset", ns+"/db", "--timeout", "90s")
	p.await(t, "statefulset/"+ns+"/db", "not found")
	apply(t, ns, `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: NAMESPACE}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: db:v1}]
`)
	p.expect(t, 0)
	// Already rolled out: ready at once.
	kwait(t, 0, "sts", "db", "-n", ns, "--timeout", "30s")
}

func TestDaemonSet(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	p := start(t, "daemonset", ns+"/agent", "--timeout", "90s")
	p.await(t, "daemonset/"+ns+"/agent", "not found")
	apply(t, ns, `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: NAMESPACE}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: agent:v1}]
`)
	p.expect(t, 0)
	kwait(t, 0, "ds", ns+"/agent", "--timeout", "30s")
}

func jobYAML(name, extra string) string {
	return fmt.Sprintf(`
apiVersion: batch/v1
kind: Job
metadata: {name: %s, namespace: NAMESPACE}
spec:
  backoffLimit: 0
  %s
  template:
    spec:
      restartPolicy: Never
      containers: [{name: job, image: job:v1}]
`, name, extra)
}

func TestJobCompletes(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	p := start(t, "job", ns+"/migrate", "--timeout", "90s")
	p.await(t, "job/"+ns+"/migrate", "not found")
	apply(t, ns, jobYAML("migrate", ""))
	p.expect(t, 0)
	kwait(t, 0, "job", ns+"/migrate", "--timeout", "30s")
}

// TestJobFailedFailsFast makes a Job fail for good (its pods cannot start
// before activeDeadlineSeconds) and expects exit 1 well before the timeout.
func TestJobFailedFailsFast(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, jobYAML("doomed", "activeDeadlineSeconds: 2")+
		"      nodeSelector: {kwait.dev/nowhere: \"true\"}\n")
	out := kwait(t, 1, "job", ns+"/doomed", "--timeout", "120s")
	mustContain(t, out, "job/"+ns+"/doomed", "DeadlineExceeded")
}

func TestPods(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	p := start(t, "pods", "-l", "app=web", "-n", ns, "--min", "3", "--timeout", "90s")
	p.await(t, "pods/"+ns+"/app=web", "no pods match")
	apply(t, ns, deploymentYAML("web", 2, ""))
	p.await(t, "pods/"+ns+"/app=web", "2/3")
	kubectl(t, "", "-n", ns, "scale", "deployment", "web", "--replicas=3")
	p.expect(t, 0)
	kwait(t, 0, "pods", "-n", ns, "-l", "app=web", "--timeout", "30s")
}

func TestServiceEndpoints(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: NAMESPACE}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`)
	p := start(t, "service", ns+"/web", "--timeout", "90s")
	p.await(t, "service/"+ns+"/web", "endpoints")
	apply(t, ns, deploymentYAML("web", 1, ""))
	p.expect(t, 0)
	kwait(t, 0, "svc", "web", "-n", ns, "--timeout", "30s")
}
