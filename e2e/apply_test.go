//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// manifestFile writes a manifest, "NAMESPACE" replaced by ns, and returns
// its path.
func manifestFile(t *testing.T, ns, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(content, "NAMESPACE", ns)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func widget(group, name, size string) string {
	return fmt.Sprintf("apiVersion: %s/v1\nkind: Widget\nmetadata: {name: %s, namespace: NAMESPACE}\nspec: {size: %s}\n", group, name, size)
}

// TestApplyWaitsForItsCRD: a custom resource whose CRD does not exist yet
// is applied once the type is served (with a ConfigMap of the same
// manifest applied at once), under kwait's field manager; applying a
// changed manifest again updates it.
func TestApplyWaitsForItsCRD(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	deleteCRD(t, "widgets."+group)
	path := manifestFile(t, ns, widget(group, "w", "1")+"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {key: one}\n")
	p := start(t, "apply", "-f", path, "-n", ns, "--timeout", "90s")
	target := "apply/Widget." + group + "/" + ns + "/w"
	p.await(t, `"msg":"ready"`, "apply/ConfigMap/"+ns+"/settings")
	if got := kubectl(t, "", "-n", ns, "get", "configmap", "settings", "-o", "jsonpath={.data.key}"); got != "one" {
		t.Errorf("the ConfigMap holds %q while the Widget waits, want one", got)
	}
	apply(t, "", crdYAML("widgets", group))
	out := p.expect(t, 0)
	// The Widget waited for its type, then was applied.
	mustContain(t, out, target, "type Widget.v1."+group+" not served yet")
	if i, j := strings.Index(out, "not served yet"), strings.LastIndex(out, `"msg":"ready","target":"`+target); i < 0 || j < i {
		t.Errorf("want the Widget not served, then ready:\n%s", out)
	}
	if got := kubectl(t, "", "-n", ns, "get", "widgets."+group, "w", "-o", "jsonpath={.spec.size}/{.metadata.managedFields[0].manager}/{.metadata.managedFields[0].operation}"); got != "1/kwait/Apply" {
		t.Errorf("spec.size/manager/operation = %q, want 1/kwait/Apply", got)
	}

	changed := manifestFile(t, ns, widget(group, "w", "2"))
	kwait(t, 0, "apply", "-f", changed, "-n", ns, "--timeout", "60s")
	if got := kubectl(t, "", "-n", ns, "get", "widgets."+group, "w", "-o", "jsonpath={.spec.size}"); got != "2" {
		t.Errorf("spec.size = %q after applying 2", got)
	}
}

// TestApplyFieldManagerConflict: a field another manager owns fails the
// apply (exit 1) naming the field and the manager; --force-conflicts takes
// it over.
func TestApplyFieldManagerConflict(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	kubectl(t, strings.ReplaceAll("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: NAMESPACE}\ndata: {key: theirs}\n", "NAMESPACE", ns),
		"apply", "--server-side", "--field-manager", "other", "-f", "-")
	path := manifestFile(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {key: mine}\n")
	out := kwait(t, 1, "apply", "-f", path, "-n", ns, "--timeout", "60s")
	mustContain(t, out, "apply/ConfigMap/"+ns+"/settings", `.data.key (conflict with \"other\")`, "--force-conflicts takes them over")
	if got := kubectl(t, "", "-n", ns, "get", "configmap", "settings", "-o", "jsonpath={.data.key}"); got != "theirs" {
		t.Errorf("data.key = %q after a conflict, want theirs", got)
	}
	kwait(t, 0, "apply", "-f", path, "-n", ns, "--force-conflicts", "--timeout", "60s")
	if got := kubectl(t, "", "-n", ns, "get", "configmap", "settings", "-o", "jsonpath={.data.key}"); got != "mine" {
		t.Errorf("data.key = %q after --force-conflicts, want mine", got)
	}
}

// TestApplyAnswersThatCannotChange: a manifest with a stale
// metadata.resourceVersion (409 Conflict) and a Secret whose data is not
// base64 (the apiserver cannot convert it) fail at once, exit 1, instead
// of being retried until the deadline.
func TestApplyAnswersThatCannotChange(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, "{apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: NAMESPACE}, data: {key: one}}")
	stale := manifestFile(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, resourceVersion: \"1\"}\ndata: {key: two}\n")
	out := kwait(t, 1, "apply", "-f", stale, "-n", ns, "--force-conflicts", "--timeout", "60s")
	mustContain(t, out, "apply/ConfigMap/"+ns+"/settings", `metadata.resourceVersion \"1\"`)
	badB64 := manifestFile(t, ns, "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\ndata: {key: \"!!not base64\"}\n")
	out = kwait(t, 1, "apply", "-f", badB64, "-n", ns, "--timeout", "60s")
	mustContain(t, out, "apply/Secret/"+ns+"/creds", "illegal base64")
}

// TestApplyPlacesRefused: -n A with a manifest naming namespace B, and an
// object given twice, are bad input (exit 2) naming both, before anything
// is applied.
func TestApplyPlacesRefused(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	other := manifestFile(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: elsewhere}\n")
	out := kwait(t, 2, "apply", "-f", other, "-n", ns, "--timeout", "30s")
	mustContain(t, out, `names namespace "elsewhere", but -n `+ns)
	one := manifestFile(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {key: one}\n")
	two := manifestFile(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {key: two}\n")
	out = kwait(t, 2, "apply", "-f", one, "-f", two, "-n", ns, "--timeout", "30s")
	mustContain(t, out, "ConfigMap/"+ns+"/settings is given twice", one+": object 1", two+": object 1")
	if _, err := kubectlErr(t, "", "-n", ns, "get", "configmap", "settings"); err == nil {
		t.Error("a refused manifest was applied")
	}
}

// TestApplyRejected: an object a ValidatingAdmissionPolicy denies, or that
// the apiserver's validation finds Invalid, fails the apply (exit 1) with
// the apiserver's message, and nothing is stored.
func TestApplyRejected(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	policy := ns + "-no-forbidden"
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", policy, "--ignore-not-found")
	})
	apply(t, ns, `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: NAMESPACE-no-forbidden}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [configmaps]}
  validations:
  - expression: "!has(object.data) || !('forbidden' in object.data)"
    message: "kwait e2e: no key named forbidden"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: NAMESPACE-no-forbidden}
spec:
  policyName: NAMESPACE-no-forbidden
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: NAMESPACE}
`)
	denied := manifestFile(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad, namespace: NAMESPACE}\ndata: {forbidden: x}\n")
	dryRunAnswers(t, ns, denied, "kwait e2e: no key named forbidden") // the policy is loaded
	out := kwait(t, 1, "apply", "-f", denied, "--timeout", "60s")
	mustContain(t, out, `"msg":"target failed"`, "apply/ConfigMap/"+ns+"/bad", "rejected:", "kwait e2e: no key named forbidden")

	invalid := manifestFile(t, ns, "apiVersion: v1\nkind: Service\nmetadata: {name: bad, namespace: NAMESPACE}\nspec: {ports: [{port: 99999}]}\n")
	out = kwait(t, 1, "apply", "-f", invalid, "--timeout", "60s")
	mustContain(t, out, "apply/Service/"+ns+"/bad", "rejected:", "is invalid", "99999")
	if got, err := kubectlErr(t, "", "-n", ns, "get", "configmap/bad", "service/bad", "-o", "name", "--ignore-not-found"); err != nil || strings.TrimSpace(got) != "" {
		t.Errorf("rejected objects stored: %q (%v)", got, err)
	}
}

// TestApplyForCondition: with --for, an applied object is waited for
// until the rule holds.
func TestApplyForCondition(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	widgetsCRD(t, group)
	path := manifestFile(t, ns, widget(group, "w", "1"))
	p := start(t, "apply", "-f", path, "--for", "condition=Ready", "--timeout", "90s")
	target := "apply/Widget." + group + "/" + ns + "/w"
	p.await(t, target, "applied; condition Ready not set")
	setStatus(t, ns, "widgets."+group, "w", `{"conditions":[{"type":"Ready","status":"True","reason":"Done","lastTransitionTime":"2026-01-01T00:00:00Z","message":""}]}`)
	mustContain(t, p.expect(t, 0), `"msg":"ready"`, target)
}

// TestDeleteWaitsForFinalizer: a custom resource held by a finalizer is
// deleted and waited for, the reason naming the finalizer, until the test
// (its operator) removes it; an object or type that is not there is gone
// at once.
func TestDeleteWaitsForFinalizer(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	widgetsCRD(t, group)
	apply(t, ns, fmt.Sprintf("apiVersion: %s/v1\nkind: Widget\nmetadata: {name: w, namespace: NAMESPACE, finalizers: [example.com/cleanup]}\nspec: {size: 1}\n", group))
	path := manifestFile(t, ns, widget(group, "w", "1"))
	p := start(t, "delete", "-f", path, "--timeout", "90s")
	target := "delete/Widget." + group + "/" + ns + "/w"
	p.await(t, target, "being deleted, finalizers: example.com/cleanup")
	kubectl(t, "", "-n", ns, "patch", "widgets."+group, "w", "--type=json", "-p", `[{"op":"remove","path":"/metadata/finalizers"}]`)
	mustContain(t, p.expect(t, 0), `"msg":"ready"`, target)
	if got := kubectl(t, "", "-n", ns, "get", "widgets."+group, "-o", "name"); strings.TrimSpace(got) != "" {
		t.Errorf("still there: %q", got)
	}

	absent := manifestFile(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: never}\n---\n"+
		"apiVersion: absent."+group+"/v1\nkind: Gadget\nmetadata: {name: g}\n")
	out := kwait(t, 0, "delete", "-f", absent, "-n", ns, "--timeout", "30s")
	mustContain(t, out, "delete/ConfigMap/"+ns+"/never", "delete/Gadget.absent."+group+"/"+ns+"/g")
}

