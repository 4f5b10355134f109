//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests in this file fault the control plane under a waiting kwait:
// the apiserver goes away and comes back, a watch's resourceVersion expires,
// the object is deleted or rolled out again, a permission arrives late; and
// that kwait ends on time, and refuses a kubeconfig it cannot use. Tests
// that stop the apiserver or measure time do not call t.Parallel, so they
// run alone, before the parallel tests start.

// nowhere makes a pod template unschedulable: no node has this label.
const nowhere = "      nodeSelector: {kwait.dev/nowhere: \"true\"}\n"

// clusterScript runs e2e/cluster/cluster.sh with the test's environment,
// which carries the E2E_* variables naming this cluster's state dir and
// ports. It does not use t.Context: it also runs from t.Cleanup.
func clusterScript(t *testing.T, args ...string) error {
	t.Helper()
	root, err := filepath.Abs("..") // go test runs in e2e/
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "e2e", "cluster", "cluster.sh"), args...)
	cmd.Env = append(os.Environ(), "E2E_CLUSTER_DIR="+env.dir)
	out, err := cmd.CombinedOutput()
	t.Logf("cluster.sh %s: %s", strings.Join(args, " "), strings.TrimSpace(string(out)))
	if err != nil {
		return fmt.Errorf("cluster.sh %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// stopAPIServer stops kube-apiserver. A cleanup starts it again, also when
// the test fails on the way, and waits until the control plane works.
func stopAPIServer(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		err := clusterScript(t, "start-apiserver")
		if err == nil {
			err = awaitReadyz()
		}
		if err == nil {
			began := time.Now()
			err = awaitControlPlane()
			t.Logf("controllers working again %s after the apiserver was ready", time.Since(began).Round(time.Millisecond))
		}
		if err != nil {
			t.Errorf("restoring the apiserver: %v", err)
		}
	})
	if err := clusterScript(t, "stop-apiserver"); err != nil {
		t.Fatal(err)
	}
}

// settleYAML adds to a Deployment and a Job one object of every other
// kind the suite waits on.
const settleYAML = `
---
{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: settle, namespace: NAMESPACE}, spec: {serviceName: settle,
  selector: {matchLabels: {app: settle-sts}}, template: {metadata: {labels: {app: settle-sts}}, spec: {containers: [{name: c, image: c:v1}]}}}}
---
{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: settle, namespace: NAMESPACE}, spec: {
  selector: {matchLabels: {app: settle-ds}}, template: {metadata: {labels: {app: settle-ds}}, spec: {containers: [{name: c, image: c:v1}]}}}}
---
{apiVersion: v1, kind: Service, metadata: {name: settle, namespace: NAMESPACE}, spec: {selector: {app: settle}, ports: [{port: 80}]}}
`

// awaitControlPlane returns once the controllers work again after an
// apiserver restart. Their informers reconnect on their own backoff, up to
// a minute later, and the tests that follow expect workloads to roll out
// promptly; so it waits (with kwait) for one object of each kind the suite
// uses, in a namespace of its own.
func awaitControlPlane() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ns := fmt.Sprintf("kwait-settle-%04x", rand.IntN(1<<16))
	kc := func(stdin string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, env.kubectl, append([]string{"--kubeconfig", env.kubeconfig, "-n", ns}, args...)...)
		cmd.Stdin = strings.NewReader(strings.ReplaceAll(stdin, "NAMESPACE", ns))
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	if _, err := kc("", "create", "namespace", ns); err != nil {
		return err
	}
	defer func() { _, _ = kc("", "delete", "namespace", ns, "--wait=false") }()
	if _, err := kc(deploymentYAML("settle", 1, "")+"---"+jobYAML("settle", "")+settleYAML, "apply", "-f", "-"); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, env.kwait, "deployment/settle", "statefulset/settle", "daemonset/settle", "job/settle",
		"service/settle", "-n", ns, "--kubeconfig", env.kubeconfig, "--timeout", "150s")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "KWAIT_LOG_FORMAT=json"}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("the controllers did not recover from the restart: %w\n%s", err, out)
	}
	// Creating an EndpointSlice needs no slice informer, but updating one
	// does: the controller will not write over a slice its informer has not
	// seen yet. So a second ready pod must reach the slice too.
	if _, err := kc("", "scale", "deployment", "settle", "--replicas=2"); err != nil {
		return err
	}
	var ready string
	err := poll(ctx, func() bool {
		ready, _ = kc("", "get", "endpointslices", "-l", "kubernetes.io/service-name=settle",
			"-o", "jsonpath={.items[*].endpoints[*].conditions.ready}")
		return ready == "true true"
	})
	if err != nil {
		return fmt.Errorf("the EndpointSlice controller did not recover from the restart: ready endpoints %q", ready)
	}
	return nil
}

