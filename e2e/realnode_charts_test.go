//go:build e2e

package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
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

// hookPod is what the kubelet reported for the pod of a hook Job.
type hookPod struct {
	Spec struct {
		NodeName string `json:"nodeName"`
	} `json:"spec"`
	Status struct {
		Phase             string `json:"phase"`
		ContainerStatuses []struct {
			State struct {
				Terminated *struct {
					ExitCode int    `json:"exitCode"`
					Message  string `json:"message"`
				} `json:"terminated"`
			} `json:"state"`
		} `json:"containerStatuses"`
	} `json:"status"`
}

// jobPods reads the pods of Job ns/job.
func jobPods(t *testing.T, ns, job string) []hookPod {
	t.Helper()
	var list struct {
		Items []hookPod `json:"items"`
	}
	out := kubectl(t, "", "-n", ns, "get", "pods", "-l", jobPodLabel+"="+job, "-o", "json")
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("pods of job %s/%s: %v", ns, job, err)
	}
	return list.Items
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
// image on the real node under the restricted Pod Security level, under
// Helm 3 and Helm 4: helm install --wait blocks while the CRD is missing
// (kwait in the pod says so, with the ServiceAccount token and the
// namespace of the pod) and completes once the test creates it. A hook
// whose CRD never comes fails the install with the Job's failure where
// docs/charts.md shows it, and the pod's termination message, written by
// kwait, names the CRD and why; with kwait.hook.outputLogPolicy=hook-failed
// (the chart's default asks for no hook logs) helm also prints kwait's log,
// fetched from the kubelet through the apiserver.
func TestChartHookRunsOnRealNode(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	charts := chartCopy(t, "examples/crd-check")
	chart := filepath.Join(charts, "examples/crd-check")
	underEachHelm(t, func(t *testing.T) {
		ns := chartNamespace(t)
		enforceRestricted(t, ns)
		group := uniqueGroup(ns)
		crd := "widgets." + group
		deleteCRD(t, crd)
		deleteClusterRBAC(t, ns+"-crds-crd-check")
		atEnd(t, "helm", "uninstall", "crds", "-n", ns, "--wait", "--timeout", "90s")

		install := helmAsync(t, append([]string{"install", "crds", chart, "-n", ns, "--wait", "--timeout", "3m",
			"--set", keepHooks, "--set", "crdCheck.crds={" + crd + "}", "--set", "crdCheck.timeout=150"}, realNodeHelmArgs(node)...)...)
		// The hook's kwait is running, and waiting: the CRD does not exist yet.
		hook := followJob(t, ns, "crds-crd-check")
		hook.await(t, "crd/"+crd, "not found")
		select {
		case res := <-install:
			t.Fatalf("helm install ended before the CRD existed: %v", res)
		default:
		}
		apply(t, "", crdYAML("widgets", group))
		if res := awaitHelm(t, install); res.err != nil {
			t.Fatalf("helm install: %v\nkwait:\n%s", res, hook.output())
		}
		chartHookJob(t, ns, "crds-crd-check") // Complete
		if code, _ := ranOnNode(t, node, ns, "crds-crd-check"); code != 0 {
			t.Errorf("hook exited %d, want 0", code)
		}
		mustContain(t, kubectl(t, "", "-n", ns, "logs", "job/crds-crd-check"), "crd/"+crd, `"msg":"all ready"`)

		// A CRD that never comes: kwait times out (124), the Job fails at
		// once (the chart's podFailurePolicy), and so does helm install.
		for _, policy := range []string{"", "hook-failed"} {
			release := "missing" + strings.TrimPrefix(policy, "hook")
			job := release + "-crd-check"
			missing := "gadgets." + group
			deleteClusterRBAC(t, ns+"-"+job)
			atEnd(t, "helm", "uninstall", release, "-n", ns, "--wait", "--timeout", "90s")
			res := awaitHelm(t, helmAsync(t, append([]string{"install", release, chart, "-n", ns, "--wait", "--timeout", "3m",
				"--set", "crdCheck.crds={" + missing + "}", "--set", "crdCheck.timeout=3",
				"--set", "kwait.hook.outputLogPolicy=" + policy}, realNodeHelmArgs(node)...)...))
			if res.err == nil {
				t.Fatalf("helm install with a missing CRD succeeded: %v", res)
			}
			t.Logf("%s install, outputLogPolicy %q:\n%s", filepath.Base(helmBinary(t)), policy, res.out)
			// The failure as docs/charts.md shows it for each Helm.
			if helm4(t) {
				mustContain(t, res.out, "failed post-install", job, "not ready", "status: Failed")
			} else {
				mustContain(t, res.out, "failed post-install", "job "+job+" failed: PodFailurePolicy")
			}
			// kwait's own line, in helm's output only when the hook asks.
			if printed := strings.Contains(res.out, "crd/"+missing); printed != (policy != "") {
				t.Errorf("outputLogPolicy %q: kwait's log in helm's output: %v, want %v", policy, printed, policy != "")
			}
			code, msg := ranOnNode(t, node, ns, job)
			if code != 124 {
				t.Errorf("hook exited %d, want 124 (timed out)", code)
			}
			// Where docs/charts.md says to read kwait's reason under every engine.
			got := kubectl(t, "", "-n", ns, "get", "pods", "-l", jobPodLabel+"="+job,
				"-o", `jsonpath={.items[*].status.containerStatuses[?(@.name=="kwait")].state.terminated.message}`)
			if got != msg || !strings.Contains(msg, "crd/"+missing) || !strings.Contains(msg, "not found") {
				t.Errorf("termination message %q does not name crd/%s and why", got, missing)
			}
		}
	})
}
