//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// suiteResource is one custom resource of the operator-suite example and
// the kind its stand-in operator serves.
type suiteResource struct {
	operated
	name string
}

// suiteResources: the example's custom resources (default names) and the
// operator Deployment of each.
var suiteResources = []suiteResource{
	{operated{"operator.knative.dev", "v1beta1", "knativeservings", "KnativeServing", "knative-operator"}, "knative-serving"},
	{operated{"operator.knative.dev", "v1beta1", "knativeeventings", "KnativeEventing", "knative-operator"}, "knative-eventing"},
	{operated{"sonataflow.org", "v1alpha08", "sonataflowplatforms", "SonataFlowPlatform", "sonataflow-operator"}, "sonataflow-platform"},
	{operated{"rhdh.redhat.com", "v1alpha3", "backstages", "Backstage", "rhdh-operator"}, "developer-hub"},
}

func suiteKinds() []operated {
	var kinds []operated
	for _, r := range suiteResources {
		kinds = append(kinds, r.operated)
	}
	return kinds
}

// suiteChart claims the suite's CRD names for the test and gives a copy of
// the operator-suite example and a restricted namespace to install it in.
func suiteChart(t *testing.T) (chart, ns string) {
	t.Helper()
	var crds []string
	for _, k := range suiteKinds() {
		crds = append(crds, k.crd())
	}
	exclusiveCRDs(t, crds...)
	chart = filepath.Join(chartCopy(t, "examples/operator-suite"), "examples/operator-suite")
	ns = chartNamespace(t)
	enforceRestricted(t, ns)
	return chart, ns
}

// TestChartOperatorSuiteLifecycle: the operator-suite example through
// helm install, upgrade and uninstall, its kwait.manifests hook Jobs (apply
// after install, upgrade and rollback; delete before uninstall) running
// kwait's image on the real node, its operators played by the test (a
// stand-in that serves their CRDs only once the install is under way, puts
// a finalizer on each custom resource and removes it only while the
// resource's operator Deployment exists).
//   - install: one release; helm blocks while the apply hook waits for
//     the kinds to be served (its log, read through the apiserver from the
//     node's kubelet, names each one), and succeeds once the operators serve
//     them and report the resources ready; kwait owns their fields
//     (server-side apply)
//   - upgrade with changed values: the custom resources change; rollback
//     to the first revision changes them back
//   - uninstall: every custom resource is gone (its finalizer removed by
//     its running operator) before its operator's Deployment is deleted, and
//     nothing of the release is left
//   - every hook pod ran on the real node and exited 0 (seen by a watch:
//     the chart's default has Helm delete a hook Job once it succeeds)
//
// Under Helm 3 and Helm 4, one after the other. Not parallel: the CRDs
// have their real, cluster-wide names.
func TestChartOperatorSuiteLifecycle(t *testing.T) {
	node := realNode(t)
	underEachHelm(t, func(t *testing.T) { suiteLifecycle(t, node) })
}

