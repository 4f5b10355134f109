//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

// How the runner node runs a pod (see runner_test.go): each container is
// the built kwait, started the way the container runtime would start the
// kwait image (entrypoint /kwait, the container's args, as its user: the
// securityContext's or the image's 65532), in a private mount namespace
// where the pod's volumes are mounted at their mountPaths and an empty file
// at the container's terminationMessagePath. Whatever the runner
// cannot run the way a kubelet would (another image, init containers,
// envFrom, $(VAR) references, other volume types) fails the pod with a
// message saying so, never silently differently.

// maxTerminationMessage is the kubelet's limit on a container's message.
const maxTerminationMessage = 4096

// containerResult is how one container ended.
type containerResult struct {
	name, image       string
	code              int32
	reason, message   string
	started, finished metav1.Time
}

// run runs pod to its end and reports its phase.
func (r *runner) run(ctx context.Context, pod *corev1.Pod, run *podRun) {
	dir, err := os.MkdirTemp("", "kwait-runner-")
	if err != nil {
		r.finish(pod, r.cannotRun(pod, err))
		return
	}
	defer os.RemoveAll(dir)
	if len(pod.Spec.InitContainers) > 0 {
		r.finish(pod, r.cannotRun(pod, errors.New("init containers are not supported")))
		return
	}
	if err := r.volumes(ctx, pod, filepath.Join(dir, "volumes")); err != nil {
		r.finish(pod, r.cannotRun(pod, err))
		return
	}
	started := metav1.Now()
	r.updateStatus(pod, func(st *corev1.PodStatus) { runningStatus(st, pod, started) })
	results := make([]containerResult, len(pod.Spec.Containers))
	var wg sync.WaitGroup
	for i, c := range pod.Spec.Containers {
		wg.Go(func() { results[i] = r.container(ctx, pod, c, dir, run) })
	}
	wg.Wait()
	r.finish(pod, results)
}

// cannotRun is the result of every container of a pod the runner could
// not start: exit code 128, as a runtime reports a container it could not
// start, with the reason as its message.
func (r *runner) cannotRun(pod *corev1.Pod, err error) []containerResult {
	now := metav1.Now()
	var results []containerResult
	for _, c := range pod.Spec.Containers {
		results = append(results, containerResult{name: c.Name, image: c.Image, code: 128, reason: "StartError",
			message: "e2e runner node: " + err.Error(), started: now, finished: now})
	}
	return results
}

// container runs one container to its end.
func (r *runner) container(ctx context.Context, pod *corev1.Pod, c corev1.Container, dir string, run *podRun) containerResult {
	res := containerResult{name: c.Name, image: c.Image, started: metav1.Now()}
	fail := func(err error) containerResult {
		res.code, res.reason, res.message, res.finished = 128, "StartError", "e2e runner node: "+err.Error(), metav1.Now()
		return res
	}
	args, err := kwaitArgs(c)
	if err != nil {
		return fail(err)
	}
	environ, err := r.containerEnv(ctx, pod, c)
	if err != nil {
		return fail(err)
	}
	// Written by kwait as the container's user, as the runtime's file is.
	termLog := filepath.Join(dir, "termination-log-"+c.Name)
	if err := os.WriteFile(termLog, nil, 0o666); err != nil {
		return fail(err)
	}
	if err := os.Chmod(termLog, 0o666); err != nil {
		return fail(err)
	}
	started := filepath.Join(dir, "started-"+c.Name)
	script, err := mountScript(c, filepath.Join(dir, "volumes"), termLog, started)
	if err != nil {
		return fail(err)
	}
	uid, gid := runAs(pod, c)
	script += fmt.Sprintf("\nexec setpriv --reuid=%d --regid=%d --clear-groups \"$@\"", uid, gid)
	cmd := exec.CommandContext(ctx, "unshare", append([]string{"--mount", "--propagation", "private", "sh", "-c", script, "sh"}, args...)...)
	cmd.Env = environ
	cmd.Stdout, cmd.Stderr = podWriter{r, run}, podWriter{r, run}
	// Killed (the pod deleted, the runner stopped): TERM, then KILL, as a
	// kubelet stops a container.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	res.finished = metav1.Now()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.code = int32(exit.ExitCode())
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.code = 128 + int32(ws.Signal())
		}
	default:
		return fail(fmt.Errorf("start %s: %w", c.Name, err))
	}
	if _, err := os.Stat(started); err != nil {
		return fail(fmt.Errorf("container %s: mounting its volumes failed (exit %d): %s", c.Name, res.code, tail(r.outputOf(run), 2048)))
	}
	res.reason = "Completed"
	if res.code != 0 {
		res.reason = "Error"
	}
	msg, err := os.ReadFile(termLog)
	if err != nil {
		return fail(err)
	}
	if len(msg) == 0 && res.code != 0 && c.TerminationMessagePolicy == corev1.TerminationMessageFallbackToLogsOnError {
		msg = []byte(tail(r.outputOf(run), 2048))
	}
	res.message = string(msg[:min(len(msg), maxTerminationMessage)])
	return res
}

