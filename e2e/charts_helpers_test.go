//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// helmMajor is one Helm the chart tests run under: Helm 3 ($E2E_HELM,
// .cache/bin/helm) and Helm 4 ($E2E_HELM4, .cache/bin/helm4), both exported
// by `cluster.sh env` and pinned in e2e/cluster/versions.sh.
type helmMajor struct{ name, env, file string }

var helmMajors = []helmMajor{{"helm3", "E2E_HELM", "helm"}, {"helm4", "E2E_HELM4", "helm4"}}

// helmChosen maps a test's name to the helmChoice underEachHelm made for
// it and its subtests.
var helmChosen sync.Map

type helmChoice struct{ binary, major string }

// underEachHelm runs f as a subtest under each Helm major, one after the
// other (the chart tests that use it claim cluster-wide names).
func underEachHelm(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, h := range helmMajors {
		t.Run(h.name, func(t *testing.T) {
			helmChosen.Store(t.Name(), helmChoice{h.binary(t), h.name})
			t.Cleanup(func() { helmChosen.Delete(t.Name()) }) // first registered: runs after every other cleanup
			f(t)
		})
	}
}

func (h helmMajor) binary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv(h.env); b != "" {
		return b
	}
	b, err := filepath.Abs(filepath.Join("..", ".cache", "bin", h.file))
	if err == nil {
		if _, err = os.Stat(b); err == nil {
			return b
		}
	}
	t.Fatalf("%s is not set and there is no .cache/bin/%s; run the suite with `make e2e`", h.env, h.file)
	return ""
}

// helmOf is the Helm underEachHelm chose for t (or a test t is part of),
// else Helm 3.
func helmOf(t *testing.T) helmChoice {
	t.Helper()
	for name := t.Name(); ; {
		if c, ok := helmChosen.Load(name); ok {
			return c.(helmChoice)
		}
		i := strings.LastIndex(name, "/")
		if i < 0 {
			return helmChoice{helmMajors[0].binary(t), helmMajors[0].name}
		}
		name = name[:i]
	}
}

func helmBinary(t *testing.T) string {
	t.Helper()
	return helmOf(t).binary
}

// helm4 reports whether t runs under Helm 4.
func helm4(t *testing.T) bool {
	t.Helper()
	return helmOf(t).major == "helm4"
}

// helmCmd runs helm as the cluster admin, with its cache and settings in a
// directory of the test's own, and fails the test on error.
func helmCmd(t *testing.T, args ...string) string {
	t.Helper()
	out, err := helmCmdErr(t, args...)
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func helmCmdErr(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	return helmRun(ctx, t, args...)
}

func helmRun(ctx context.Context, t *testing.T, args ...string) (string, error) {
	t.Helper()
	// Not t.TempDir: this also runs in cleanups.
	home, err := os.MkdirTemp("", "kwait-e2e-helm-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(home)
	cmd := exec.CommandContext(ctx, helmBinary(t), args...)
	cmd.Env = []string{
		"PATH=/usr/bin:/bin", "HOME=" + home, "KUBECONFIG=" + env.kubeconfig,
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
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

// atEnd runs helm (bin "helm") or kubectl as admin when the test ends.
// t.Context() is canceled before cleanups run, so the command gets a
// context without that cancellation and a deadline of its own. A failure
// is logged: the test's verdict is already made.
func atEnd(t *testing.T, bin string, args ...string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 2*time.Minute)
		defer cancel()
		var out []byte
		var err error
		if bin == "helm" {
			var s string
			s, err = helmRun(ctx, t, args...)
			out = []byte(s)
		} else {
			out, err = exec.CommandContext(ctx, env.kubectl, append([]string{"--kubeconfig", env.kubeconfig}, args...)...).CombinedOutput()
		}
		if err != nil {
			t.Logf("cleanup: %s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
		}
	})
}

// chartNamespace is a namespace for one test, deleted when it ends.
func chartNamespace(t *testing.T) string {
	t.Helper()
	ns := namespace(t)
	atEnd(t, "kubectl", "delete", "namespace", ns, "--wait=false", "--ignore-not-found")
	return ns
}

// chartCopy copies the repository's charts/ into a temporary directory and
// builds the dependencies (the kwait library, from file://) of the given
// charts there, so the test installs what a user would and leaves the
// repository untouched. It returns the copy's path.
func chartCopy(t *testing.T, charts ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "charts")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "charts"))); err != nil {
		t.Fatalf("copy charts: %v", err)
	}
	for _, c := range charts {
		helmCmd(t, "dependency", "build", filepath.Join(dir, c))
	}
	return dir
}

// helmInstall installs a chart as release into ns, waiting for its workloads
// and hooks, and uninstalls it when the test ends.
func helmInstall(t *testing.T, ns, release, chart string, args ...string) {
	t.Helper()
	atEnd(t, "helm", "uninstall", release, "-n", ns, "--wait", "--timeout", "90s")
	helmCmd(t, append([]string{"install", release, chart, "-n", ns, "--wait", "--timeout", "3m"}, args...)...)
}

// keepHooks is the helm flag that keeps the kwait hook Job and its RBAC
// after they succeeded (the charts delete them by default), so the test can
// run kwait with them. The cluster-scoped ones are deleted by deleteClusterRBAC.
const keepHooks = "kwait.hook.deletePolicy=before-hook-creation"