// poll calls check every 250ms until it returns true or ctx ends.
func poll(ctx context.Context, check func() bool) error {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for !check() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// startAPIServer starts kube-apiserver after stopAPIServer and returns once
// /readyz says ok.
func startAPIServer(t *testing.T) {
	t.Helper()
	if err := clusterScript(t, "start-apiserver"); err != nil {
		t.Fatal(err)
	}
	if err := awaitReadyz(); err != nil {
		t.Fatal(err)
	}
}

// awaitReadyz polls the apiserver's /readyz as admin until it answers ok,
// for at most two minutes.
func awaitReadyz() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out []byte
	err := poll(ctx, func() bool {
		out, _ = exec.CommandContext(ctx, env.kubectl, "--kubeconfig", env.kubeconfig,
			"get", "--raw", "/readyz", "--request-timeout=5s").CombinedOutput()
		return strings.TrimSpace(string(out)) == "ok"
	})
	if err != nil {
		return fmt.Errorf("apiserver not ready after 2m: %s", out)
	}
	return nil
}

// reasonCount counts kwait's "waiting" log lines for target whose reason
// starts with prefix.
func reasonCount(out, target, prefix string) int {
	n := 0
	for line := range strings.Lines(out) {
		var l struct{ Msg, Target, Reason string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "waiting" && l.Target == target && strings.HasPrefix(l.Reason, prefix) {
			n++
		}
	}
	return n
}

// awaitEach blocks until kwait has printed, in any order, a line containing
// all the strings of each entry of wants.
func (p *proc) awaitEach(t *testing.T, wants ...[]string) {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	left := append([][]string(nil), wants...)
	for len(left) > 0 {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("kwait exited (code %d) before printing %q; output:\n%s", p.code, left, p.output())
			}
			for i, want := range left {
				if containsAll(line, want) {
					left = append(left[:i], left[i+1:]...)
					break
				}
			}
		case <-deadline:
			t.Fatalf("kwait did not print %q in time; output:\n%s", left, p.output())
		}
	}
}

// running fails the test if kwait has exited.
func (p *proc) running(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
		t.Fatalf("kwait exited (code %d) while it should still wait; output:\n%s", p.code, p.output())
	default:
	}
}

