//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The tests in this file install a small chart of their own (valuesChart)
// that depends on the kwait library like the examples do: a hook Job and a
// Deployment with kwait's init container, both waiting for targets with
// names unique to the test, so the tests run in parallel.

// valuesChart writes the chart "waits" into the copy of charts/ made by
// chartCopy and builds its dependency. Its hook Job waits for a CRD of the
// value group and a Deployment; its Deployment's init container for a TCP
// port. Returns the chart's path.
func valuesChart(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(chartCopy(t), "waits")
	files := map[string]string{
		"Chart.yaml": `apiVersion: v2
name: waits
version: 0.1.0
dependencies:
  - name: kwait
    version: 0.1.0
    repository: file://../kwait
`,
		"values.yaml": "group: example.com\nkwait: {}\n",
		"templates/wait.yaml": `{{- include "kwait.hookJob" (dict "context" $ "name" "waits-hook"
      "targets" (list (printf "crd/widgets.%s" .Values.group) "deployment/api")) }}
`,
		"templates/deployment.yaml": `{{- $wait := dict "context" $ "name" "waits-app" "targets" (list "tcp://127.0.0.1:5432") }}
{{- include "kwait.rbac" $wait }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: waits-app
  namespace: {{ .Release.Namespace }}
spec:
  replicas: 1
  selector:
    matchLabels: {app: waits-app}
  template:
    metadata:
      labels: {app: waits-app}
    spec:
      serviceAccountName: {{ include "kwait.serviceAccountName" $wait }}
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      initContainers:
        {{- include "kwait.initContainer" $wait | nindent 8 }}
      containers:
        - name: app
          image: registry.example.com/stand-in/app:1.0
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: ["ALL"]}
`,
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	helmCmd(t, "dependency", "build", dir)
	return dir
}

// podTemplate is the part of a pod template these tests read back.
type podTemplate struct {
	Metadata struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		NodeSelector      map[string]string `json:"nodeSelector"`
		Tolerations       []map[string]any  `json:"tolerations"`
		PriorityClassName string            `json:"priorityClassName"`
		ImagePullSecrets  []struct {
			Name string `json:"name"`
		} `json:"imagePullSecrets"`
		SecurityContext map[string]any `json:"securityContext"`
		InitContainers  []container    `json:"initContainers"`
		Containers      []container    `json:"containers"`
	} `json:"spec"`
}

type container struct {
	Name            string         `json:"name"`
	Image           string         `json:"image"`
	SecurityContext map[string]any `json:"securityContext"`
}

func getPodTemplate(t *testing.T, ns, kind, name string) podTemplate {
	t.Helper()
	var p podTemplate
	out := kubectl(t, "", "-n", ns, "get", kind, name, "-o", "jsonpath={.spec.template}")
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("pod template of %s %s/%s: %v\n%s", kind, ns, name, err, out)
	}
	return p
}