// tokenKubeconfig is a kubeconfig that authenticates as ServiceAccount sa
// of ns with a fresh token, its context's namespace ns.
func tokenKubeconfig(t *testing.T, ns, sa string) string {
	t.Helper()
	token := strings.TrimSpace(kubectl(t, "", "-n", ns, "create", "token", sa, "--duration", "1h"))
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, certificate-authority: %q}}]
users: [{name: u, user: {token: %q}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: %q}}]
current-context: c
`, env.apiserver, filepath.Join(env.dir, "ca.crt"), token, ns)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// serviceAccountRole creates ServiceAccount sa in ns, bound to a Role with
// rules (YAML list items).
func serviceAccountRole(t *testing.T, ns, sa, rules string) {
	t.Helper()
	apply(t, ns, strings.ReplaceAll(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: SA, namespace: NAMESPACE}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: SA, namespace: NAMESPACE}
rules:
`+rules+`
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: SA, namespace: NAMESPACE}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: SA}
subjects: [{kind: ServiceAccount, name: SA, namespace: NAMESPACE}]
`, "SA", sa))
}

// TestApplyRBAC pins the least RBAC apply and delete need, which the
// chart renders: apply creates an object with patch and create limited to
// its name (the apiserver authorizes an apply that creates as a create of
// that name), --for adds list and watch by name; delete needs delete,
// list and watch by name. Without create a new object is never applied,
// and no other object can be touched.
func TestApplyRBAC(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	serviceAccountRole(t, ns, "applier", `
- {apiGroups: [""], resources: [configmaps], resourceNames: [settings], verbs: [create, patch, list, watch]}`)
	serviceAccountRole(t, ns, "patcher", `
- {apiGroups: [""], resources: [configmaps], resourceNames: [fresh], verbs: [patch, list, watch]}`)
	serviceAccountRole(t, ns, "deleter", `
- {apiGroups: [""], resources: [configmaps], resourceNames: [settings], verbs: [delete, list, watch]}`)
	cm := func(name, value string) string {
		return manifestFile(t, ns, fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata: {key: %s}\n", name, value))
	}
	as := func(sa string, args ...string) *proc {
		return startEnv(t, []string{"KUBECONFIG=" + tokenKubeconfig(t, ns, sa)}, args...)
	}

	// Pending for good, run meanwhile: no create, and another object.
	noCreate := as("patcher", "apply", "-f", cm("fresh", "one"), "--timeout", "10s")
	other := as("applier", "apply", "-f", cm("other", "one"), "--timeout", "10s")

	as("applier", "apply", "-f", cm("settings", "one"), "--for", "jsonpath={.data.key}=one", "--timeout", "60s").expect(t, 0)
	as("applier", "apply", "-f", cm("settings", "two"), "--for", "jsonpath={.data.key}=two", "--timeout", "60s").expect(t, 0)
	as("deleter", "delete", "-f", cm("settings", "two"), "--timeout", "60s").expect(t, 0)
	if got := kubectl(t, "", "-n", ns, "get", "configmaps", "-o", "name"); strings.Contains(got, "settings") {
		t.Errorf("settings not deleted: %q", got)
	}

	mustContain(t, noCreate.expect(t, 124), "apply/ConfigMap/"+ns+"/fresh", `cannot create resource \"configmaps\"`)
	mustContain(t, other.expect(t, 124), "apply/ConfigMap/"+ns+"/other", `cannot patch resource \"configmaps\"`)
	if got := kubectl(t, "", "-n", ns, "get", "configmaps", "-o", "name"); strings.Contains(got, "fresh") || strings.Contains(got, "other") {
		t.Errorf("objects the ServiceAccounts may not create exist: %q", got)
	}
}
