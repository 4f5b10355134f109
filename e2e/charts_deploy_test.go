//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// deployCopy copies deploy/ into a temporary directory with an overlay next
// to it (its own namespace and name prefix, and extra kustomization lines),
// and returns the copy's directory; the overlay is DIR/overlay.
func deployCopy(t *testing.T, ns, extra string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "deploy"), os.DirFS(filepath.Join("..", "deploy"))); err != nil {
		t.Fatal(err)
	}
	overlay := "resources: [../deploy]\nnamespace: " + ns + "\nnamePrefix: " + ns + "-\n" + extra
	writeFile(t, filepath.Join(dir, "overlay", "kustomization.yaml"), overlay)
	return dir
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// editFile replaces old with new in path, which must contain old.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	writeFile(t, path, strings.ReplaceAll(string(b), old, new))
}

// deployJobs names the kwait Jobs in ns (deploy/ names them after a hash
// of job.yaml), sorted.
func deployJobs(t *testing.T, ns string) []string {
	t.Helper()
	out := kubectl(t, "", "-n", ns, "get", "jobs", "-l", "app.kubernetes.io/name=kwait", "-o", "jsonpath={.items[*].metadata.name}")
	return strings.Fields(out)
}

// TestChartDeployManifests: deploy/ applied through an overlay (its own
// namespace and name prefix), the Job's ServiceAccount waits for the two
// CRDs and nothing else. Not parallel: the CRDs have their real names.
func TestChartDeployManifests(t *testing.T) {
	exclusiveCRDs(t, "tenants.minio.min.io", "clusters.postgresql.cnpg.io")
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	dir := deployCopy(t, ns, "")
	deleteClusterRBAC(t, ns+"-kwait-crds")
	kubectl(t, "", "apply", "-k", filepath.Join(dir, "overlay"))
	jobs := deployJobs(t, ns)
	if len(jobs) != 1 || !strings.HasPrefix(jobs[0], ns+"-kwait-crds-ready-") {
		t.Fatalf("jobs %q, want one %s-kwait-crds-ready-HASH", jobs, ns)
	}
	kubectl(t, "", "-n", ns, "wait", "--for=condition=Complete", "job/"+jobs[0], "--timeout=60s")
	w, _ := chartHookJob(t, ns, jobs[0])
	wantRules(t, "", ns+"-kwait-crds",
		rbacRules(rbacRule("apiextensions.k8s.io", "customresourcedefinitions", "tenants.minio.min.io", "clusters.postgresql.cnpg.io")))

	p := inCluster(t, ns, w.serviceAccount, w.args...)
	p.await(t, "crd/tenants.minio.min.io", "not found")
	apply(t, "", crdNamed("tenants", "tenant", "Tenant", "minio.min.io"))
	apply(t, "", crdNamed("clusters", "cluster", "Cluster", "postgresql.cnpg.io"))
	p.expect(t, 0)
	expectDenied(t, ns, w.serviceAccount, `cannot list resource \"customresourcedefinitions\"`, "crd/widgets."+uniqueGroup(ns))
	expectDenied(t, ns, w.serviceAccount, `cannot list resource \"deployments\"`, "deployment/any")
}

