//go:build e2e

package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestChartExamplesUnderEachHelm: the examples whose hooks wait for nothing
// the test has to play (infra, app, umbrella, crd-check) go through helm
// install, upgrade, rollback and uninstall, each with --wait, under Helm 3
// and Helm 4, their hook Jobs running kwait's image on the real node.
// No example deadlocks under --wait (the app's pods wait only for objects
// of releases, never for a hook), and after uninstall nothing of kwait's is
// left. (operator-suite: TestChartOperatorSuiteLifecycle; webhook-operator:
// TestChartWebhookOperator.) Not parallel: the infra CRDs have their real,
// cluster-wide names.
func TestChartExamplesUnderEachHelm(t *testing.T) {
	node := realNode(t)
	underEachHelm(t, func(t *testing.T) {
		exclusiveCRDs(t, "tenants.minio.min.io", "clusters.postgresql.cnpg.io")
		charts := chartCopy(t, "examples/infra", "examples/app", "examples/crd-check", "examples/umbrella/charts/storefront")
		example := func(name string) string { return filepath.Join(charts, "examples", name) }

		infraNS := chartNamespace(t)
		enforceRestricted(t, infraNS)
		helmLifecycle(t, infraNS, "infra", example("infra"), realNodeHelmArgs(node)...)

		appNS := chartNamespace(t)
		enforceRestricted(t, appNS)
		helmLifecycle(t, appNS, "web", example("app"), append(realNodeHelmArgs(node), "--set", "operator.namespace="+infraNS)...)

		shopNS := chartNamespace(t)
		enforceRestricted(t, shopNS)
		helmLifecycle(t, shopNS, "shop", example("umbrella"))

		crdsNS := chartNamespace(t)
		enforceRestricted(t, crdsNS)
		group := uniqueGroup(crdsNS)
		deleteCRD(t, "widgets."+group)
		apply(t, "", crdYAML("widgets", group))
		helmLifecycle(t, crdsNS, "crds", example("crd-check"), append(realNodeHelmArgs(node), "--set", "crdCheck.crds={widgets."+group+"}")...)
	})
}

// helmLifecycle installs chart as release into ns, upgrades it, rolls it
// back to the first revision and uninstalls it, each with --wait, failing
// the test on the first step that fails; then no kwait object of the
// release is left.
func helmLifecycle(t *testing.T, ns, release, chart string, args ...string) {
	t.Helper()
	atEnd(t, "helm", "uninstall", release, "-n", ns, "--ignore-not-found", "--wait", "--timeout", "90s")
	steps := [][]string{
		append([]string{"install", release, chart}, args...),
		append([]string{"upgrade", release, chart}, args...),
		{"rollback", release, "1"},
		{"uninstall", release},
	}
	for _, step := range steps {
		if res := awaitHelm(t, helmAsync(t, append(step, "-n", ns, "--wait", "--timeout", "3m")...)); res.err != nil {
			t.Fatalf("%s %s: %v", filepath.Base(helmBinary(t)), strings.Join(step[:2], " "), res)
		}
	}
	selector := "app.kubernetes.io/name=kwait,app.kubernetes.io/instance=" + release
	if left := strings.TrimSpace(kubectl(t, "", "-n", ns, "get", "jobs,serviceaccounts,roles,rolebindings,configmaps", "-l", selector, "-o", "name")); left != "" {
		t.Errorf("%s: left after helm uninstall:\n%s", release, left)
	}
	for _, line := range strings.Split(kubectl(t, "", "get", "clusterroles,clusterrolebindings", "-l", selector, "-o", "name"), "\n") {
		if strings.Contains(line, "/"+ns+"-") {
			t.Errorf("%s: left after helm uninstall: %s", release, line)
		}
	}
}
