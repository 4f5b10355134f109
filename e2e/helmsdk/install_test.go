//go:build e2e

package helmsdk

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/loader"
	"helm.sh/helm/v4/pkg/kube"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// controllerConfig is an action.Configuration built as helm-controller's
// ConfigFactory.Build builds one: NewConfiguration, a REST client getter,
// a kube client and release storage, and no Init(), so HookOutputFunc is
// nil.
func controllerConfig(t *testing.T, kubeconfig, ns string) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &kubeconfig
	flags.Namespace = &ns
	cfg := action.NewConfiguration()
	cfg.RESTClientGetter = flags
	cfg.KubeClient = kube.New(flags)
	cfg.Releases = storage.Init(driver.NewMemory())
	if cfg.HookOutputFunc != nil {
		t.Fatal("HookOutputFunc is set without Init(): this SDK no longer has the path under test")
	}
	return cfg
}

// crdCheckChart is the crd-check example with the kwait library unpacked in
// its charts/, as `helm dependency build` would put it.
func crdCheckChart(t *testing.T) string {
	t.Helper()
	charts := filepath.Join("..", "..", "charts")
	dir := filepath.Join(t.TempDir(), "crd-check")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(charts, "examples", "crd-check"))); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "charts", "kwait"), os.DirFS(filepath.Join(charts, "kwait"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

type cluster struct {
	kubeconfig string
	cs         kubernetes.Interface
}

func newCluster(t *testing.T) cluster {
	t.Helper()
	kubeconfig := os.Getenv("KUBECONFIG")
	if kubeconfig == "" {
		t.Fatal("KUBECONFIG is not set: run with e2e/run.sh (eval \"$(e2e/cluster/cluster.sh env)\")")
	}
	rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	return cluster{kubeconfig, cs}
}

// namespace creates a namespace for one test and deletes it when the test
// ends.
func (c cluster) namespace(t *testing.T, prefix string) string {
	t.Helper()
	ns, err := c.cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
		defer cancel()
		_ = c.cs.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{})
	})
	return ns.Name
}

// failHookPod waits for the pod of Job ns/job and reports it failed the
// way kwait fails it (exit 124 with its termination message), as a kubelet
// would: kwok, the cluster's node, completes every pod it runs, so the
// chart keeps the pod off it with a nodeSelector.
func (c cluster) failHookPod(ctx context.Context, ns, job, message string) error {
	w, err := c.cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: "batch.kubernetes.io/job-name=" + job})
	if err != nil {
		return err
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		pod, ok := ev.Object.(*corev1.Pod)
		if !ok || ev.Type != watch.Added {
			continue
		}
		status, _ := json.Marshal(map[string]any{"status": map[string]any{
			"phase": "Failed",
			"containerStatuses": []any{map[string]any{
				"name": "kwait", "image": "kwait", "imageID": "", "ready": false, "restartCount": 0,
				"state": map[string]any{"terminated": map[string]any{"exitCode": 124, "reason": "Error", "message": message}},
			}},
		}})
		_, err := c.cs.CoreV1().Pods(ns).Patch(ctx, pod.Name, types.MergePatchType, status, metav1.PatchOptions{}, "status")
		return err
	}
	return fmt.Errorf("watch of job %s/%s pods ended: %w", ns, job, ctx.Err())
}

// install runs action.Install of the crd-check chart into ns with a hook
// that fails (hook values set over the test's own), and returns its error.
func (c cluster) install(t *testing.T, ns string, set map[string]any) error {
	t.Helper()
	chrt, err := loader.Load(crdCheckChart(t))
	if err != nil {
		t.Fatal(err)
	}
	install := action.NewInstall(controllerConfig(t, c.kubeconfig, ns))
	install.ReleaseName = "sdk"
	install.Namespace = ns
	install.Timeout = 2 * time.Minute
	install.WaitStrategy = kube.StatusWatcherStrategy // helm-controller waits by default
	hook := map[string]any{"nodeSelector": map[string]any{"e2e.kwait.dev/node": "none"}}
	for k, v := range set {
		hook[k] = v
	}
	values := map[string]any{
		"crdCheck": map[string]any{"crds": []any{"widgets.never.example.com"}, "timeout": 30},
		"kwait":    map[string]any{"hook": hook},
	}

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	failed := make(chan error, 1)
	go func() {
		failed <- c.failHookPod(ctx, ns, "sdk-crd-check", "timed out after 30s; not ready:\n  crd/widgets.never.example.com: not found")
	}()
	_, err = install.RunWithContext(ctx, chrt, values)
	if ferr := <-failed; ferr != nil {
		t.Fatalf("fail the hook pod: %v", ferr)
	}
	return err
}

// childEnv marks the test binary run by inChild: it performs the install.
// The SDK runs hooks in a goroutine of its own, so a panic there ends the
// process, as it ends helm-controller's; only another process can watch it.
// Its value is the namespace to install into, which the parent creates
// and deletes: a child that panics cleans up nothing.
const childEnv = "KWAIT_HELMSDK_NAMESPACE"

// inChild runs test name again in a child process, in a namespace of its
// own, and returns its combined output and whether it exited 0.
func inChild(t *testing.T, name string) (string, bool) {
	t.Helper()
	ns := newCluster(t).namespace(t, "kwait-helmsdk-")
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+ns)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("child %s: %v\n%s", name, ctx.Err(), out)
	}
	return string(out), err == nil
}

// TestInstallWithoutInitFailingHook: the chart's defaults under the SDK as
// helm-controller configures it: a hook that fails fails the install with
// the Job's reason, and the process does not panic.
func TestInstallWithoutInitFailingHook(t *testing.T) {
	if ns := os.Getenv(childEnv); ns != "" {
		err := newCluster(t).install(t, ns, nil)
		if err == nil {
			t.Fatal("install succeeded, want the failed hook's error")
		}
		fmt.Printf("install error: %v\n", err)
		return
	}
	out, ok := inChild(t, t.Name())
	if strings.Contains(out, "panic:") || !ok {
		t.Fatalf("action.Install without Init() with the chart's defaults and a failing hook did not end cleanly:\n%s", out)
	}
	// Helm 4's words for a failed hook Job, as docs/charts.md shows them.
	if !strings.Contains(out, "install error: failed post-install: resource Job/") || !strings.Contains(out, "/sdk-crd-check not ready. status: Failed") {
		t.Errorf("the install error does not name the failed hook Job:\n%s", out)
	}
}

// TestInstallWithoutInitOutputLogPolicy: the same install with the hook
// asking for its logs (kwait.hook.outputLogPolicy=hook-failed, the chart's
// old default) panics in this SDK, as fluxcd/helm-controller#1562 reports:
// why the default is off, and proof that the test above would see a panic.
func TestInstallWithoutInitOutputLogPolicy(t *testing.T) {
	if ns := os.Getenv(childEnv); ns != "" {
		err := newCluster(t).install(t, ns, map[string]any{"outputLogPolicy": "hook-failed"})
		fmt.Printf("install error: %v\n", err)
		return
	}
	out, ok := inChild(t, t.Name())
	if ok || !strings.Contains(out, "nil pointer dereference") || !strings.Contains(out, "OutputContainerLogsForPodList") {
		t.Fatalf("want the SDK to panic in OutputContainerLogsForPodList (HookOutputFunc nil); if it no longer does, "+
			"revisit kwait.hook.outputLogPolicy's default and docs/charts.md. Child output:\n%s", out)
	}
}