// TestChartDeployReapply: `kubectl apply -k` of deploy/ a second time after
// the CRD names changed succeeds (a Job's pod template is immutable, so
// the edited Job must be a new one), the new Job waits for the new names,
// its RBAC follows, and the old Job is left to expire. kwok completes the
// Jobs; what kwait would say is TestChartDeployManifests' part.
func TestChartDeployReapply(t *testing.T) {
	t.Parallel()
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	dir := deployCopy(t, ns, "")
	deleteClusterRBAC(t, ns+"-kwait-crds")
	kubectl(t, "", "apply", "-k", filepath.Join(dir, "overlay"))
	first := deployJobs(t, ns)
	if len(first) != 1 {
		t.Fatalf("jobs after the first apply %q, want one", first)
	}
	kubectl(t, "", "-n", ns, "wait", "--for=condition=Complete", "job/"+first[0], "--timeout=60s")

	widgets := "widgets." + uniqueGroup(ns)
	editFile(t, filepath.Join(dir, "deploy", "job.yaml"), "crd/clusters.postgresql.cnpg.io", "crd/"+widgets)
	editFile(t, filepath.Join(dir, "deploy", "rbac-crds.yaml"), "clusters.postgresql.cnpg.io", widgets)
	kubectl(t, "", "apply", "-k", filepath.Join(dir, "overlay"))

	jobs := deployJobs(t, ns)
	if len(jobs) != 2 {
		t.Fatalf("jobs after the second apply %q, want the first and a new one", jobs)
	}
	second := jobs[0]
	if second == first[0] {
		second = jobs[1]
	}
	kubectl(t, "", "-n", ns, "wait", "--for=condition=Complete", "job/"+second, "--timeout=60s")
	w, _ := chartHookJob(t, ns, second)
	if got := strings.Join(w.args, " "); got != "crd/tenants.minio.min.io crd/"+widgets+" --timeout 4m" {
		t.Errorf("new job args %q, want the edited CRD names", got)
	}
	wantRules(t, "", ns+"-kwait-crds",
		rbacRules(rbacRule("apiextensions.k8s.io", "customresourcedefinitions", "tenants.minio.min.io", widgets)))
	if ttl := kubectl(t, "", "-n", ns, "get", "job", first[0], "-o", "jsonpath={.spec.ttlSecondsAfterFinished}"); ttl != "3600" {
		t.Errorf("old job ttlSecondsAfterFinished %q, want 3600", ttl)
	}
	// Applying again without an edit changes nothing.
	kubectl(t, "", "apply", "-k", filepath.Join(dir, "overlay"))
	if got := deployJobs(t, ns); len(got) != 2 {
		t.Errorf("jobs after an unchanged apply %q, want the same two", got)
	}
}

// TestChartDeployInitContainerComponent: the kustomize component in
// deploy/components/init-container adds kwait's init container to the
// annotated Deployment only, with the args an overlay patch gives it, and
// the pods are admitted where "restricted" is enforced.
func TestChartDeployInitContainerComponent(t *testing.T) {
	t.Parallel()
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "deploy"), os.DirFS(filepath.Join("..", "deploy"))); err != nil {
		t.Fatal(err)
	}
	deployment := func(name, annotations string) string {
		return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ` + name + `
  annotations: {` + annotations + `}
spec:
  selector: {matchLabels: {app: ` + name + `}}
  template:
    metadata: {labels: {app: ` + name + `}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: app
          image: registry.example.com/stand-in/app:1.0
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`
	}
	writeFile(t, filepath.Join(dir, "app", "deployments.yaml"),
		deployment("web", `kwait.dev/init-container: "true"`)+"---\n"+deployment("other", ""))
	writeFile(t, filepath.Join(dir, "app", "kustomization.yaml"), `namespace: `+ns+`
resources: [deployments.yaml]
components: [../deploy/components/init-container]
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        template:
          spec:
            initContainers:
              - name: kwait
                args: [tcp://db:5432, --timeout, 2m]
`)
	kubectl(t, "", "apply", "-k", filepath.Join(dir, "app"))
	kubectl(t, "", "-n", ns, "wait", "--for=condition=Available", "deployment/web", "deployment/other", "--timeout=60s")
	if got := chartInitWait(t, ns, "web"); strings.Join(got.args, " ") != "tcp://db:5432 --timeout 2m" {
		t.Errorf("web init container args %q, want the overlay's", got.args)
	}
	if got := getChartWorkload(t, ns, "deployment", "other").Spec.Template.Spec.InitContainers; len(got) != 0 {
		t.Errorf("the Deployment without the annotation got init containers %+v", got)
	}
}
