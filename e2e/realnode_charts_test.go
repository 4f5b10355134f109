//go:build e2e

package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realNodeHelmArgs put a chart's kwait hook Jobs on the real node, running
// the kwait image under test (imported, never pulled).
func realNodeHelmArgs(node string) []string {
	return []string{
		"--set", `kwait.hook.nodeSelector.kubernetes\.io/hostname=` + node,
		"--set", "kwait.hook.tolerations[0].key=" + realNodeTaint,
		"--set", "kwait.hook.tolerations[0].operator=Exists",
		"--set", "kwait.image.repository=" + strings.Split(kwaitImage, ":")[0],
		"--set", "kwait.image.tag=" + strings.Split(kwaitImage, ":")[1],
		"--set", "kwait.image.pullPolicy=Never",
	}
}

// ranOnNode checks that Job ns/job had exactly one pod, run to its end on
// node, and returns its container's exit code and termination message.
func ranOnNode(t *testing.T, node, ns, job string) (int, string) {
	t.Helper()
	pods := jobPods(t, ns, job)
	if len(pods) != 1 || pods[0].Spec.NodeName != node || len(pods[0].Status.ContainerStatuses) != 1 ||
		pods[0].Status.ContainerStatuses[0].State.Terminated == nil {
		t.Fatalf("job %s/%s: want one pod run to its end on node %s, got %+v", ns, job, node, pods)
	}
	term := pods[0].Status.ContainerStatuses[0].State.Terminated
	return term.ExitCode, term.Message
}

// TestChartHookRunsOnRealNode: the crd-check example's hook Job runs kwait's
// image on the real node under the restricted Pod Security level: helm
// install blocks while the CRD is missing and completes once the test
// creates it. A hook whose CRD never comes fails the install; with the log
// policy opted in (the chart's default asks for no hook logs), helm shows
// kwait's log, fetched from the kubelet through the apiserver, and the
// pod's termination message, written by kwait, names the CRD and why.
func TestChartHookRunsOnRealNode(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	charts := chartCopy(t, "examples/crd-check")
	chart := filepath.Join(charts, "examples/crd-check")
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	group := uniqueGroup(ns)
	crd := "widgets." + group
	deleteCRD(t, crd)
	deleteClusterRBAC(t, ns+"-crds-crd-check")
	atEnd(t, "helm", "uninstall", "crds", "-n", ns, "--wait", "--timeout", "90s")

	install := helmAsync(t, append([]string{"install", "crds", chart, "-n", ns, "--wait", "--timeout", "3m",
		"--set", keepHooks, "--set", "crdCheck.crds={" + crd + "}", "--set", "crdCheck.timeout=150"}, realNodeHelmArgs(node)...)...)
	// The hook's kwait is running (and waiting: the CRD does not exist yet).
	kubectl(t, "", "-n", ns, "wait", "job/crds-crd-check", "--for=create", "--timeout=2m")
	waitFor(t, ns, "job/crds-crd-check", "{.status.active}", "1", 2*time.Minute)
	kubectl(t, "", "-n", ns, "wait", "pods", "-l", "batch.kubernetes.io/job-name=crds-crd-check",
		"--for=jsonpath={.status.containerStatuses[0].started}=true", "--timeout=2m")
	select {
	case res := <-install:
		t.Fatalf("helm install ended before the CRD existed: %v", res)
	default:
	}
	apply(t, "", crdYAML("widgets", group))
	if res := awaitHelm(t, install); res.err != nil {
		t.Fatalf("helm install: %v", res)
	}
	chartHookJob(t, ns, "crds-crd-check") // Complete
	if code, _ := ranOnNode(t, node, ns, "crds-crd-check"); code != 0 {
		t.Errorf("hook exited %d, want 0", code)
	}
	mustContain(t, kubectl(t, "", "-n", ns, "logs", "job/crds-crd-check"), "crd/"+crd, "all ready")

	missing := "gadgets." + group
	deleteClusterRBAC(t, ns+"-missing-crd-check")
	atEnd(t, "helm", "uninstall", "missing", "-n", ns, "--wait", "--timeout", "90s")
	res := awaitHelm(t, helmAsync(t, append([]string{"install", "missing", chart, "-n", ns, "--wait", "--timeout", "3m",
		"--set", "crdCheck.crds={" + missing + "}", "--set", "crdCheck.timeout=3",
		"--set", "kwait.hook.outputLogPolicy=hook-failed"}, realNodeHelmArgs(node)...)...))
	if res.err == nil {
		t.Fatalf("helm install with a missing CRD succeeded: %v", res)
	}
	mustContain(t, res.out, "missing-crd-check", "timed out", "crd/"+missing)
	code, msg := ranOnNode(t, node, ns, "missing-crd-check")
	if code != 124 {
		t.Errorf("hook exited %d, want 124 (timed out)", code)
	}
	if !strings.Contains(msg, "crd/"+missing) || !strings.Contains(msg, "not found") {
		t.Errorf("termination message %q does not name crd/%s and why", msg, missing)
	}
}
