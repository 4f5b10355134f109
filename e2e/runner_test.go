//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/client-go/util/retry"
)

// The runner node: a Node this test process plays the kubelet for. kwok
// completes every pod on its node without running anything; a pod bound to
// the runner node runs the built kwait for real (runner_kubelet_test.go,
// runner_pod_test.go, runner_volume_test.go),
// with its ServiceAccount's token, its volumes and its environment, and its
// status tells the Job controller, and so Helm, what kwait said.
//
// The node carries one NoSchedule taint, runnerTaint: without it the
// scheduler would spread other tests' Deployments onto it (the default
// topology spread), and their pods, which are not kwait, would never run.
// A chart is pointed at the node with helmArgs: the hook Job's
// nodeSelector and a toleration of the taint.
//
// One runner serves the whole test process: started by the first test that
// asks (runnerNode), stopped by TestMain when every test is done
// (stopRunner), which kills what still runs and deletes the Node. A Node
// left by a killed test process is replaced at start.
const (
	runnerNodeName = "kwait-runner"
	runnerTaint    = "kwait.dev/e2e-runner"
	// runnerHeartbeat is how often the node's Lease is renewed; the node
	// lifecycle controller marks a node NotReady after it misses
	// --node-monitor-grace-period (5m here) of them.
	runnerHeartbeat = 5 * time.Second
)

var runners struct {
	once sync.Once
	r    *runner
	err  error
}

// runnerNode returns the test process's runner, starting it on first use.
func runnerNode(t *testing.T) *runner {
	t.Helper()
	runners.once.Do(func() { runners.r, runners.err = startRunner() })
	if runners.err != nil {
		t.Fatalf("runner node: %v", runners.err)
	}
	return runners.r
}

// stopRunner stops the runner if a test started it: its pods' processes
// are killed and the Node is deleted (the pod garbage collector then
// deletes the pods bound to it).
func stopRunner() {
	if runners.r != nil {
		runners.r.stop()
	}
}

func (r *runner) stop() {
	r.cancel()
	r.wg.Wait()
	r.logs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.cs.CoreV1().Nodes().Delete(ctx, r.name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		r.logf("delete node: %v", err)
	}
}

// helmArgs are the helm flags that put a chart's kwait hook Jobs on
// the runner node.
func (r *runner) helmArgs() []string {
	return []string{
		"--set", `kwait.hook.nodeSelector.kubernetes\.io/hostname=` + r.name,
		"--set", "kwait.hook.tolerations[0].key=" + runnerTaint,
		"--set", "kwait.hook.tolerations[0].operator=Exists",
		"--set", "kwait.hook.tolerations[0].effect=NoSchedule",
	}
}

type runner struct {
	name   string
	uid    types.UID
	cs     kubernetes.Interface
	ctx    context.Context // canceled by stopRunner
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine of the runner
	logs   *httptest.Server

	mu      sync.Mutex
	pods    map[types.UID]*podRun
	changed chan struct{} // closed and replaced when any pod's output grows
}

// podRun is one pod the runner has seen: its process(es) and their output.
type podRun struct {
	ns, name, job string // job: the Job that owns the pod, "" for none
	cancel        context.CancelFunc
	done          chan struct{} // closed when the pod's containers have ended
	deleting      bool
	out           bytes.Buffer // guarded by runner.mu
}

func startRunner() (*runner, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", env.kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "kwait-e2e-runner"
	cfg.QPS, cfg.Burst = 50, 100
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{name: runnerNodeName, cs: cs, ctx: ctx, cancel: cancel,
		pods: map[types.UID]*podRun{}, changed: make(chan struct{})}
	r.serveLogs()
	if err := r.register(); err != nil {
		cancel()
		r.logs.Close()
		return nil, err
	}
	r.wg.Add(1)
	go r.heartbeat()
	if err := r.watchPods(); err != nil {
		r.stop()
		return nil, err
	}
	if err := r.awaitSchedulable(); err != nil {
		r.stop()
		return nil, err
	}
	return r, nil
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "e2e runner node: "+format+"\n", args...)
}

// register creates the Node (replacing one a killed test process left),
// sets its status and creates its Lease, as a kubelet registers.
func (r *runner) register() error {
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	nodes := r.cs.CoreV1().Nodes()
	if err := nodes.Delete(ctx, r.name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete the node an earlier run left: %w", err)
	}
	node, err := nodes.Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: r.name, Labels: map[string]string{
			"kubernetes.io/hostname": r.name,
			"kubernetes.io/os":       "linux",
			"kubernetes.io/arch":     runtime.GOARCH,
		}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: runnerTaint, Effect: corev1.TaintEffectNoSchedule}}},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create node %s: %w", r.name, err)
	}
	r.uid = node.UID
	if err := r.setNodeStatus(ctx); err != nil {
		return err
	}
	return r.renewLease(ctx)
}

