package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiext "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	"github.com/kwait-dev/kwait/pkg/kube"
)

// benchUserAgent is the bench's own user agent. It must not start with
// "kwait/" or "kubectl/", the prefixes the waiters' requests are counted by.
const benchUserAgent = "kwait-bench/1"

// labelKey marks every object the bench creates, with the run's id as value.
const labelKey = "kwait-bench"

// identity is a user waiters run as. Waiters that run at the same time and
// share a user agent get different users, so the audit log tells their
// requests apart.
type identity struct {
	User       string
	Kubeconfig string
}

// cluster is the running e2e control plane.
type cluster struct {
	dir       string
	auditPath string
	kube      kubernetes.Interface
	ext       apiext.Interface
	admin     identity
	users     []identity // user1..user3, bound to cluster-admin by the bench
	runID     string
	namespace string // the bench's namespace for Deployments
	syncSeq   atomic.Int64
}

func openCluster(ctx context.Context, dir string) (*cluster, error) {
	c := &cluster{
		dir:       dir,
		auditPath: filepath.Join(dir, "audit.log"),
		admin:     identity{User: "admin", Kubeconfig: filepath.Join(dir, "admin.kubeconfig")},
		runID:     fmt.Sprintf("%04x", rand.IntN(1<<16)),
	}
	for i := 1; i <= 3; i++ {
		u := fmt.Sprintf("user%d", i)
		c.users = append(c.users, identity{User: u, Kubeconfig: filepath.Join(dir, u+".kubeconfig")})
	}
	c.namespace = "kwait-bench-" + c.runID
	cfg, err := clientcmd.BuildConfigFromFlags("", c.admin.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("cluster in %s: %w", dir, err)
	}
	cfg.UserAgent = benchUserAgent
	cfg.QPS, cfg.Burst = 200, 400
	if c.kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if c.ext, err = apiext.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if _, err := os.Stat(c.auditPath); err != nil {
		return nil, fmt.Errorf("no audit log: %w", err)
	}
	if _, err := c.apiserverCPU(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: c.namespace, Labels: map[string]string{labelKey: c.runID},
	}}, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("create namespace: %w", err)
	}
	subjects := []rbacv1.Subject{}
	for _, u := range c.users {
		subjects = append(subjects, rbacv1.Subject{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: u.User})
	}
	_, err = c.kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kwait-bench-" + c.runID, Labels: map[string]string{labelKey: c.runID}},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   subjects,
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("grant the spare users: %w", err)
	}
	return c, nil
}

// cleanup deletes what the bench created. It does not wait for CRDs and the
// namespace to be gone.
func (c *cluster) cleanup(ctx context.Context) {
	sel := metav1.ListOptions{LabelSelector: labelKey + "=" + c.runID}
	_ = c.ext.ApiextensionsV1().CustomResourceDefinitions().DeleteCollection(ctx, metav1.DeleteOptions{}, sel)
	_ = c.kube.RbacV1().ClusterRoleBindings().Delete(ctx, "kwait-bench-"+c.runID, metav1.DeleteOptions{})
	_ = c.kube.CoreV1().Namespaces().Delete(ctx, c.namespace, metav1.DeleteOptions{})
}

// apiserverCPU is the CPU time kube-apiserver has used so far (user+system),
// from /proc/PID/stat.
func (c *cluster) apiserverCPU() (time.Duration, error) {
	raw, err := os.ReadFile(filepath.Join(c.dir, "run", "kube-apiserver.pid"))
	if err != nil {
		return 0, fmt.Errorf("apiserver pid: %w", err)
	}
	// cluster.sh writes "PID START_TIME".
	pid, _, _ := strings.Cut(strings.TrimSpace(string(raw)), " ")
	return processCPU(pid)
}

// processCPU reads utime+stime of pid from /proc.
func processCPU(pid string) (time.Duration, error) {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, fmt.Errorf("cpu of pid %s: %w", pid, err)
	}
	// The command name (field 2) may hold spaces; fields after its ')' are fixed.
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("cpu of pid %s: short stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("cpu of pid %s: bad stat", pid)
	}
	const ticks = 100 // USER_HZ, 100 on every Linux that Go supports
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

