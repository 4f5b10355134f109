//go:build e2e

// Package e2e runs the built kwait binary against a real control plane
// (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
// for nodes) started by e2e/run.sh. Every test works in its own namespace
// and waits on real events with deadlines.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// cluster is what run.sh tells the tests about the control plane.
type cluster struct {
	kwait      string // the binary under test
	kubectl    string
	dir        string // the cluster's state dir
	kubeconfig string // admin
	apiserver  string // https://127.0.0.1:PORT
}

var env cluster

func TestMain(m *testing.M) {
	env = cluster{
		kwait:   os.Getenv("KWAIT_BIN"),
		kubectl: os.Getenv("E2E_KUBECTL"),
		dir:     os.Getenv("E2E_CLUSTER_DIR"),
	}
	env.kubeconfig = filepath.Join(env.dir, "admin.kubeconfig")
	env.apiserver = os.Getenv("E2E_APISERVER_URL")
	for name, v := range map[string]string{"KWAIT_BIN": env.kwait, "E2E_KUBECTL": env.kubectl, "E2E_CLUSTER_DIR": env.dir, "E2E_APISERVER_URL": env.apiserver} {
		if v == "" {
			fmt.Fprintf(os.Stderr, "e2e: %s is not set; run the suite with `make e2e`\n", name)
			os.Exit(2)
		}
	}
	os.Exit(m.Run())
}

// kubectl runs kubectl as the cluster admin and fails the test on error.
func kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := kubectlErr(t, stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func kubectlErr(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	// Not bound to t.Context(): that ends before cleanups run, and
	// cleanups use kubectl too.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.kubectl, append([]string{"--kubeconfig", env.kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// apply applies manifests, with "NAMESPACE" replaced by ns.
func apply(t *testing.T, ns, manifests string) {
	t.Helper()
	kubectl(t, strings.ReplaceAll(manifests, "NAMESPACE", ns), "apply", "-f", "-")
}

// namespace creates a namespace for one test and deletes it afterwards.
func namespace(t *testing.T) string {
	t.Helper()
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	ns := fmt.Sprintf("%s-%04x", strings.Trim(name, "-"), rand.IntN(1<<16))
	kubectl(t, "", "create", "namespace", ns)
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "namespace", ns, "--wait=false")
	})
	return ns
}

// proc is a running kwait.
type proc struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	out   bytes.Buffer // stdout and stderr, interleaved
	lines chan string
	done  chan struct{}
	code  int
	took  time.Duration
	// late is how late a timer fired at worst in this test process while
	// kwait ran: the scheduling delay the machine imposed meanwhile (see
	// probeLateness), from which timing checks derive their tolerances.
	late time.Duration
}

// start runs kwait with args against the cluster as admin (unless args
// choose otherwise), with a clean environment so nothing from the test's
// environment becomes a KWAIT_* flag by accident.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	return startEnv(t, []string{"KUBECONFIG=" + env.kubeconfig}, args...)
}

func startEnv(t *testing.T, environ []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(env.kwait, args...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "KWAIT_LOG_FORMAT=json"}, environ...)
	return launch(t, cmd)
}

// launch starts cmd and collects its output line by line.
func launch(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{cmd: cmd, lines: make(chan string, 10000), done: make(chan struct{})}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	stopProbe := make(chan struct{})
	lateness := probeLateness(stopProbe)
	began := time.Now()
	if err := cmd.Start(); err != nil {
		close(stopProbe)
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	w.Close()
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			p.lines <- sc.Text()
		}
		r.Close()
		err := cmd.Wait()
		p.took = time.Since(began)
		close(stopProbe)
		p.late = <-lateness
		var exit *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exit):
			p.code = exit.ExitCode()
			if exit.ExitCode() < 0 { // killed by a signal it did not handle
				p.code = 1000
			}
		default:
			p.code = -1
		}
		close(p.lines)
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// probeLateness measures, until stop is closed, how late 10ms timers fire
// in this process at worst. Measured while kwait runs, it is the scheduling
// delay a process woken by a timer suffers on this machine under its load
// at that time, which a quiet machine would not show.
func probeLateness(stop <-chan struct{}) <-chan time.Duration {
	out := make(chan time.Duration, 1)
	go func() {
		const tick = 10 * time.Millisecond
		var worst time.Duration
		timer := time.NewTimer(tick)
		defer timer.Stop()
		set := time.Now()
		for {
			select {
			case <-stop:
				out <- worst
				return
			case <-timer.C:
				worst = max(worst, time.Since(set)-tick)
				set = time.Now()
				timer.Reset(tick)
			}
		}
	}()
	return out
}

// await blocks until kwait prints a line containing every one of want.
func (p *proc) await(t *testing.T, want ...string) string {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("kwait exited (code %d) before printing %q; output:\n%s", p.code, want, p.output())
			}
			if containsAll(line, want) {
				return line
			}
		case <-deadline:
			t.Fatalf("kwait did not print %q in time; output:\n%s", want, p.output())
		}
	}
}

// exit waits for kwait to end and returns its exit code.
func (p *proc) exit(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(3 * time.Minute):
		t.Fatalf("kwait still running; output:\n%s", p.output())
	}
	return p.code
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// expect waits for kwait to exit with code and returns its output.
func (p *proc) expect(t *testing.T, code int) string {
	t.Helper()
	if got := p.exit(t); got != code {
		t.Fatalf("kwait exited %d, want %d; output:\n%s", got, code, p.output())
	}
	return p.output()
}

// kwait runs kwait to the end and checks its exit code.
func kwait(t *testing.T, code int, args ...string) string {
	t.Helper()
	return start(t, args...).expect(t, code)
}

func containsAll(s string, want []string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// mustContain fails unless out contains every one of want.
func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output does not contain %q:\n%s", w, out)
		}
	}
}