func suiteLifecycle(t *testing.T, node string) {
	chart, ns := suiteChart(t)
	op := newStandIn(t, ns, suiteKinds()...)
	runs := watchJobs(t, ns)
	atEnd(t, "helm", "uninstall", "suite", "-n", ns, "--ignore-not-found", "--wait", "--timeout", "90s")
	helmArgs := func(verb string, set ...string) []string {
		args := []string{verb, "suite", chart, "-n", ns, "--wait", "--timeout", "4m", "--set", "waitTimeout=3m"}
		for _, s := range set {
			args = append(args, "--set", s)
		}
		return append(args, realNodeHelmArgs(node)...)
	}

	began := time.Now()
	install := helmAsync(t, helmArgs("install")...)
	hook := followJob(t, ns, "suite-apply")
	var waiting [][]string
	for _, res := range suiteResources {
		waiting = append(waiting, []string{`"msg":"waiting"`, "apply/" + res.kind + "." + res.group + "/" + ns + "/" + res.name})
	}
	hook.awaitEach(t, waiting...)
	select {
	case res := <-install:
		t.Fatalf("helm install ended before the operators served their kinds: %v", res)
	default:
	}
	op.serve(t)
	if res := awaitHelm(t, install); res.err != nil {
		t.Fatalf("helm install: %v\napply hook:\n%s", res, hook.output())
	}
	t.Logf("install took %v", time.Since(began).Round(time.Millisecond))
	runs.awaitSucceeded(t, node, "suite-apply", 1)
	for _, res := range suiteResources {
		object := res.crd() + "/" + res.name
		wantJSONPath(t, ns, object, `{.metadata.managedFields[?(@.operation=="Apply")].manager}`, "operator-suite")
		wantJSONPath(t, ns, object, "{.metadata.finalizers}", `["`+operatorFinalizer+`"]`)
	}
	wantJSONPath(t, ns, "backstages.rhdh.redhat.com/developer-hub", "{.spec.application.replicas}", "1")
	expectAbsent(t, ns, "job,serviceaccount,role,rolebinding", "suite-apply")

	// Upgrade: the post-upgrade hook applies the changed manifests.
	began = time.Now()
	if res := awaitHelm(t, helmAsync(t, helmArgs("upgrade", "portal.replicas=2", "serving.replicas=3")...)); res.err != nil {
		t.Fatalf("helm upgrade: %v", res)
	}
	runs.awaitSucceeded(t, node, "suite-apply", 2)
	t.Logf("upgrade took %v", time.Since(began).Round(time.Millisecond))
	wantJSONPath(t, ns, "backstages.rhdh.redhat.com/developer-hub", "{.spec.application.replicas}", "2")
	wantJSONPath(t, ns, "knativeservings.operator.knative.dev/knative-serving", "{.spec.high-availability.replicas}", "3")
	wantJSONPath(t, ns, "knativeeventings.operator.knative.dev/knative-eventing", "{.spec.high-availability.replicas}", "1")

	// Rollback: the post-rollback hook applies the first revision's manifests.
	if res := awaitHelm(t, helmAsync(t, "rollback", "suite", "1", "-n", ns, "--wait", "--timeout", "4m")); res.err != nil {
		t.Fatalf("helm rollback: %v", res)
	}
	runs.awaitSucceeded(t, node, "suite-apply", 3)
	wantJSONPath(t, ns, "backstages.rhdh.redhat.com/developer-hub", "{.spec.application.replicas}", "1")
	wantJSONPath(t, ns, "knativeservings.operator.knative.dev/knative-serving", "{.spec.high-availability.replicas}", "1")

	// Uninstall: the pre-delete hook deletes the custom resources and waits
	// for their operators; only then does helm delete the operators.
	began = time.Now()
	if res := awaitHelm(t, helmAsync(t, "uninstall", "suite", "-n", ns, "--wait", "--timeout", "4m")); res.err != nil {
		t.Fatalf("helm uninstall: %v", res)
	}
	t.Logf("uninstall took %v", time.Since(began).Round(time.Millisecond))
	runs.awaitSucceeded(t, node, "suite-delete", 1)
	op.await(t, "every custom resource and Deployment gone", func() bool {
		for _, res := range suiteResources {
			_, cr := op.gone[res.kind+"/"+res.name]
			_, dep := op.gone["deployment/"+res.deployment]
			if !cr || !dep {
				return false
			}
		}
		return true
	})
	op.mu.Lock()
	for _, res := range suiteResources {
		key := res.kind + "/" + res.name
		released, gone, depGone := op.released[key], op.gone[key], op.gone["deployment/"+res.deployment]
		if released.IsZero() || !gone.Before(depGone) {
			t.Errorf("%s: finalizer removed at %v, gone at %v, its operator's Deployment %s deleted at %v: want it gone first",
				key, released.Format(time.StampMicro), gone.Format(time.StampMicro), res.deployment, depGone.Format(time.StampMicro))
		}
	}
	if len(op.refused)+len(op.trouble) > 0 {
		t.Errorf("stand-in operator: refused %q, trouble %q", op.refused, op.trouble)
	}
	op.mu.Unlock()
	if left := strings.TrimSpace(kubectl(t, "", "-n", ns, "get", "jobs,pods,deployments,roles,rolebindings,configmaps,serviceaccounts", "-o", "name")); left != strings.Join([]string{"configmap/kube-root-ca.crt", "serviceaccount/default"}, "\n") {
		t.Errorf("left after helm uninstall:\n%s", left)
	}
	expectAbsent(t, "", "clusterrole,clusterrolebinding", ns+"-suite-apply")
	expectAbsent(t, "", "clusterrole,clusterrolebinding", ns+"-suite-delete")
}

// TestChartOperatorSuiteRejected: a custom resource that admission
// rejects (a ValidatingAdmissionPolicy the test adds) fails the apply hook
// with the apiserver's message, exit 1, and so helm install; the hook's
// ServiceAccount may touch its own objects only; uninstall still deletes
// what was applied. The hook Jobs run kwait's image on the real node. Not
// parallel: the CRDs have their real names.
func TestChartOperatorSuiteRejected(t *testing.T) {
	node := realNode(t)
	chart, ns := suiteChart(t)
	newStandIn(t, ns, suiteKinds()...).serve(t)
	const message = "e2e policy: a developer hub runs at most 3 replicas"
	policy := ns + "-portal-replicas"
	atEnd(t, "kubectl", "delete", "validatingadmissionpolicy,validatingadmissionpolicybinding", policy, "--ignore-not-found")
	apply(t, ns, strings.ReplaceAll(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: POLICY}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [rhdh.redhat.com], apiVersions: ["*"], operations: [CREATE, UPDATE], resources: [backstages]}
  validations:
  - expression: "!has(object.spec.application) || !has(object.spec.application.replicas) || object.spec.application.replicas <= 3"
    message: "`+message+`"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: POLICY}