// sync makes one request of its own and waits until the audit log shows it.
// The log backend writes each event before the response goes out, so
// afterwards every request that finished before sync began is in the log.
func (c *cluster) sync(ctx context.Context, a *auditLog) error {
	name := fmt.Sprintf("kwait-bench-sync-%s-%d", c.runID, c.syncSeq.Add(1))
	_, err := c.kube.CoreV1().ConfigMaps(c.namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("audit sync: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := a.await(ctx, 0, func(e *auditEvent) bool { return strings.Contains(e.URI, name) }); err != nil {
		return fmt.Errorf("audit sync: %w", err)
	}
	return kube.Sleep(ctx, 100*time.Millisecond)
}

// newCRD is a minimal namespaced CRD PLURAL.GROUP with one served version v1.
func (c *cluster) newCRD(plural, group string, labels map[string]string) *apiextv1.CustomResourceDefinition {
	l := map[string]string{labelKey: c.runID}
	for k, v := range labels {
		l[k] = v
	}
	kind := "B" + strings.ReplaceAll(plural, "-", "")
	return &apiextv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + group, Labels: l},
		Spec: apiextv1.CustomResourceDefinitionSpec{
			Group: group,
			Scope: apiextv1.NamespaceScoped,
			Names: apiextv1.CustomResourceDefinitionNames{Plural: plural, Singular: strings.ToLower(kind), Kind: kind, ListKind: kind + "List"},
			Versions: []apiextv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextv1.CustomResourceValidation{OpenAPIV3Schema: &apiextv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptr.To(true),
				}},
			}},
		},
	}
}

func (c *cluster) createCRD(ctx context.Context, crd *apiextv1.CustomResourceDefinition) error {
	_, err := c.ext.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create crd %s: %w", crd.Name, err)
	}
	return nil
}

// servedEverywhere waits until discovery of group/v1 lists every plural, so
// a CRD counts as fully ready for every waiter (kwait checks discovery too).
func (c *cluster) servedEverywhere(ctx context.Context, group string, plurals []string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		list, err := c.kube.Discovery().ServerResourcesForGroupVersion(group + "/v1")
		if err != nil {
			return false, nil
		}
		have := map[string]bool{}
		for _, r := range list.APIResources {
			have[r.Name] = true
		}
		for _, p := range plurals {
			if !have[p] {
				return false, nil
			}
		}
		return true, nil
	})
}

// deleteCRDs deletes the CRDs carrying label k=v and waits until they are
// gone, so their teardown does not load the apiserver during the next
// measurement.
func (c *cluster) deleteCRDs(ctx context.Context, k, v string) error {
	sel := metav1.ListOptions{LabelSelector: labelKey + "=" + c.runID + "," + k + "=" + v}
	crds := c.ext.ApiextensionsV1().CustomResourceDefinitions()
	if err := crds.DeleteCollection(ctx, metav1.DeleteOptions{}, sel); err != nil {
		return fmt.Errorf("delete crds %s=%s: %w", k, v, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	return wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		list, err := crds.List(ctx, sel)
		return err == nil && len(list.Items) == 0, nil
	})
}

// newDeployment is a Deployment of one replica in the bench's namespace,
// created paused so that it is not ready until unpaused.
func (c *cluster) newDeployment(name string, labels map[string]string) *appsv1.Deployment {
	l := map[string]string{labelKey: c.runID}
	for k, v := range labels {
		l[k] = v
	}
	pod := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.namespace, Labels: l},
		Spec: appsv1.DeploymentSpec{
			Paused:   true,
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: pod},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: pod},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.invalid/stand-in:1"}}},
			},
		},
	}
}

func (c *cluster) createDeployment(ctx context.Context, d *appsv1.Deployment) error {
	_, err := c.kube.AppsV1().Deployments(d.Namespace).Create(ctx, d, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create deployment %s: %w", d.Name, err)
	}
	return nil
}

// unpause starts the rollout of a paused Deployment.
func (c *cluster) unpause(ctx context.Context, name string) error {
	_, err := c.kube.AppsV1().Deployments(c.namespace).Patch(ctx, name, types.MergePatchType,
		[]byte(`{"spec":{"paused":false}}`), metav1.PatchOptions{})
	if err != nil {
		return fmt.Errorf("unpause deployment %s: %w", name, err)
	}
	return nil
}
