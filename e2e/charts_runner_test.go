//go:build e2e

package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hookPod is what the runner node reported for the pod of a hook Job.
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
	out := kubectl(t, "", "-n", ns, "get", "pods", "-l", "batch.kubernetes.io/job-name="+job, "-o", "json")
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("pods of job %s/%s: %v", ns, job, err)
	}
	return list.Items
}

// ranOnRunner checks that Job ns/job had exactly one pod, run on the
// runner node to its end, and returns its container's exit code and
// termination message.
func ranOnRunner(t *testing.T, r *runner, ns, job string) (int, string) {
	t.Helper()
	pods := jobPods(t, ns, job)
	if len(pods) != 1 || pods[0].Spec.NodeName != r.name || len(pods[0].Status.ContainerStatuses) != 1 ||
		pods[0].Status.ContainerStatuses[0].State.Terminated == nil {
		t.Fatalf("job %s/%s: want one pod run to its end on node %s, got %+v\noutput:\n%s", ns, job, r.name, pods, r.output(ns, job))
	}
	term := pods[0].Status.ContainerStatuses[0].State.Terminated
	return term.ExitCode, term.Message
}

// helmAsync runs helm in the background; the channel gets its output and
// error.
func helmAsync(t *testing.T, args ...string) <-chan helmResult {
	t.Helper()
	helmBinary(t) // fails the test here, not in the goroutine, when there is no helm
	done := make(chan helmResult, 1)
	go func() {
		out, err := helmRun(t.Context(), t, args...)
		done <- helmResult{out, err}
	}()
	return done
}

type helmResult struct {
	out string
	err error
}

func (h helmResult) String() string {
	if h.err == nil {
		return "succeeded:\n" + h.out
	}
	return h.err.Error() + ":\n" + h.out
}

// awaitHelm waits for a helm run of helmAsync to end.
func awaitHelm(t *testing.T, done <-chan helmResult) helmResult {
	t.Helper()
	select {
	case res := <-done:
		return res
	case <-time.After(4 * time.Minute):
		t.Fatalf("helm still running after 4 minutes")
		return helmResult{}
	}
}

// TestChartHookRunsOnRunnerNode: the crd-check example's hook Job, put on
// the runner node, really runs kwait in its pod, under Helm 3 and Helm 4:
// helm install --wait blocks while the CRD is missing (kwait in the pod
// says so, with the ServiceAccount token and the namespace of the pod) and
// completes once the test creates it. A hook whose CRD never comes fails
// the install with the Job's failure where docs/charts.md shows it, and
// the pod's termination message, written by kwait, names the CRD and why;
// with kwait.hook.outputLogPolicy=hook-failed helm also prints kwait's log.
func TestChartHookRunsOnRunnerNode(t *testing.T) {
	t.Parallel()
	r := runnerNode(t)
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
			"--set", keepHooks, "--set", "crdCheck.crds={" + crd + "}", "--set", "crdCheck.timeout=150"}, r.helmArgs()...)...)
		r.await(t, ns, "crds-crd-check", "crd/"+crd, "not found")
		select {
		case res := <-install:
			t.Fatalf("helm install ended before the CRD existed: %v", res)
		default:
		}
		apply(t, "", crdYAML("widgets", group))
		if res := awaitHelm(t, install); res.err != nil {
			t.Fatalf("helm install: %v\nkwait:\n%s", res, r.output(ns, "crds-crd-check"))
		}
		chartHookJob(t, ns, "crds-crd-check") // Complete
		if code, _ := ranOnRunner(t, r, ns, "crds-crd-check"); code != 0 {
			t.Errorf("hook exited %d, want 0", code)
		}
		mustContain(t, r.output(ns, "crds-crd-check"), `"msg":"all ready"`)

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
				"--set", "kwait.hook.outputLogPolicy=" + policy}, r.helmArgs()...)...))
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
			code, msg := ranOnRunner(t, r, ns, job)
			if code != 124 {
				t.Errorf("hook exited %d, want 124 (timed out)", code)
			}
			// Where docs/charts.md says to read kwait's reason under every engine.
			got := kubectl(t, "", "-n", ns, "get", "pods", "-l", "batch.kubernetes.io/job-name="+job,
				"-o", `jsonpath={.items[*].status.containerStatuses[?(@.name=="kwait")].state.terminated.message}`)
			if got != msg || !strings.Contains(msg, "crd/"+missing) || !strings.Contains(msg, "not found") {
				t.Errorf("termination message %q does not name crd/%s and why\nkwait:\n%s", got, missing, r.output(ns, job))
			}
		}
	})
}

// TestRunnerNodePodLifecycle: a plain pod on the runner node runs kwait with
// its environment (a downward API field) and its ServiceAccount's token,
// is Running while kwait waits, and deleting it stops kwait (TERM, as a
// kubelet stops a container) before the pod goes: the runner is its
// kubelet, so `kubectl delete` returns.
func TestRunnerNodePodLifecycle(t *testing.T) {
	t.Parallel()
	r := runnerNode(t)
	ns := namespace(t)
	// KWAIT_NAMESPACE is the pod's name, so the namespace kwait looks in
	// shows the field reached it. (Not apply(): it would replace the
	// NAMESPACE in the variable's name.)
	kubectl(t, `
apiVersion: v1
kind: Pod
metadata: {name: waiter}
spec:
  restartPolicy: Never
  nodeSelector: {kubernetes.io/hostname: `+r.name+`}
  tolerations: [{key: `+runnerTaint+`, operator: Exists, effect: NoSchedule}]
  containers:
  - name: kwait
    image: ghcr.io/kwait-dev/kwait:e2e
    args: [deployment/api, --timeout, 10m]
    env:
    - name: KWAIT_NAMESPACE
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - {name: KWAIT_LOG_FORMAT, value: json}
`, "-n", ns, "apply", "-f", "-")
	r.await(t, ns, "", "deployment/waiter/api", "forbidden", "system:serviceaccount:"+ns+":default")
	kubectl(t, "", "-n", ns, "wait", "--for=jsonpath={.status.phase}=Running", "pod/waiter", "--timeout=60s")
	kubectl(t, "", "-n", ns, "delete", "pod", "waiter", "--timeout=60s")
	mustContain(t, r.output(ns, ""), `"msg":"stopped"`, `"cause":"received terminated"`)
}