func (r *runner) outputOf(run *podRun) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return run.out.String()
}

// tail is the end of s, at most n bytes and 80 lines (the kubelet's
// FallbackToLogsOnError).
func tail(s string, n int) string {
	s = s[max(0, len(s)-n):]
	if lines := strings.Split(s, "\n"); len(lines) > 80 {
		s = strings.Join(lines[len(lines)-80:], "\n")
	}
	return s
}

// kwaitArgs are the arguments the kwait image's entrypoint gets from
// container c. Only the kwait image is run: its entrypoint /kwait, or a
// command naming it.
func kwaitArgs(c corev1.Container) ([]string, error) {
	ref := c.Image
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref = ref[:i]
	}
	if path.Base(ref) != "kwait" {
		return nil, fmt.Errorf("container %s: image %s is not kwait's; the runner runs only kwait", c.Name, c.Image)
	}
	args := c.Args
	if len(c.Command) > 0 {
		if c.Command[0] != "/kwait" {
			return nil, fmt.Errorf("container %s: command %q: the runner runs only /kwait", c.Name, c.Command)
		}
		args = append(slices.Clone(c.Command[1:]), c.Args...)
	}
	for _, a := range args {
		if strings.Contains(a, "$(") {
			return nil, fmt.Errorf("container %s: argument %q: $(VAR) references are not supported", c.Name, a)
		}
	}
	return append([]string{env.kwait}, args...), nil
}

// runAs is the user and group container c runs as: its securityContext's,
// else its pod's, else the kwait image's USER 65532:65532.
func runAs(pod *corev1.Pod, c corev1.Container) (int64, int64) {
	uid, gid := int64(65532), int64(65532)
	if sc := pod.Spec.SecurityContext; sc != nil {
		uid, gid = ptrOr(sc.RunAsUser, uid), ptrOr(sc.RunAsGroup, gid)
	}
	if sc := c.SecurityContext; sc != nil {
		uid, gid = ptrOr(sc.RunAsUser, uid), ptrOr(sc.RunAsGroup, gid)
	}
	return uid, gid
}

func ptrOr(p *int64, def int64) int64 {
	if p == nil {
		return def
	}
	return *p
}

// containerEnv is container c's environment: what a container runtime and
// the kubelet set (PATH, HOSTNAME, HOME, KUBERNETES_SERVICE_HOST/PORT, here
// the real apiserver), then c's env in order, a later variable overriding
// an earlier one.
func (r *runner) containerEnv(ctx context.Context, pod *corev1.Pod, c corev1.Container) ([]string, error) {
	u, err := url.Parse(env.apiserver)
	if err != nil {
		return nil, err
	}
	environ := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=" + pod.Name, "HOME=/",
		"KUBERNETES_SERVICE_HOST=" + u.Hostname(), "KUBERNETES_SERVICE_PORT=" + u.Port()}
	if len(c.EnvFrom) > 0 {
		return nil, fmt.Errorf("container %s: envFrom is not supported", c.Name)
	}
	for _, e := range c.Env {
		v := e.Value
		switch {
		case e.ValueFrom != nil:
			if v, err = r.envValue(ctx, pod, e.ValueFrom); err != nil {
				return nil, fmt.Errorf("container %s: env %s: %w", c.Name, e.Name, err)
			}
		case strings.Contains(v, "$("):
			return nil, fmt.Errorf("container %s: env %s: $(VAR) references are not supported", c.Name, e.Name)
		}
		environ = append(environ, e.Name+"="+v)
	}
	return environ, nil
}