// TestChartValuesRestricted: the values for OpenShift, service meshes,
// placement and registries, installed into a namespace enforcing the
// "restricted" Pod Security profile: the hook Job's pod and the
// Deployment's pod are admitted, and carry what the values say. OpenShift
// mode is forced (this cluster does not serve security.openshift.io/v1):
// no fixed user or group is left, and restricted still admits the pods,
// as runAsNonRoot stays.
func TestChartValuesRestricted(t *testing.T) {
	t.Parallel()
	chart := valuesChart(t)
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	deleteClusterRBAC(t, ns+"-waits-hook")
	helmInstall(t, ns, "waits", chart, "--set", keepHooks,
		"--set", "group="+uniqueGroup(ns),
		"--set", "kwait.openshift=true",
		"--set", "kwait.hook.tolerations[0].key=dedicated,kwait.hook.tolerations[0].operator=Exists",
		"--set-string", "kwait.hook.podLabels.cost-center=42",
		"--set-string", "kwait.commonLabels.team=platform",
		"--set", "kwait.hook.podAnnotations.linkerd\\.io/inject=null",
		"--set", "global.imageRegistry=mirror.example.com",
		"--set", "global.imagePullSecrets[0]=mirror-pull",
		"--set", "kwait.timeout=90")

	job := getPodTemplate(t, ns, "job", "waits-hook")
	if got := job.Metadata.Annotations; got["sidecar.istio.io/inject"] != "false" || got["linkerd.io/inject"] != "" {
		t.Errorf("hook pod annotations %v: want Istio's opt-out and Linkerd's removed", got)
	}
	if got := job.Metadata.Labels; got["cost-center"] != "42" || got["team"] != "platform" || got["app.kubernetes.io/name"] != "kwait" {
		t.Errorf("hook pod labels %v: want cost-center, team and the standard ones", got)
	}
	if got := job.Spec.NodeSelector; len(got) != 1 || got["kubernetes.io/os"] != "linux" {
		t.Errorf("hook pod nodeSelector %v, want kubernetes.io/os=linux", got)
	}
	if len(job.Spec.Tolerations) != 1 || job.Spec.Tolerations[0]["key"] != "dedicated" {
		t.Errorf("hook pod tolerations %v, want the one set", job.Spec.Tolerations)
	}
	if len(job.Spec.ImagePullSecrets) != 1 || job.Spec.ImagePullSecrets[0].Name != "mirror-pull" {
		t.Errorf("hook pod imagePullSecrets %v, want mirror-pull", job.Spec.ImagePullSecrets)
	}
	if len(job.Spec.Containers) != 1 || !strings.HasPrefix(job.Spec.Containers[0].Image, "mirror.example.com/kwait-dev/kwait") {
		t.Errorf("hook containers %+v, want one from mirror.example.com", job.Spec.Containers)
	}
	w, _ := chartHookJob(t, ns, "waits-hook")
	if got := strings.Join(w.args, " "); !strings.HasSuffix(got, "--timeout 90s") {
		t.Errorf("hook args %q, want --timeout 90s from a timeout of 90", got)
	}

	app := getPodTemplate(t, ns, "deployment", "waits-app")
	if len(app.Spec.InitContainers) != 1 {
		t.Fatalf("want one init container, got %+v", app.Spec.InitContainers)
	}
	for what, sc := range map[string]map[string]any{
		"hook pod": job.Spec.SecurityContext, "hook container": job.Spec.Containers[0].SecurityContext,
		"init container": app.Spec.InitContainers[0].SecurityContext,
	} {
		for _, id := range []string{"runAsUser", "runAsGroup", "fsGroup"} {
			if v, ok := sc[id]; ok {
				t.Errorf("%s securityContext has %s %v in OpenShift mode", what, id, v)
			}
		}
		if sc["runAsNonRoot"] != true {
			t.Errorf("%s securityContext %v: want runAsNonRoot", what, sc)
		}
	}
}

// TestChartValuesMeshInitContainer: kwait.initContainer.securityContext
// runs the init container as Istio's proxy user, admitted by "restricted".
func TestChartValuesMeshInitContainer(t *testing.T) {
	t.Parallel()
	chart := valuesChart(t)
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	helmInstall(t, ns, "waits", chart, "--set", "group="+uniqueGroup(ns),
		"--set", "kwait.initContainer.securityContext.runAsUser=1337")
	app := getPodTemplate(t, ns, "deployment", "waits-app")
	if len(app.Spec.InitContainers) != 1 {
		t.Fatalf("want one init container, got %+v", app.Spec.InitContainers)
	}
	sc := app.Spec.InitContainers[0].SecurityContext
	if sc["runAsUser"] != float64(1337) || sc["runAsGroup"] != float64(65532) {
		t.Errorf("init container securityContext %v, want runAsUser 1337 and the default group", sc)
	}
}

// TestChartHookFailureLeavesNoRBAC: a hook Job that fails, the way kwait
// fails it (exit 124, with its termination message), fails the install
// with the Job's failure reason; Helm deletes the ServiceAccount and RBAC
// hooks that ran before the Job, and keeps the Job, whose pod holds kwait's
// reason where docs/charts.md says. After `helm uninstall` no kwait RBAC is
// left. kwok would complete the pod, so the Job's pod is kept off the node
// by a nodeSelector and failed by the test instead. Under Helm 3 and Helm 4.
func TestChartHookFailureLeavesNoRBAC(t *testing.T) {
	t.Parallel()
	chart := valuesChart(t)
	underEachHelm(t, func(t *testing.T) { hookFailureLeavesNoRBAC(t, chart) })
}