// TestAPIServerRestart stops the apiserver for a while under two waiting
// kwaits, and starts it again:
//   - one waits on a CRD, a Deployment and a custom resource, none of which
//     exist yet; they are created after the restart;
//   - one watches a stuck Deployment while other writes move etcd's
//     revision on, so the restarted apiserver's fresh watch cache answers a
//     watch from kwait's resourceVersion with 410 Gone; the Deployment is
//     made ready right after the restart.
//
// Both must keep waiting through the outage, say once per target that the
// apiserver is unreachable, and succeed; the second must have listed again
// rather than resumed blind. One outage serves both because every restart
// soon after another makes the controller-manager's informers back off
// longer (up to a minute), which would slow every later test.
func TestAPIServerRestart(t *testing.T) {
	ns := namespace(t)
	group := uniqueGroup(ns)
	crd := "gizmos." + group
	deleteCRD(t, crd)
	apply(t, ns, deploymentYAML("stuck", 1, "")+nowhere)
	crdTarget, deployTarget, crTarget := "crd/"+crd, "deployment/"+ns+"/api", crd+"/"+ns+"/main"
	stuckTarget := "deployment/" + ns + "/stuck"
	mixed := start(t, crdTarget, deployTarget, crTarget+":condition=Ready", "--timeout", "3m")
	stuck := start(t, stuckTarget, "--timeout", "3m")
	mixed.awaitEach(t, []string{crdTarget, "not found"}, []string{deployTarget, "not found"},
		[]string{crTarget, "CRD " + crd + ": not found"})
	stuck.await(t, stuckTarget, "available replicas 0/1")
	for i := range 5 {
		kubectl(t, "", "-n", ns, "create", "configmap", fmt.Sprintf("bump-%d", i))
	}

	stopAPIServer(t)
	stopped := time.Now()
	down := `"reason":"apiserver unreachable`
	mixed.awaitEach(t, []string{crdTarget, down}, []string{deployTarget, down}, []string{crTarget, down})
	stuck.await(t, stuckTarget, down)
	// The outage lasts a while after kwait noticed it: a deliberate fault
	// length, during which neither kwait may give up.
	select {
	case <-mixed.done:
		t.Fatalf("kwait exited (code %d) during the outage; output:\n%s", mixed.code, mixed.output())
	case <-stuck.done:
		t.Fatalf("kwait exited (code %d) during the outage; output:\n%s", stuck.code, stuck.output())
	case <-time.After(5 * time.Second):
	}
	startAPIServer(t)
	restarted := time.Now()
	t.Logf("apiserver down for %s", restarted.Sub(stopped).Round(time.Millisecond))

	kubectl(t, "", "-n", ns, "patch", "deployment", "stuck", "--type=json",
		"-p", `[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]`)
	apply(t, "", crdYAML("gizmos", group))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/"+crd, "--timeout=60s")
	apply(t, ns, deploymentYAML("api", 1, "")+"---\n"+customResource(group, "Gizmo", "main"))
	setStatus(t, ns, crd, "main", `{"conditions":[{"type":"Ready","status":"True","reason":"Done","lastTransitionTime":"2026-01-01T00:00:00Z","message":""}]}`)
	mixedOut := mixed.expect(t, 0)
	stuckOut := stuck.expect(t, 0)
	t.Logf("both waits ready %s after the apiserver was", time.Since(restarted).Round(time.Millisecond))
	for _, c := range []struct{ out, target string }{
		{mixedOut, crdTarget}, {mixedOut, deployTarget}, {mixedOut, crTarget}, {stuckOut, stuckTarget},
	} {
		if n := reasonCount(c.out, c.target, "apiserver unreachable"); n != 1 {
			t.Errorf("%s: logged %d 'apiserver unreachable' reasons for one outage, want 1; output:\n%s", c.target, n, c.out)
		}
	}

	counts, seen := kwaitRequests(t, "/namespaces/"+ns+"/deployments?", "fieldSelector=metadata.name%3Dstuck")
	_, streams := kwaitRequests(t, "/namespaces/"+ns+"/deployments?", "fieldSelector=metadata.name%3Dstuck", "sendInitialEvents=true")
	// The initial state comes from a LIST, or from a streaming list (a
	// WATCH with sendInitialEvents) where the apiserver serves them.
	if lists := counts["list ResponseComplete"] + strings.Count(streams, " ResponseStarted "); lists < 2 {
		t.Errorf("kwait asked %d times for the initial state of %s, want at least 2 (the first, and one after its watch expired); its requests:\n%s",
			lists, stuckTarget, seen)
	}
}

// kwaitRequests reads the audit log for kwait's requests whose URI
// contains every one of want. It returns how many there were of each verb
// and stage ("list ResponseComplete", "watch ResponseStarted"), and all of
// them, one per line.
func kwaitRequests(t *testing.T, want ...string) (map[string]int, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(env.dir, "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	counts, seen := map[string]int{}, ""
	for line := range strings.Lines(string(b)) {
		var e struct{ Verb, RequestURI, UserAgent, Stage, StageTimestamp string }
		if !strings.Contains(line, `"kwait/`) || json.Unmarshal([]byte(line), &e) != nil ||
			!strings.HasPrefix(e.UserAgent, "kwait/") || !containsAll(e.RequestURI, want) {
			continue
		}
		seen += e.StageTimestamp + " " + e.Stage + " " + e.Verb + " " + e.RequestURI + "\n"
		counts[e.Verb+" "+e.Stage]++
	}
	return counts, seen
}

// TestDeploymentDeletedAndRecreated: the object kwait waits on disappears and
// comes back healthy.
func TestDeploymentDeletedAndRecreated(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("api", 1, "")+nowhere)
	name := "deployment/" + ns + "/api"
	p := start(t, name, "--timeout", "2m")
	p.await(t, name, "available replicas 0/1")
	kubectl(t, "", "-n", ns, "delete", "deployment", "api")
	p.await(t, name, `"reason":"not found"`)
	p.running(t)
	apply(t, ns, deploymentYAML("api", 1, ""))
	p.expect(t, 0)
}

