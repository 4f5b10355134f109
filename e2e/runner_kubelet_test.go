//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/tools/cache"
)

// The runner node's kubelet side (see runner_test.go): which pods it runs
// and deletes, their output, and the containerLogs endpoint serving it.

// watchPods runs an informer on the pods bound to the node: a new pod is
// run, a pod being deleted has its process killed and is then deleted for
// good (grace period 0), as the kubelet does.
func (r *runner) watchPods() error {
	lw := cache.NewFilteredListWatchFromClient(r.cs.CoreV1().RESTClient(), "pods", "", func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", r.name).String()
	})
	informer := cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{})
	sync := func(obj any) {
		if pod, ok := obj.(*corev1.Pod); ok {
			r.sync(pod)
		}
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    sync,
		UpdateFunc: func(_, obj any) { sync(obj) },
	}); err != nil {
		return err
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		informer.RunWithContext(r.ctx)
	}()
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		return fmt.Errorf("pods of node %s: informer did not sync", r.name)
	}
	return nil
}

// sync acts on one pod's latest state. It never blocks: the work runs in
// goroutines of its own.
func (r *runner) sync(pod *corev1.Pod) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx.Err() != nil {
		return
	}
	run := r.pods[pod.UID]
	switch {
	case pod.DeletionTimestamp != nil:
		if run == nil {
			run = &podRun{ns: pod.Namespace, name: pod.Name, cancel: func() {}, done: make(chan struct{})}
			close(run.done)
			r.pods[pod.UID] = run
		}
		if !run.deleting {
			run.deleting = true
			run.cancel()
			r.wg.Add(1)
			go r.remove(pod, run)
		}
	case run != nil, pod.Status.Phase == corev1.PodSucceeded, pod.Status.Phase == corev1.PodFailed:
	default:
		ctx, cancel := context.WithCancel(r.ctx)
		run = &podRun{ns: pod.Namespace, name: pod.Name, job: pod.Labels["batch.kubernetes.io/job-name"],
			cancel: cancel, done: make(chan struct{})}
		r.pods[pod.UID] = run
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer close(run.done)
			defer cancel()
			r.run(ctx, pod.DeepCopy(), run)
		}()
	}
}

// remove deletes a pod being deleted for good once its process has ended.
func (r *runner) remove(pod *corev1.Pod, run *podRun) {
	defer r.wg.Done()
	<-run.done
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	zero := int64(0)
	err := r.cs.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) && r.ctx.Err() == nil {
		r.logf("delete pod %s/%s: %v", pod.Namespace, pod.Name, err)
	}
}

// write appends to a pod's output and wakes await.
func (r *runner) write(run *podRun, b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	run.out.Write(b)
	close(r.changed)
	r.changed = make(chan struct{})
}

// podWriter is the stdout and stderr of a pod's containers.
type podWriter struct {
	r   *runner
	run *podRun
}

func (w podWriter) Write(b []byte) (int, error) {
	w.r.write(w.run, b)
	return len(b), nil
}

// output is what the pods of Job job in ns printed so far, pod by pod
// (job "": the pods of no Job).
func (r *runner) output(ns, job string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var runs []*podRun
	for _, run := range r.pods {
		if run.ns == ns && run.job == job {
			runs = append(runs, run)
		}
	}
	slices.SortFunc(runs, func(a, b *podRun) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for _, run := range runs {
		fmt.Fprintf(&b, "--- pod %s/%s\n%s", ns, run.name, run.out.String())
	}
	return b.String()
}

// await blocks until a pod of Job job in ns prints a line containing every
// one of want.
func (r *runner) await(t *testing.T, ns, job string, want ...string) string {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		r.mu.Lock()
		for _, run := range r.pods {
			if run.ns != ns || run.job != job {
				continue
			}
			for line := range strings.Lines(run.out.String()) {
				if containsAll(line, want) {
					r.mu.Unlock()
					return line
				}
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no pod of job %s/%s printed %q in time; output:\n%s", ns, job, want, r.output(ns, job))
		}
	}
}

// serveLogs serves the kubelet's containerLogs endpoint on 127.0.0.1, so
// `kubectl logs` and Helm's output of a failed hook's logs get what the
// pod printed (the apiserver does not verify a kubelet's certificate unless
// told a CA, and this cluster is not). Every container of a pod gets the
// pod's output; no query parameter is honoured.
func (r *runner) serveLogs() {
	r.logs = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// /containerLogs/NAMESPACE/POD/CONTAINER
		parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/containerLogs/"), "/")
		if !strings.HasPrefix(req.URL.Path, "/containerLogs/") || len(parts) != 3 {
			http.NotFound(w, req)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, run := range r.pods {
			if run.ns == parts[0] && run.name == parts[1] {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = w.Write(run.out.Bytes())
				return
			}
		}
		http.NotFound(w, req)
	}))
	r.logs.StartTLS() // on 127.0.0.1
}