func hookFailureLeavesNoRBAC(t *testing.T, chart string) {
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	deleteClusterRBAC(t, ns+"-waits-hook")
	atEnd(t, "helm", "uninstall", "waits", "-n", ns, "--ignore-not-found", "--wait", "--timeout", "90s")

	type result struct {
		out string
		err error
	}
	installed := make(chan result, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	go func() {
		out, err := helmRun(ctx, t, "install", "waits", chart, "-n", ns, "--timeout", "2m",
			"--set", "group="+uniqueGroup(ns), "--set-string", "kwait.hook.nodeSelector.e2e\\.kwait\\.dev/node=none")
		installed <- result{out, err}
	}()

	kubectl(t, "", "-n", ns, "wait", "--for=create", "job/waits-hook", "--timeout=90s")
	kubectl(t, "", "-n", ns, "wait", "--for=jsonpath={.status.active}=1", "job/waits-hook", "--timeout=60s")
	pod := kubectl(t, "", "-n", ns, "get", "pods", "-l", "batch.kubernetes.io/job-name=waits-hook", "-o", "jsonpath={.items[0].metadata.name}")
	// What kwait writes when it times out, as in the README.
	reason := "timed out after 4m0.003s; not ready:\n  crd/widgets." + uniqueGroup(ns) + ": not found\n  deployment/" + ns + "/api: not found"
	status, _ := json.Marshal(map[string]any{"status": map[string]any{
		"phase": "Failed",
		"containerStatuses": []any{map[string]any{
			"name": "kwait", "image": "kwait", "imageID": "", "ready": false, "restartCount": 0,
			"state": map[string]any{"terminated": map[string]any{"exitCode": 124, "reason": "Error", "message": reason}},
		}},
	}})
	kubectl(t, "", "-n", ns, "patch", "pod", pod, "--subresource=status", "--type=merge", "-p", string(status))

	var r result
	select {
	case r = <-installed:
	case <-ctx.Done():
		t.Fatalf("helm install did not return: %v", ctx.Err())
	}
	if r.err == nil {
		t.Fatalf("helm install succeeded, want the hook's failure:\n%s", r.out)
	}
	if helm4(t) {
		mustContain(t, r.out, "failed post-install", "Job/"+ns+"/waits-hook not ready. status: Failed")
	} else {
		mustContain(t, r.out, "failed post-install", "job waits-hook failed: PodFailurePolicy")
	}
	t.Logf("helm install:\n%s", r.out)

	// The RBAC hooks ran before the Job and succeeded: deleted by their
	// hook-succeeded policy when the Job failed. The Job stays.
	expectAbsent(t, ns, "serviceaccount,role,rolebinding", "waits-hook")
	expectAbsent(t, "", "clusterrole,clusterrolebinding", ns+"-waits-hook")
	if got := kubectl(t, "", "-n", ns, "get", "job", "waits-hook", "-o", `jsonpath={.status.conditions[?(@.type=="Failed")].reason}`); got != "PodFailurePolicy" {
		t.Errorf("job failed with reason %q, want PodFailurePolicy", got)
	}
	// How docs/charts.md tells a user to read kwait's reason.
	got := kubectl(t, "", "-n", ns, "get", "pods", "-l", "batch.kubernetes.io/job-name=waits-hook",
		"-o", `jsonpath={.items[*].status.containerStatuses[?(@.name=="kwait")].state.terminated.message}`)
	if got != reason {
		t.Errorf("termination message %q, want %q", got, reason)
	}

	helmCmd(t, "uninstall", "waits", "-n", ns, "--wait", "--timeout", "90s")
	expectAbsent(t, ns, "serviceaccount,role,rolebinding", "waits-hook")
	expectAbsent(t, ns, "serviceaccount", "waits-app")
	expectAbsent(t, "", "clusterrole,clusterrolebinding", ns+"-waits-hook")
	if left := strings.TrimSpace(kubectl(t, "", "get", "clusterrole,clusterrolebinding", "-l", "app.kubernetes.io/name=kwait,app.kubernetes.io/instance=waits", "-o", "name")); strings.Contains(left, ns) {
		t.Errorf("kwait RBAC left after uninstall:\n%s", left)
	}
	if ttl := kubectl(t, "", "-n", ns, "get", "job", "waits-hook", "-o", "jsonpath={.spec.ttlSecondsAfterFinished}"); ttl != "86400" {
		t.Errorf("failed hook Job ttlSecondsAfterFinished %q, want 86400 (it outlives the release until then)", ttl)
	}
}