// TestDeploymentRolledOutAgain: a stuck rollout (generation 2) is replaced by
// a new one that can run (generation 3); kwait exits only once that one has
// finished.
func TestDeploymentRolledOutAgain(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("api", 2, ""))
	kubectl(t, "", "-n", ns, "rollout", "status", "deployment/api", "--timeout=60s")
	kubectl(t, "", "-n", ns, "patch", "deployment", "api", "--type=merge",
		"-p", `{"spec":{"template":{"spec":{"nodeSelector":{"kwait.dev/nowhere":"true"}}}}}`)
	name := "deployment/" + ns + "/api"
	p := start(t, name, "--timeout", "2m")
	p.await(t, name, "updated replicas 1/2")
	p.running(t)
	kubectl(t, "", "-n", ns, "patch", "deployment", "api", "--type=json", "-p",
		`[{"op":"remove","path":"/spec/template/spec/nodeSelector"},{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"app:v3"}]`)
	p.expect(t, 0)
	got := kubectl(t, "", "-n", ns, "get", "deployment", "api", "-o",
		"jsonpath={.metadata.generation} {.status.observedGeneration} {.spec.replicas} {.status.replicas} {.status.updatedReplicas} {.status.availableReplicas}")
	if got != "3 3 2 2 2 2" {
		t.Errorf("right after kwait exited, generation observedGeneration spec.replicas replicas updated available = %q, want \"3 3 2 2 2 2\"", got)
	}
}

// TestRBACGrantedWhileWaiting: a ServiceAccount is denied at first and given
// the permission while kwait waits; kwait reports the denial, naming the
// verb, resource and namespace, and then succeeds.
func TestRBACGrantedWhileWaiting(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	kubectl(t, "", "-n", ns, "create", "serviceaccount", "late")
	apply(t, ns, deploymentYAML("api", 1, ""))
	p := inCluster(t, ns, "late", "deployment/api", "--timeout", "90s")
	p.await(t, "deployment/"+ns+"/api", "forbidden", `system:serviceaccount:`+ns+`:late`,
		`cannot list resource \"deployments\"`, `in the namespace \"`+ns+`\"`)
	p.running(t)
	apply(t, ns, apiReaderRole("late"))
	p.expect(t, 0)
}

// punctual fails unless p, a finished run with --timeout 3s, ended on time.
// What "on time" allows is measured, on this machine under its load while
// the run lasted, never assumed from a quiet one:
//   - by kwait's own clock (the elapsed time of its final message): at
//     least 3s, and late by no more than 20 times the worst scheduling
//     delay seen during the run (p.late), and at most 100ms even on a
//     quiet machine;
//   - by the wall clock: at least 3s, and beyond kwait's own elapsed time
//     no more than three times what the same command costs with
//     --timeout 1ms (start-up, building targets, the final message, exit),
//     run right after, plus 250ms.
func punctual(t *testing.T, p *proc) {
	t.Helper()
	const timeout = 3 * time.Second
	elapsed := finalElapsed(t, p.output())
	late := max(100*time.Millisecond, 20*p.late)
	t.Logf("--timeout 3s: kwait's elapsed %s, wall %s, worst scheduling delay during the run %s", elapsed, p.took, p.late)
	if elapsed < timeout || elapsed > timeout+late {
		t.Errorf("kwait's final message says %s for a --timeout 3s run, want 3s to %s (the worst scheduling delay during the run was %s)",
			elapsed, timeout+late, p.late)
	}
	quick := rerun(t, p, "1ms")
	quick.exit(t)
	overhead := quick.took - finalElapsed(t, quick.output())
	if limit := elapsed + 3*overhead + 250*time.Millisecond; p.took < timeout || p.took > limit {
		t.Errorf("a --timeout 3s run took %s, want 3s to %s (kwait's elapsed %s, a --timeout 1ms run took %s)",
			p.took, limit, elapsed, quick.took)
	}
}

