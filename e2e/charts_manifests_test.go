//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The operator-suite example renders its custom resources with
// kwait.manifests: a ConfigMap, an apply hook Job and a pre-delete delete
// hook Job. kwok completes the Jobs without running them, so, as the other
// chart tests do, this one reads back how each Job runs kwait (arguments,
// ServiceAccount, the ConfigMap it mounts) and runs the real binary with
// that ServiceAccount's token and the ConfigMap's files.

// TestChartOperatorSuite: the apply Job's kwait applies the four custom
// resources once the "operators" (the test) have created their CRDs, and
// waits until they are ready; after an upgrade with a changed value it
// changes the Backstage, and after a rollback changes it back; the delete
// Job's kwait deletes them and waits for
// a finalizer. Each ServiceAccount has exactly the verbs its Job needs on
// exactly these objects, and is denied any other. With the default hook
// delete policies nothing of the chart is left after `helm uninstall`.
// Not parallel: the CRDs have their real, cluster-wide names.
func TestChartOperatorSuite(t *testing.T) {
	crdFiles, err := filepath.Glob(filepath.Join("testdata", "operator-suite", "*.yaml"))
	if err != nil || len(crdFiles) != 4 {
		t.Fatalf("testdata/operator-suite: want 4 CRDs, got %v (%v)", crdFiles, err)
	}
	var crds []string
	for _, f := range crdFiles {
		crds = append(crds, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	exclusiveCRDs(t, crds...)
	charts := chartCopy(t, "examples/operator-suite")
	chart := filepath.Join(charts, "examples/operator-suite")

	// Default delete policies: the hooks go once they succeeded, the
	// ConfigMap with the release.
	bare := chartNamespace(t)
	enforceRestricted(t, bare)
	helmInstall(t, bare, "platform", chart)
	expectAbsent(t, bare, "job,serviceaccount,role,rolebinding", "platform-apply")
	helmCmd(t, "uninstall", "platform", "-n", bare, "--wait", "--timeout", "90s")
	expectAbsent(t, bare, "job,serviceaccount,role,rolebinding", "platform-delete")
	expectAbsent(t, bare, "configmap", "platform-manifests")
	if left := strings.TrimSpace(kubectl(t, "", "-n", bare, "get", "jobs,serviceaccounts,roles,rolebindings,configmaps,deployments",
		"-l", "app.kubernetes.io/instance=platform", "-o", "name")); left != "" {
		t.Errorf("left after helm uninstall:\n%s", left)
	}

	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	helmInstall(t, ns, "platform", chart, "--set", keepHooks)
	expectAbsent(t, "", "clusterrole,clusterrolebinding", ns+"-platform-apply")

	// The apply Job: its command, the ConfigMap mounted read-only, and
	// create+patch (and, for --for ready, get+list+watch) on the four
	// objects by name.
	applyJob, _ := chartHookJob(t, ns, "platform-apply")
	wantArgs := "apply -f /etc/kwait/manifests --for ready --field-manager operator-suite --timeout 10m"
	if got := strings.Join(applyJob.args, " "); got != wantArgs {
		t.Errorf("apply Job args %q, want %q", got, wantArgs)
	}
	wantManifestsMount(t, ns, "platform-apply", "platform-manifests")
	objects := []struct{ group, resource, name, kind string }{
		{"operator.knative.dev", "knativeeventings", "knative-eventing", "KnativeEventing"},
		{"operator.knative.dev", "knativeservings", "knative-serving", "KnativeServing"},
		{"rhdh.redhat.com", "backstages", "developer-hub", "Backstage"},
		{"sonataflow.org", "sonataflowplatforms", "sonataflow-platform", "SonataFlowPlatform"},
	}
	applyRules, deleteRules := []string{eventsRule}, []string{eventsRule}
	for _, o := range objects {
		applyRules = append(applyRules, rbacRule(o.group, o.resource, o.name), rbacVerbs([]string{"create", "patch"}, o.group, o.resource, o.name))
		deleteRules = append(deleteRules, rbacVerbs([]string{"delete", "get", "list", "watch"}, o.group, o.resource, o.name))
	}
	wantRules(t, ns, "platform-apply", rbacRules(applyRules...))

	// Install: the CRs wait for their types, which the "operators" serve
	// a moment later; then for a status, which they write.
	dir := configMapDir(t, ns, "platform-manifests")
	p := inCluster(t, ns, applyJob.serviceAccount, manifestsArgs(applyJob.args, dir)...)
	p.await(t, `"msg":"waiting"`, "apply/KnativeServing.operator.knative.dev/"+ns+"/knative-serving")
	for _, f := range crdFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		apply(t, "", string(b))
	}
	for _, o := range objects {
		kubectl(t, "", "-n", ns, "wait", "--for=create", o.resource+"."+o.group+"/"+o.name, "--timeout=2m")
		setStatus(t, ns, o.resource+"."+o.group, o.name,
			`{"conditions":[{"type":"Ready","status":"True","reason":"Done","lastTransitionTime":"2026-01-01T00:00:00Z","message":""}]}`)
	}
	out := p.expect(t, 0)
	mustContain(t, out, `"msg":"ready"`, "apply/Backstage.rhdh.redhat.com/"+ns+"/developer-hub")
	wantJSONPath(t, ns, "backstages.rhdh.redhat.com/developer-hub", "{.spec.application.replicas}", "1")
	wantJSONPath(t, ns, "backstages.rhdh.redhat.com/developer-hub", `{.metadata.managedFields[?(@.operation=="Apply")].manager}`, "operator-suite")

	// Nothing beyond the four objects: not another Backstage, not a delete.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "other.yaml"),
		[]byte("apiVersion: rhdh.redhat.com/v1alpha3\nkind: Backstage\nmetadata: {name: other}\nspec: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	expectDenied(t, ns, applyJob.serviceAccount, `cannot patch resource \"backstages\"`, "apply", "-f", other)
	expectDenied(t, ns, applyJob.serviceAccount, `cannot delete resource \"sonataflowplatforms\"`, "delete", "-f", dir)

	// Upgrade: a changed value reaches the CR through the ConfigMap.
	helmCmd(t, "upgrade", "platform", chart, "-n", ns, "--wait", "--timeout", "3m", "--set", keepHooks, "--set", "portal.replicas=2")
	applyJob, _ = chartHookJob(t, ns, "platform-apply")
	dir = configMapDir(t, ns, "platform-manifests")
	inCluster(t, ns, applyJob.serviceAccount, manifestsArgs(applyJob.args, dir)...).expect(t, 0)
	wantJSONPath(t, ns, "backstages.rhdh.redhat.com/developer-hub", "{.spec.application.replicas}", "2")

	// Rollback: the ConfigMap of revision 1 again, applied by the
	// post-rollback run of the same Job.
	helmCmd(t, "rollback", "platform", "1", "-n", ns, "--wait", "--timeout", "3m")
	applyJob, _ = chartHookJob(t, ns, "platform-apply")
	dir = configMapDir(t, ns, "platform-manifests")
	inCluster(t, ns, applyJob.serviceAccount, manifestsArgs(applyJob.args, dir)...).expect(t, 0)
	wantJSONPath(t, ns, "backstages.rhdh.redhat.com/developer-hub", "{.spec.application.replicas}", "1")

	// Uninstall: the delete Job's kwait deletes the CRs and waits until the
	// operator (the test) has removed its finalizer.
	helmCmd(t, "uninstall", "platform", "-n", ns, "--wait", "--timeout", "90s")
	del, _ := chartHookJob(t, ns, "platform-delete")
	if want := "delete -f /etc/kwait/manifests --timeout 10m"; strings.Join(del.args, " ") != want {
		t.Errorf("delete Job args %q, want %q", del.args, want)
	}
	wantManifestsMount(t, ns, "platform-delete", "platform-manifests")
	wantRules(t, ns, "platform-delete", rbacRules(deleteRules...))
	expectAbsent(t, "", "clusterrole,clusterrolebinding", ns+"-platform-delete")
	expectDenied(t, ns, del.serviceAccount, `cannot patch resource \"backstages\"`, "apply", "-f", dir)

	kubectl(t, "", "-n", ns, "patch", "backstages.rhdh.redhat.com", "developer-hub", "--type=merge",
		"-p", `{"metadata":{"finalizers":["e2e.kwait.dev/cleanup"]}}`)
	p = inCluster(t, ns, del.serviceAccount, manifestsArgs(del.args, dir)...)
	p.await(t, "delete/Backstage.rhdh.redhat.com/"+ns+"/developer-hub", "e2e.kwait.dev/cleanup")
	kubectl(t, "", "-n", ns, "patch", "backstages.rhdh.redhat.com", "developer-hub", "--type=merge",
		"-p", `{"metadata":{"finalizers":null}}`)
	p.expect(t, 0)
	for _, o := range objects {
		expectAbsent(t, ns, o.resource+"."+o.group, o.name)
	}
	expectDenied(t, ns, del.serviceAccount, `cannot delete resource \"backstages\"`, "delete", "-f", other)
}

// configMapDir writes the data of ConfigMap ns/name into a directory, one
// file per key, as a pod's configMap volume holds it, and returns it.
func configMapDir(t *testing.T, ns, name string) string {
	t.Helper()
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal([]byte(kubectl(t, "", "-n", ns, "get", "configmap", name, "-o", "json")), &cm); err != nil {
		t.Fatalf("configmap %s/%s: %v", ns, name, err)
	}
	if len(cm.Data) == 0 {
		t.Fatalf("configmap %s/%s has no data", ns, name)
	}
	dir := t.TempDir()
	for k, v := range cm.Data {
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// manifestsArgs is a Job's kwait arguments with the ConfigMap's mount path
// replaced by dir, where configMapDir put its files.
func manifestsArgs(args []string, dir string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		if a == "/etc/kwait/manifests" {
			out[i] = dir
		}
	}
	return out
}

// wantManifestsMount checks that Job ns/name mounts ConfigMap configMap
// read-only at /etc/kwait/manifests in its kwait container.
func wantManifestsMount(t *testing.T, ns, name, configMap string) {
	t.Helper()
	got := kubectl(t, "", "-n", ns, "get", "job", name, "-o",
		`jsonpath={.spec.template.spec.volumes[?(@.name=="kwait-manifests")].configMap.name} `+
			`{.spec.template.spec.containers[0].volumeMounts[?(@.name=="kwait-manifests")].mountPath} `+
			`{.spec.template.spec.containers[0].volumeMounts[?(@.name=="kwait-manifests")].readOnly}`)
	if want := configMap + " /etc/kwait/manifests true"; got != want {
		t.Errorf("job %s/%s: ConfigMap, mount path, read-only %q, want %q", ns, name, got, want)
	}
}

// wantJSONPath checks one field of an object.
func wantJSONPath(t *testing.T, ns, object, path, want string) {
	t.Helper()
	if got := kubectl(t, "", "-n", ns, "get", object, "-o", "jsonpath="+path); got != want {
		t.Errorf("%s %s = %q, want %q", object, path, got, want)
	}
}

// rbacVerbs is one RBAC rule with the given verbs, as the API server
// returns it.
func rbacVerbs(verbs []string, group, resource string, names ...string) string {
	r := map[string]any{"apiGroups": []string{group}, "resources": []string{resource}, "verbs": verbs}
	if len(names) > 0 {
		r["resourceNames"] = names
	}
	b, _ := json.Marshal(r)
	return string(b)
}