// setNodeStatus reports the node Ready, with room for many pods. Its only
// address is 127.0.0.1 (no Hostname address: the apiserver would resolve
// it), so nothing ever tries to reach it elsewhere.
func (r *runner) setNodeStatus(ctx context.Context) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := r.cs.CoreV1().Nodes().Get(ctx, r.name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		now := metav1.Now()
		room := corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse("8"),
			corev1.ResourceMemory:           resource.MustParse("16Gi"),
			corev1.ResourcePods:             resource.MustParse("110"),
			corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
		}
		st := &node.Status
		st.Capacity, st.Allocatable = room, room
		st.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
		st.DaemonEndpoints.KubeletEndpoint.Port = int32(r.logs.Listener.Addr().(*net.TCPAddr).Port)
		st.NodeInfo = corev1.NodeSystemInfo{OperatingSystem: "linux", Architecture: runtime.GOARCH, KubeletVersion: "kwait-e2e-runner"}
		for _, c := range []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "the e2e test process runs this node's pods"},
			{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory"},
			{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure"},
			{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID"},
		} {
			c.LastHeartbeatTime, c.LastTransitionTime = now, now
			for _, old := range st.Conditions {
				if old.Type == c.Type && old.Status == c.Status {
					c.LastTransitionTime = old.LastTransitionTime
				}
			}
			st.Conditions = setNodeCondition(st.Conditions, c)
		}
		_, err = r.cs.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
		return err
	})
}

func setNodeCondition(cs []corev1.NodeCondition, c corev1.NodeCondition) []corev1.NodeCondition {
	for i := range cs {
		if cs[i].Type == c.Type {
			cs[i] = c
			return cs
		}
	}
	return append(cs, c)
}

// renewLease renews (or creates) the node's Lease in kube-node-lease, the
// heartbeat the node lifecycle controller reads. The Node owns it, so it
// goes with the Node.
func (r *runner) renewLease(ctx context.Context) error {
	leases := r.cs.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	lease, err := leases.Get(ctx, r.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		duration := int32(40)
		_, err = leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: r.name, Namespace: corev1.NamespaceNodeLease, OwnerReferences: []metav1.OwnerReference{
				{APIVersion: "v1", Kind: "Node", Name: r.name, UID: r.uid},
			}},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &r.name, LeaseDurationSeconds: &duration, RenewTime: &now},
		}, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	lease.Spec.RenewTime = &now
	_, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
	return err
}

// heartbeat renews the Lease every runnerHeartbeat and reports the node's
// status every minute, as a kubelet does, until the runner stops.
func (r *runner) heartbeat() {
	defer r.wg.Done()
	tick := time.NewTicker(runnerHeartbeat)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-r.ctx.Done():
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(r.ctx, runnerHeartbeat)
		if err := r.renewLease(ctx); err != nil && r.ctx.Err() == nil {
			r.logf("renew lease: %v", err)
		}
		if n%12 == 0 {
			if err := r.setNodeStatus(ctx); err != nil && r.ctx.Err() == nil {
				r.logf("node status: %v", err)
			}
		}
		cancel()
	}
}

// awaitSchedulable waits until the node is Ready and carries no taint but
// runnerTaint: the apiserver taints a new node not-ready, and the node
// lifecycle controller lifts that once it sees the Ready condition.
func (r *runner) awaitSchedulable() error {
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Minute)
	defer cancel()
	lw := cache.NewFilteredListWatchFromClient(r.cs.CoreV1().RESTClient(), "nodes", "", func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("metadata.name", r.name).String()
	})
	var last *corev1.Node
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.Node{}, nil, func(e watch.Event) (bool, error) {
		node, ok := e.Object.(*corev1.Node)
		if !ok {
			return false, nil
		}
		last = node
		ready := false
		for _, c := range node.Status.Conditions {
			ready = ready || (c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue)
		}
		return ready && len(node.Spec.Taints) == 1 && node.Spec.Taints[0].Key == runnerTaint, nil
	})
	if err != nil {
		return fmt.Errorf("node %s not Ready and untainted: %w (last seen: taints %v, conditions %v)", r.name, err, taintsOf(last), conditionsOf(last))
	}
	return nil
}

func taintsOf(n *corev1.Node) any {
	if n == nil {
		return nil
	}
	return n.Spec.Taints
}

func conditionsOf(n *corev1.Node) any {
	if n == nil {
		return nil
	}
	return n.Status.Conditions
}
