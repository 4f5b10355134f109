//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestKubectlSpellings: lines ported from kubectl wait and from
// k8s-wait-for's README work as written.
func TestKubectlSpellings(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("api", 1, ""))
	kubectl(t, "", "-n", ns, "rollout", "status", "deployment/api", "--timeout=60s")
	pod := strings.TrimPrefix(strings.TrimSpace(kubectl(t, "", "-n", ns, "get", "pods", "-l", "app=api", "-o", "name")), "pod/")
	for _, args := range [][]string{
		{"resource", "deployment/api", "--for", "condition=Available"},
		{"resource", "deployments/api", "--for", "condition=Available"},
		{"resource", "deploy/api", "--for", "condition=Available"},
		{"resource", "Deployment/api", "--for", "condition=Available"},
		{"resource", "deployment.v1.apps/" + ns + "/api", "--for", "condition=Available"},
		{"deploy/api", "--for=condition=Available"},
		{"Deployment/" + ns + "/api"},
		{"deployments.apps/api"},
		{"pod/" + pod, "--for", "condition=Ready"},
		{"pods", pod, "--for", "condition=Ready"},
		{"pods", "-lapp=api"},
		{"pods", "-l=app=api"},
		{"po", "-l", "app=api", "--min", "1"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			kwait(t, 0, append(args, "-n", ns, "--timeout", "60s")...)
		})
	}
	out := kwait(t, 0, "help", "deploy")
	mustContain(t, out, "kwait deployment", "rollout")
}

// TestAmbiguousType: a plural two CRD groups serve, without its group, is
// exit 2 naming both; with its group it is resolved.
func TestAmbiguousType(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	groups := []string{"a." + uniqueGroup(ns), "b." + uniqueGroup(ns)}
	for _, g := range groups {
		deleteCRD(t, "gizmos."+g)
		apply(t, "", crdYAML("gizmos", g))
		kubectl(t, "", "wait", "--for=condition=Established", "crd/gizmos."+g, "--timeout=60s")
	}
	// Served in discovery, so that both groups are there to choose from.
	kwait(t, 0, "crd", "gizmos."+groups[0], "gizmos."+groups[1], "--timeout", "60s")
	out := kwait(t, 2, "resource", "gizmos/"+ns+"/x", "--for", "create", "--timeout", "10s")
	mustContain(t, out, "ambiguous", "gizmos."+groups[0], "gizmos."+groups[1])
	kwait(t, 0, "resource", "gizmos."+groups[0]+"/"+ns+"/x", "--for", "delete", "--timeout", "30s")
}

// TestAggregatedAPIDown: an APIService whose server does not answer makes its
// group's types unknown, never absent: --for delete is not satisfied, even
// though no CRD defines the type.
func TestAggregatedAPIDown(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := "agg." + uniqueGroup(ns)
	name := "v1." + group
	t.Cleanup(func() { _, _ = kubectlErr(t, "", "delete", "apiservice", name, "--wait=false") })
	apply(t, ns, fmt.Sprintf(`
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: %s}
spec:
  group: %s
  version: v1
  groupPriorityMinimum: 1000
  versionPriority: 15
  insecureSkipTLSVerify: true
  service: {namespace: NAMESPACE, name: nothing-here, port: 443}
`, name, group))
	out := kwait(t, 124, "resource", "things.v1."+group+"/"+ns+"/x", "--for", "delete", "--timeout", "3s")
	mustContain(t, out, "type things.v1."+group+" not served yet")
	// Its APIService, a built-in type, is there and not Available.
	out = kwait(t, 124, "resource", "apiservices/"+name, "--for", "condition=Available", "--timeout", "2s")
	mustContain(t, out, "apiservices/"+name)
}

// TestBuiltinOutsideTheKinds: built-in types kwait has no kind for are
// resolved, not taken for custom resources: a NetworkPolicy is found, a
// FlowSchema is cluster-scoped and still exists.
func TestBuiltinOutsideTheKinds(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: deny, namespace: NAMESPACE}, spec: {podSelector: {}}}")
	kwait(t, 0, "resource", "networkpolicies.networking.k8s.io/deny", "-n", ns, "--for", "create", "--timeout", "30s")
	kwait(t, 0, "resource", "netpol/"+ns+"/deny", "--for", "create", "--timeout", "30s")
	out := kwait(t, 124, "resource", "flowschemas.flowcontrol.apiserver.k8s.io/global-default", "--for", "delete", "--timeout", "2s")
	mustContain(t, out, "flowschemas.flowcontrol.apiserver.k8s.io/global-default: still exists")
	out = kwait(t, 2, "resource", "flowschemas.flowcontrol.apiserver.k8s.io/default/global-default", "--for", "delete")
	mustContain(t, out, "cluster-scoped")
	// -n does not apply to a cluster-scoped type, as in kubectl.
	kwait(t, 0, "resource", "FlowSchema/global-default", "-n", ns, "--for", "create", "--timeout", "30s")
}
