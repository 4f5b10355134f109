//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// inCluster runs kwait the way a pod runs it: in a private mount namespace
// where a ServiceAccount's token, the cluster CA and the namespace are
// mounted at /var/run/secrets/kubernetes.io/serviceaccount, with
// KUBERNETES_SERVICE_HOST/PORT set and no kubeconfig, so kwait takes the
// rest.InClusterConfig path for real.
func inCluster(t *testing.T, ns, serviceAccount string, args ...string) *proc {
	t.Helper()
	token := strings.TrimSpace(kubectl(t, "", "-n", ns, "create", "token", serviceAccount, "--duration", "1h"))
	dir := t.TempDir()
	ca, err := os.ReadFile(filepath.Join(env.dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"token": token, "ca.crt": string(ca), "namespace": ns} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	host, port := apiserverHostPort(t)
	// /var/run is /run here; a tmpfs over /run inside the namespace keeps
	// the host's /run untouched.
	script := `set -e
mount -t tmpfs tmpfs /run
mkdir -p /run/secrets/kubernetes.io/serviceaccount
mount --bind "$SA_DIR" /run/secrets/kubernetes.io/serviceaccount
exec "$KWAIT" "$@"`
	cmd := exec.Command("unshare", append([]string{"--mount", "--propagation", "private", "sh", "-c", script, "sh"}, args...)...)
	cmd.Env = []string{
		"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "KWAIT_LOG_FORMAT=json",
		"SA_DIR=" + dir, "KWAIT=" + env.kwait,
		"KUBERNETES_SERVICE_HOST=" + host, "KUBERNETES_SERVICE_PORT=" + port,
	}
	return launch(t, cmd)
}

func apiserverHostPort(t *testing.T) (string, string) {
	t.Helper()
	hostport := strings.TrimPrefix(env.apiserver, "https://")
	host, port, ok := strings.Cut(hostport, ":")
	if !ok {
		t.Fatalf("apiserver URL %q has no port", env.apiserver)
	}
	return host, port
}

// apiReaderRole lets ServiceAccount sa get, list and watch the Deployment
// "api" of its namespace, nothing else.
func apiReaderRole(sa string) string {
	return strings.ReplaceAll(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: SA, namespace: NAMESPACE}
rules:
- apiGroups: [apps]
  resources: [deployments]
  resourceNames: [api]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: SA, namespace: NAMESPACE}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: SA}
subjects: [{kind: ServiceAccount, name: SA, namespace: NAMESPACE}]
`, "SA", sa)
}

// waiterRBAC lets ServiceAccount "waiter" get, list and watch the
// Deployment "api" in ns and the CRD crd, nothing else.
func waiterRBAC(crd string) string {
	return `
apiVersion: v1
kind: ServiceAccount
metadata: {name: waiter, namespace: NAMESPACE}
---` + apiReaderRole("waiter") + `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: NAMESPACE-waiter}
rules:
- apiGroups: [apiextensions.k8s.io]
  resources: [customresourcedefinitions]
  resourceNames: [` + crd + `]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: NAMESPACE-waiter}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: NAMESPACE-waiter}
subjects: [{kind: ServiceAccount, name: waiter, namespace: NAMESPACE}]
`
}

func TestInClusterWithLeastPrivilege(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	crd := "tools." + group
	deleteCRD(t, crd)
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "clusterrole,clusterrolebinding", ns+"-waiter", "--ignore-not-found")
	})
	apply(t, ns, waiterRBAC(crd))
	// The namespace comes from the mounted namespace file: no -n.
	p := inCluster(t, ns, "waiter", "deployment/api", "crd/"+crd, "--timeout", "90s")
	p.await(t, "deployment/"+ns+"/api", "not found")
	apply(t, ns, deploymentYAML("api", 1, ""))
	apply(t, "", crdYAML("tools", group))
	p.expect(t, 0)

	// The same identity is denied what it was not given.
	out := inCluster(t, ns, "waiter", "deployment/other", "--timeout", "3s").expect(t, 124)
	mustContain(t, out, "forbidden", `cannot list resource \"deployments\"`, ns)
	out = inCluster(t, ns, "waiter", "resource", "secrets/any", "--for", "create", "--timeout", "3s").expect(t, 124)
	mustContain(t, out, "forbidden", `cannot list resource \"secrets\"`)
}

// TestInClusterRBACMissing: without any grant the wait times out and the
// final message names the denied permission.
func TestInClusterRBACMissing(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	kubectl(t, "", "-n", ns, "create", "serviceaccount", "nobody")
	apply(t, ns, deploymentYAML("api", 1, ""))
	out := inCluster(t, ns, "nobody", "deployment", "api", "--timeout", "3s").expect(t, 124)
	mustContain(t, out, `"msg":"timed out"`, "forbidden", `system:serviceaccount:`+ns+`:nobody`,
		`cannot list resource \"deployments\" in API group \"apps\" in the namespace \"`+ns+`\"`)
}
