//go:build e2e

package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// The chart tests install the examples in charts/examples for real. kwok
// completes Job pods without running them, so hook Jobs succeed whatever
// kwait would have said; each test therefore reads back how the chart runs
// kwait (ServiceAccount and arguments) and runs the real binary with that
// ServiceAccount's token (inCluster): it must succeed with exactly the RBAC
// the chart computed, and be denied anything beyond it. Every namespace
// enforces the "restricted" Pod Security profile, so a pod the charts
// create that is not hardened is refused.

// TestChartOperatorsThenApp: the infra example installs two CRDs and two
// operators and waits for them in a hook; the app example then creates
// custom resources as ordinary objects of its release (no hooks), and its
// pods wait for a database port, an HTTP URL and the operator, with --wait.
// Not parallel: the CRDs have their real, cluster-wide names.
func TestChartOperatorsThenApp(t *testing.T) {
	crds := []string{"tenants.minio.min.io", "clusters.postgresql.cnpg.io"}
	exclusiveCRDs(t, crds...)
	charts := chartCopy(t, "examples/infra", "examples/app")
	infraNS, appNS := chartNamespace(t), chartNamespace(t)
	enforceRestricted(t, infraNS)
	enforceRestricted(t, appNS)

	// infra: the hook Job waits for both CRDs and both operators.
	deleteClusterRBAC(t, infraNS+"-infra-operators-ready")
	helmInstall(t, infraNS, "infra", filepath.Join(charts, "examples/infra"), "--set", keepHooks)
	infra, _ := chartHookJob(t, infraNS, "infra-operators-ready")
	if want := []string{"crd/tenants.minio.min.io", "crd/clusters.postgresql.cnpg.io", "deployment/minio-operator",
		"deployment/cnpg-controller-manager", "--timeout", "2m"}; strings.Join(infra.args, " ") != strings.Join(want, " ") {
		t.Errorf("infra hook args %q, want %q", infra.args, want)
	}
	wantRules(t, "", infraNS+"-infra-operators-ready",
		rbacRules(rbacRule("apiextensions.k8s.io", "customresourcedefinitions", "clusters.postgresql.cnpg.io", "tenants.minio.min.io")))
	wantRules(t, infraNS, "infra-operators-ready",
		rbacRules(rbacRule("apps", "deployments", "cnpg-controller-manager", "minio-operator"), eventsRule))
	out := inCluster(t, infraNS, infra.serviceAccount, infra.args...).expect(t, 0)
	mustContain(t, out, `"msg":"ready"`, "crd/tenants.minio.min.io", "deployment/"+infraNS+"/minio-operator")
	expectDenied(t, infraNS, infra.serviceAccount, `cannot list resource \"secrets\"`, "resource", "secrets/any", "--for", "create")
	expectDenied(t, infraNS, infra.serviceAccount, `cannot list resource \"customresourcedefinitions\"`, "crd/widgets."+uniqueGroup(infraNS))
	expectDenied(t, infraNS, infra.serviceAccount, `cannot list resource \"deployments\"`, "deployment/other")

	// app: a database port and a health URL the test serves, and the
	// operator of the infra release.
	db, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	go func() {
		for {
			c, err := db.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/minio/health/live" {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(health.Close)
	_, dbPort, _ := net.SplitHostPort(db.Addr().String())
	helmInstall(t, appNS, "web", filepath.Join(charts, "examples/app"),
		"--set", "operator.namespace="+infraNS,
		"--set", "database.host=127.0.0.1", "--set", "database.port="+dbPort,
		"--set", "objectStoreHealthURL="+health.URL+"/minio/health/live")

	// The custom resources are objects of the release, not hooks: Helm
	// (and Argo CD, Flux) keeps them in sync and never recreates them, and
	// the app has no hook its pods could wait for under --wait.
	for _, cr := range []string{"clusters.postgresql.cnpg.io/web-db", "tenants.minio.min.io/web-store"} {
		wantJSONPath(t, appNS, cr, `{.metadata.annotations.meta\.helm\.sh/release-name}`, "web")
		wantJSONPath(t, appNS, cr, `{.metadata.annotations.helm\.sh/hook}`, "")
	}
	if hooks := helmCmd(t, "get", "hooks", "web", "-n", appNS); strings.TrimSpace(hooks) != "" {
		t.Errorf("the app example has hooks:\n%s", hooks)
	}

	// The init container: only the operator Deployment needs RBAC to read,
	// a Role in the infra namespace named after the app's namespace and
	// wait; the Role in the app's namespace only records Events.
	initc := chartInitWait(t, appNS, "web-app")
	mustContain(t, strings.Join(initc.args, " "), "tcp://127.0.0.1:"+dbPort, health.URL, "deployment/"+infraNS+"/cnpg-controller-manager", "--status 200")
	wantRules(t, infraNS, appNS+"-web-app", rbacRules(rbacRule("apps", "deployments", "cnpg-controller-manager")))
	wantRules(t, appNS, "web-app", rbacRules(eventsRule))
	expectAbsent(t, "", "clusterrole", appNS+"-web-app")
	out = inCluster(t, appNS, initc.serviceAccount, initc.args...).expect(t, 0)
	mustContain(t, out, "tcp://127.0.0.1:"+dbPort, "deployment/"+infraNS+"/cnpg-controller-manager")
	expectDenied(t, appNS, initc.serviceAccount, `cannot list resource \"deployments\"`, "deployment/"+infraNS+"/minio-operator")
	expectDenied(t, appNS, initc.serviceAccount, `cannot list resource \"pods\"`, "pods/app.kubernetes.io/name=app")

	// Only the init container holds the ServiceAccount's token: in the
	// pods the apiserver admitted, the app container has none.
	mounts := kubectl(t, "", "-n", appNS, "get", "pods", "-l", "app.kubernetes.io/name=app", "-o",
		`jsonpath={range .items[*]}init:{.spec.initContainers[0].volumeMounts[*].mountPath};app:{.spec.containers[0].volumeMounts[*].mountPath}{"\n"}{end}`)
	if mounts == "" {
		t.Fatal("no app pods")
	}
	for line := range strings.Lines(mounts) {
		init, app, _ := strings.Cut(strings.TrimSpace(line), ";")
		if !strings.Contains(init, "/var/run/secrets/kubernetes.io/serviceaccount") || strings.Contains(app, "serviceaccount") {
			t.Errorf("pod mounts %q: want the token in the init container only", line)
		}
	}
}

// TestChartUmbrella: the storefront subchart's pods wait for the catalog
// subchart's Deployment and Service endpoints.
func TestChartUmbrella(t *testing.T) {
	t.Parallel()
	charts := chartCopy(t, "examples/umbrella/charts/storefront")
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	helmInstall(t, ns, "shop", filepath.Join(charts, "examples/umbrella"))

	w := chartInitWait(t, ns, "shop-storefront")
	if want := "deployment/shop-catalog service/shop-catalog --timeout 3m"; strings.Join(w.args, " ") != want {
		t.Errorf("storefront init args %q, want %q", w.args, want)
	}
	wantRules(t, ns, "shop-storefront", rbacRules(
		rbacRule("apps", "deployments", "shop-catalog"),
		rbacRule("discovery.k8s.io", "endpointslices"),
		eventsRule))
	expectAbsent(t, "", "clusterrole", ns+"-shop-storefront")
	out := inCluster(t, ns, w.serviceAccount, w.args...).expect(t, 0)
	mustContain(t, out, "service/"+ns+"/shop-catalog", "deployment/"+ns+"/shop-catalog")
	expectDenied(t, ns, w.serviceAccount, `cannot list resource \"deployments\"`, "deployment/shop-storefront")
	expectDenied(t, ns, w.serviceAccount, `cannot list resource \"secrets\"`, "resource", "secrets/any", "--for", "create")
	expectDenied(t, ns, w.serviceAccount, `cannot list resource \"pods\"`, "pods/app.kubernetes.io/name=catalog")
}

// TestChartCRDCheck: the crd-check example, a chart's own CRD check
// rewritten with kwait, keeps its values: crdCheck.crds become the Job's
// targets and the only CRDs its ServiceAccount may read, crdCheck.timeout
// in seconds becomes kwait's --timeout, and kwait run with that account
// returns once the CRDs are served.
func TestChartCRDCheck(t *testing.T) {
	t.Parallel()
	charts := chartCopy(t, "examples/crd-check")
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	group := uniqueGroup(ns)
	deleteClusterRBAC(t, ns+"-crds-crd-check")
	deleteCRD(t, "widgets."+group)
	deleteCRD(t, "gadgets."+group)
	helmInstall(t, ns, "crds", filepath.Join(charts, "examples/crd-check"), "--set", keepHooks,
		"--set", "crdCheck.crds={widgets."+group+",gadgets."+group+"}", "--set", "crdCheck.timeout=45")

	w, _ := chartHookJob(t, ns, "crds-crd-check")
	if want := "crd/widgets." + group + " crd/gadgets." + group + " --timeout 45s"; strings.Join(w.args, " ") != want {
		t.Errorf("crd-check args %q, want %q", w.args, want)
	}
	wantRules(t, "", ns+"-crds-crd-check",
		rbacRules(rbacRule("apiextensions.k8s.io", "customresourcedefinitions", "gadgets."+group, "widgets."+group)))
	wantRules(t, ns, "crds-crd-check", rbacRules(eventsRule)) // the hook's Events, nothing to read

	p := inCluster(t, ns, w.serviceAccount, w.args...)
	p.await(t, "crd/widgets."+group, "not found")
	apply(t, "", crdNamed("widgets", "widget", "Widget", group))
	apply(t, "", crdNamed("gadgets", "gadget", "Gadget", group))
	p.expect(t, 0)
	expectDenied(t, ns, w.serviceAccount, `cannot list resource \"customresourcedefinitions\"`, "crd/others."+group)
}