// finalElapsed is the elapsed time in kwait's final JSON message.
func finalElapsed(t *testing.T, out string) time.Duration {
	t.Helper()
	for line := range strings.Lines(out) {
		var m struct {
			Msg     string   `json:"msg"`
			Elapsed *float64 `json:"elapsed"`
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Elapsed != nil && m.Msg == "timed out" {
			return time.Duration(*m.Elapsed * float64(time.Second))
		}
	}
	t.Fatalf("no final message with the elapsed time; output:\n%s", out)
	return 0
}

// rerun starts p's command again with another --timeout.
func rerun(t *testing.T, p *proc, timeout string) *proc {
	t.Helper()
	args := slices.Clone(p.cmd.Args[1:])
	i := slices.Index(args, "--timeout")
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("kwait %q has no --timeout to change", args)
	}
	args[i+1] = timeout
	cmd := exec.Command(p.cmd.Path, args...)
	cmd.Env = p.cmd.Env
	return launch(t, cmd)
}

// TestTimeoutIsPunctual: with nothing ready, kwait ends at its deadline,
// every time.
func TestTimeoutIsPunctual(t *testing.T) {
	ns := namespace(t)
	for range 5 {
		addr := closedPort(t)
		p := start(t, "deployment/"+ns+"/missing", "tcp://"+addr, "--timeout", "3s")
		out := p.expect(t, 124)
		punctual(t, p)
		mustContain(t, out, `"msg":"timed out"`, "deployment/"+ns+"/missing: not found", "tcp://"+addr+": connection refused")
	}
}

// TestBadKubeconfigExits2: a kubeconfig kwait cannot use is bad input: one
// line, which does not quote the file's secrets.
func TestBadKubeconfigExits2(t *testing.T) {
	t.Parallel()
	token := adminToken(t)
	for _, cfg := range []string{
		kubeconfig(t, clusterCA(), "token: "+token+", oops: ["), // not YAML
		filepath.Join(t.TempDir(), "missing"),
		kubeconfig(t, clusterCA()+", insecure-skip-tls-verify: true", "token: "+token),
		kubeconfig(t, "certificate-authority-data: Zm9vCg==", "token: "+token),
	} {
		out := kwait(t, 2, "crd", "a.b", "--kubeconfig", cfg)
		if strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.HasPrefix(out, "kwait: ") {
			t.Errorf("--kubeconfig %s: want one 'kwait: ' line, got:\n%s", cfg, out)
		}
		noSecrets(t, out, token)
	}
}

// TestInputsThatNeverEnd: a KUBECONFIG that is a FIFO, a kubeconfig whose
// CA is /dev/zero or whose token file is a FIFO are refused before
// anything reads them (exit 2, naming the file); -f - on a standard input
// that never closes ends at --timeout (124), not never.
func TestInputsThatNeverEnd(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	out := startEnv(t, []string{"KUBECONFIG=" + fifo}, "deployment/default/x", "--timeout", "60s").expect(t, 2)
	mustContain(t, out, fifo+" is not a regular file")
	out = kwait(t, 2, "deployment/default/x", "--kubeconfig", kubeconfig(t, "certificate-authority: /dev/zero", "token: x"), "--timeout", "60s")
	mustContain(t, out, "/dev/zero is not a regular file")
	out = kwait(t, 2, "deployment/default/x", "--kubeconfig", kubeconfig(t, clusterCA(), "tokenFile: "+fifo), "--timeout", "60s")
	mustContain(t, out, fifo+" is not a regular file")

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	cmd := exec.Command(env.kwait, "apply", "-f", "-", "--timeout", "2s")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "KUBECONFIG=" + env.kubeconfig}
	cmd.Stdin = r
	out = launch(t, cmd).expect(t, 124)
	mustContain(t, out, "standard input not read to its end: timed out")
}
