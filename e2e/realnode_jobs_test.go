//go:build e2e

package e2e

import (
	"context"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

// jobPodLabel is the label the Job controller puts on a Job's pods.
const jobPodLabel = "batch.kubernetes.io/job-name"

// podEnd is how one pod of a Job ended, as the kubelet reported it.
type podEnd struct {
	pod, node string
	code      int32
	message   string
}

// jobRuns keeps, from the moment watchJobs starts it, the last state of
// every pod of every Job in a namespace, deleted pods included: Helm
// deletes a hook Job the moment it succeeds (the chart's default delete
// policy), and its pod with it, so only a watch sees how it ended.
type jobRuns struct {
	ns      string
	mu      sync.Mutex
	pods    map[types.UID]*corev1.Pod
	changed chan struct{} // closed and replaced whenever pods changes
}

// watchJobs starts a jobRuns for ns; it stops when the test ends.
func watchJobs(t *testing.T, ns string) *jobRuns {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", env.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &jobRuns{ns: ns, pods: map[types.UID]*corev1.Pod{}, changed: make(chan struct{})}
	lw := cache.NewFilteredListWatchFromClient(cs.CoreV1().RESTClient(), "pods", ns, func(o *metav1.ListOptions) {
		o.LabelSelector = jobPodLabel
	})
	informer := cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{})
	record := func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		pod, ok := obj.(*corev1.Pod)
		if !ok {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.pods[pod.UID] = pod
		close(r.changed)
		r.changed = make(chan struct{})
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    record,
		UpdateFunc: func(_, obj any) { record(obj) },
		DeleteFunc: record,
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan struct{})
	go func() {
		defer close(done)
		informer.RunWithContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	sync, syncCancel := context.WithTimeout(ctx, time.Minute)
	defer syncCancel()
	if !cache.WaitForCacheSync(sync.Done(), informer.HasSynced) {
		t.Fatalf("pods of %s: watch not synced in a minute", ns)
	}
	return r
}

// ended returns how the pods of Job job that ran to their end did, in the
// order they were created.
func (r *jobRuns) ended(job string) []podEnd {
	r.mu.Lock()
	defer r.mu.Unlock()
	var pods []*corev1.Pod
	for _, pod := range r.pods {
		if pod.Labels[jobPodLabel] == job && len(pod.Status.ContainerStatuses) == 1 &&
			pod.Status.ContainerStatuses[0].State.Terminated != nil {
			pods = append(pods, pod)
		}
	}
	slices.SortFunc(pods, func(a, b *corev1.Pod) int { return a.CreationTimestamp.Compare(b.CreationTimestamp.Time) })
	ends := make([]podEnd, len(pods))
	for i, pod := range pods {
		term := pod.Status.ContainerStatuses[0].State.Terminated
		ends[i] = podEnd{pod.Name, pod.Spec.NodeName, term.ExitCode, term.Message}
	}
	return ends
}

// awaitSucceeded blocks until n pods of Job job have ended, and fails the
// test unless each of them ran on node and exited 0.
func (r *jobRuns) awaitSucceeded(t *testing.T, node, job string, n int) {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		r.mu.Lock()
		changed := r.changed
		r.mu.Unlock()
		ends := r.ended(job)
		if len(ends) >= n {
			if len(ends) > n {
				t.Errorf("job %s/%s: %d pods ended, want %d: %+v", r.ns, job, len(ends), n, ends)
			}
			for _, e := range ends {
				if e.node != node || e.code != 0 {
					t.Errorf("job %s/%s: pod %s ran on %q and exited %d (%q), want node %s and 0", r.ns, job, e.pod, e.node, e.code, e.message, node)
				}
			}
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("job %s/%s: %d pods ended in time, want %d: %+v", r.ns, job, len(ends), n, ends)
		}
	}
}

// followJob waits until Job ns/job's pod runs its container, then follows
// that container's log through the apiserver (`kubectl logs -f`, served by
// the real node's kubelet) until the container ends.
func followJob(t *testing.T, ns, job string) *proc {
	t.Helper()
	kubectl(t, "", "-n", ns, "wait", "job/"+job, "--for=create", "--timeout=2m")
	kubectl(t, "", "-n", ns, "wait", "pods", "-l", jobPodLabel+"="+job,
		"--for=jsonpath={.status.containerStatuses[0].started}=true", "--timeout=2m")
	return launch(t, kubectlCmd("-n", ns, "logs", "-f", "job/"+job))
}

// kubectlCmd is kubectl as the cluster admin, for a test to start.
func kubectlCmd(args ...string) *exec.Cmd {
	return exec.Command(env.kubectl, append([]string{"--kubeconfig", env.kubeconfig}, args...)...)
}