func (r *runner) envValue(ctx context.Context, pod *corev1.Pod, from *corev1.EnvVarSource) (string, error) {
	switch {
	case from.FieldRef != nil:
		return fieldValue(pod, from.FieldRef.FieldPath)
	case from.ConfigMapKeyRef != nil:
		files, err := r.configMapFiles(ctx, pod.Namespace, from.ConfigMapKeyRef.Name, from.ConfigMapKeyRef.Optional,
			[]corev1.KeyToPath{{Key: from.ConfigMapKeyRef.Key, Path: "v"}})
		return string(files["v"]), err
	case from.SecretKeyRef != nil:
		files, err := r.secretFiles(ctx, pod.Namespace, from.SecretKeyRef.Name, from.SecretKeyRef.Optional,
			[]corev1.KeyToPath{{Key: from.SecretKeyRef.Key, Path: "v"}})
		return string(files["v"]), err
	}
	return "", errors.New("only fieldRef, configMapKeyRef and secretKeyRef are supported")
}

// fieldValue is a downward API field of pod.
func fieldValue(pod *corev1.Pod, field string) (string, error) {
	switch field {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	}
	return "", fmt.Errorf("field %s is not supported", field)
}

// updateStatus changes pod's status with mutate, on its latest version.
// Nothing is written once the runner stops, and a pod gone meanwhile is
// left alone.
func (r *runner) updateStatus(pod *corev1.Pod, mutate func(*corev1.PodStatus)) {
	if r.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	pods := r.cs.CoreV1().Pods(pod.Namespace)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p, err := pods.Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.UID != pod.UID {
			return nil // another pod of the same name
		}
		mutate(&p.Status)
		_, err = pods.UpdateStatus(ctx, p, metav1.UpdateOptions{})
		return err
	})
	if err != nil && !apierrors.IsNotFound(err) && r.ctx.Err() == nil {
		r.logf("status of pod %s/%s: %v", pod.Namespace, pod.Name, err)
	}
}

func runningStatus(st *corev1.PodStatus, pod *corev1.Pod, started metav1.Time) {
	st.Phase = corev1.PodRunning
	st.HostIP = "127.0.0.1"
	st.HostIPs = []corev1.HostIP{{IP: "127.0.0.1"}}
	st.StartTime = &started
	for _, t := range []corev1.PodConditionType{corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
		setPodCondition(st, corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: started})
	}
	st.ContainerStatuses = nil
	yes := true
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: c.Image, ContainerID: containerID(pod, c.Name), Ready: true, Started: &yes,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}},
		})
	}
}

// finish reports the pod's end: Succeeded when every container exited 0,
// else Failed; each container's exit code and termination message.
func (r *runner) finish(pod *corev1.Pod, results []containerResult) {
	r.updateStatus(pod, func(st *corev1.PodStatus) {
		now := metav1.Now()
		st.Phase = corev1.PodSucceeded
		st.ContainerStatuses = nil
		no := false
		for _, res := range results {
			if res.code != 0 {
				st.Phase = corev1.PodFailed
			}
			st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
				Name: res.name, Image: res.image, ImageID: res.image, ContainerID: containerID(pod, res.name), Started: &no,
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					ExitCode: res.code, Reason: res.reason, Message: res.message,
					StartedAt: res.started, FinishedAt: res.finished, ContainerID: containerID(pod, res.name)}},
			})
		}
		if st.StartTime == nil {
			st.StartTime = &now
		}
		for _, t := range []corev1.PodConditionType{corev1.ContainersReady, corev1.PodReady} {
			setPodCondition(st, corev1.PodCondition{Type: t, Status: corev1.ConditionFalse, Reason: "PodCompleted", LastTransitionTime: now})
		}
	})
}

func containerID(pod *corev1.Pod, name string) string {
	return "e2e-runner://" + string(pod.UID) + "/" + name
}

func setPodCondition(st *corev1.PodStatus, c corev1.PodCondition) {
	for i := range st.Conditions {
		if st.Conditions[i].Type == c.Type {
			if st.Conditions[i].Status == c.Status {
				c.LastTransitionTime = st.Conditions[i].LastTransitionTime
			}
			st.Conditions[i] = c
			return
		}
	}
	st.Conditions = append(st.Conditions, c)
}