spec:
  policyName: POLICY
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: NAMESPACE}
`, "POLICY", policy))
	// A policy takes effect a moment after it is created, and nothing
	// announces when: try a server-side dry run until it is denied.
	rejected := "apiVersion: rhdh.redhat.com/v1alpha3\nkind: Backstage\nmetadata: {name: probe, namespace: " + ns + "}\nspec: {application: {replicas: 5}}\n"
	for deadline := time.Now().Add(time.Minute); ; {
		out, err := kubectlErr(t, rejected, "create", "--dry-run=server", "-f", "-")
		if err != nil && strings.Contains(out, message) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the policy does not deny a Backstage with 5 replicas: %v\n%s", err, out)
		}
		<-time.After(250 * time.Millisecond)
	}

	atEnd(t, "helm", "uninstall", "suite", "-n", ns, "--ignore-not-found", "--wait", "--timeout", "90s")
	res := awaitHelm(t, helmAsync(t, append([]string{"install", "suite", chart, "-n", ns, "--wait", "--timeout", "4m",
		"--set", "waitTimeout=3m", "--set", "portal.replicas=5", "--set", keepHooks}, realNodeHelmArgs(node)...)...))
	if res.err == nil {
		t.Fatalf("helm install of a Backstage the policy rejects succeeded: %v", res)
	}
	// Helm names the Job; the apiserver's message is in the pod's
	// termination message (the chart asks Helm for no hook logs by default).
	mustContain(t, res.out, "suite-apply", "PodFailurePolicy")
	code, msg := ranOnNode(t, node, ns, "suite-apply")
	if code != 1 {
		t.Errorf("apply hook exited %d, want 1 (rejected)", code)
	}
	if !strings.Contains(msg, "apply/Backstage.rhdh.redhat.com/"+ns+"/developer-hub") || !strings.Contains(msg, message) ||
		!strings.Contains(msg, "ValidatingAdmissionPolicy") {
		t.Errorf("termination message %q does not name the Backstage and the apiserver's message", msg)
	}
	expectAbsent(t, ns, "backstages.rhdh.redhat.com", "developer-hub")

	// The hook's ServiceAccount, kept as the hook failed, may not touch
	// anything but its four objects, and may not delete those.
	sa := kubectl(t, "", "-n", ns, "get", "job", "suite-apply", "-o", "jsonpath={.spec.template.spec.serviceAccountName}")
	dir := t.TempDir()
	files := map[string]string{
		"other-backstage.yaml": "apiVersion: rhdh.redhat.com/v1alpha3\nkind: Backstage\nmetadata: {name: other}\nspec: {}\n",
		"configmap.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n",
		"own.yaml":             "apiVersion: sonataflow.org/v1alpha08\nkind: SonataFlowPlatform\nmetadata: {name: sonataflow-platform}\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	expectDenied(t, ns, sa, `cannot patch resource \"backstages\"`, "apply", "-f", filepath.Join(dir, "other-backstage.yaml"))
	expectDenied(t, ns, sa, `cannot patch resource \"configmaps\"`, "apply", "-f", filepath.Join(dir, "configmap.yaml"))
	expectDenied(t, ns, sa, `cannot delete resource \"sonataflowplatforms\"`, "delete", "-f", filepath.Join(dir, "own.yaml"))
	expectDenied(t, ns, sa, `cannot list resource \"secrets\"`, "resource", "secrets/any", "--for", "create")

	// Uninstall deletes what the failed install applied (the Backstage was
	// never created: gone already), its operators still there.
	if res := awaitHelm(t, helmAsync(t, "uninstall", "suite", "-n", ns, "--wait", "--timeout", "4m")); res.err != nil {
		t.Fatalf("helm uninstall: %v", res)
	}
	if code, msg := ranOnNode(t, node, ns, "suite-delete"); code != 0 {
		t.Errorf("delete hook exited %d: %s", code, msg)
	}
	for _, res := range suiteResources {
		expectAbsent(t, ns, res.crd(), res.name)
	}
	sa = kubectl(t, "", "-n", ns, "get", "job", "suite-delete", "-o", "jsonpath={.spec.template.spec.serviceAccountName}")
	expectDenied(t, ns, sa, `cannot delete resource \"backstages\"`, "delete", "-f", filepath.Join(dir, "other-backstage.yaml"))
	expectDenied(t, ns, sa, `cannot patch resource \"sonataflowplatforms\"`, "apply", "-f", filepath.Join(dir, "own.yaml"))
}