// enforceRestricted labels ns so Pod Security admission enforces the "restricted"
// profile: every pod a chart creates there must be hardened.
func enforceRestricted(t *testing.T, ns string) {
	t.Helper()
	kubectl(t, "", "label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted")
}

// exclusiveCRDs deletes the CRDs now and when the test ends. Tests that
// install CRDs with fixed names (the charts' real ones) use it and do not
// run in parallel.
func exclusiveCRDs(t *testing.T, names ...string) {
	t.Helper()
	args := append([]string{"delete", "crd", "--ignore-not-found", "--wait", "--timeout", "60s"}, names...)
	kubectl(t, "", args...)
	atEnd(t, "kubectl", args...)
}

// deleteClusterRBAC deletes a ClusterRole and ClusterRoleBinding when the test
// ends: hooks kept with keepHooks are not part of the release.
func deleteClusterRBAC(t *testing.T, name string) {
	t.Helper()
	atEnd(t, "kubectl", "delete", "clusterrole,clusterrolebinding", name, "--ignore-not-found")
}

// chartWait is how a chart runs kwait: as which ServiceAccount, with which
// arguments, read back from the cluster.
type chartWait struct {
	serviceAccount string
	args           []string
}

type chartPodSpec struct {
	ServiceAccountName string `json:"serviceAccountName"`
	InitContainers     []struct {
		Args []string `json:"args"`
	} `json:"initContainers"`
	Containers []struct {
		Args []string `json:"args"`
	} `json:"containers"`
}

type chartWorkload struct {
	Spec struct {
		Template struct {
			Spec chartPodSpec `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
	Status struct {
		CompletionTime string `json:"completionTime"`
		Conditions     []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"conditions"`
	} `json:"status"`
}

func getChartWorkload(t *testing.T, ns, kind, name string) chartWorkload {
	t.Helper()
	var w chartWorkload
	if err := json.Unmarshal([]byte(kubectl(t, "", "-n", ns, "get", kind, name, "-o", "json")), &w); err != nil {
		t.Fatalf("decode %s %s/%s: %v", kind, ns, name, err)
	}
	return w
}

// chartHookJob reads the kwait hook Job ns/name, which must have completed.
func chartHookJob(t *testing.T, ns, name string) (chartWait, chartWorkload) {
	t.Helper()
	job := getChartWorkload(t, ns, "job", name)
	complete := false
	for _, c := range job.Status.Conditions {
		complete = complete || (c.Type == "Complete" && c.Status == "True")
	}
	pod := job.Spec.Template.Spec
	if !complete || len(pod.Containers) != 1 {
		t.Fatalf("job %s/%s: want one container and Complete, got %+v", ns, name, job)
	}
	return chartWait{serviceAccount: pod.ServiceAccountName, args: pod.Containers[0].Args}, job
}

// chartInitWait reads the kwait init container of Deployment ns/name.
func chartInitWait(t *testing.T, ns, name string) chartWait {
	t.Helper()
	pod := getChartWorkload(t, ns, "deployment", name).Spec.Template.Spec
	if len(pod.InitContainers) != 1 {
		t.Fatalf("deployment %s/%s: want one init container, got %+v", ns, name, pod)
	}
	return chartWait{serviceAccount: pod.ServiceAccountName, args: pod.InitContainers[0].Args}
}

// wantRules checks the rules of a Role (ns given) or ClusterRole (ns
// empty) against want, a JSON list of rules.
func wantRules(t *testing.T, ns, name, want string) {
	t.Helper()
	args := []string{"get", "clusterrole", name, "-o", "jsonpath={.rules}"}
	if ns != "" {
		args = []string{"-n", ns, "get", "role", name, "-o", "jsonpath={.rules}"}
	}
	got := kubectl(t, "", args...)
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("rules of %s %s: %v\n%s", ns, name, err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("rules of %s %s:\n got %s\nwant %s", ns, name, got, want)
	}
}

// rbacRule is one read-only RBAC rule as the API server returns it.
func rbacRule(group, resource string, names ...string) string {
	r := map[string]any{"apiGroups": []string{group}, "resources": []string{resource}, "verbs": []string{"get", "list", "watch"}}
	if len(names) > 0 {
		r["resourceNames"] = names
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// eventsRule is the rule that lets kwait record Events on its pod, which
// the chart grants in the pod's namespace (events: true, the default).
var eventsRule = `{"apiGroups":["events.k8s.io"],"resources":["events"],"verbs":["create","patch"]}`

func rbacRules(r ...string) string { return "[" + strings.Join(r, ",") + "]" }

// expectDenied runs kwait in-cluster as serviceAccount with args that need more
// than it was given: the wait must time out on a Forbidden naming want.
func expectDenied(t *testing.T, ns, serviceAccount, want string, args ...string) {
	t.Helper()
	out := inCluster(t, ns, serviceAccount, append(args, "--timeout", "3s")...).expect(t, 124)
	mustContain(t, out, "forbidden", want)
}

// expectAbsent fails unless kubectl finds none of the named objects.
func expectAbsent(t *testing.T, ns, kinds, name string) {
	t.Helper()
	args := []string{"get", kinds, name, "--ignore-not-found", "-o", "name"}
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	if out := strings.TrimSpace(kubectl(t, "", args...)); out != "" {
		t.Errorf("want no %s %s, found:\n%s", kinds, name, out)
	}
}
