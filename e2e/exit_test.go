//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTimeoutNamesEveryPendingTarget checks exit 124 and the final message,
// in the log and in the termination log file.
func TestTimeoutNamesEveryPendingTarget(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("half", 2, "")+"      nodeSelector: {kwait.dev/nowhere: \"true\"}\n")
	termLog := filepath.Join(t.TempDir(), "termination-log")
	addr := closedPort(t)
	began := time.Now()
	out := kwait(t, 124, "deployment/"+ns+"/half", "deployment/"+ns+"/missing", "tcp://"+addr,
		"--timeout", "3s", "--termination-log", termLog)
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("took %s for a 3s timeout", took)
	}
	mustContain(t, out, `"msg":"timed out"`, "deployment/"+ns+"/half: ", "deployment/"+ns+"/missing: not found", "tcp://"+addr+": connection refused")
	b, err := os.ReadFile(termLog)
	if err != nil {
		t.Fatal(err)
	}
	msg := string(b)
	for _, want := range []string{"timed out after 3", "deployment/" + ns + "/half: ", "deployment/" + ns + "/missing: not found", "tcp://" + addr} {
		if !strings.Contains(msg, want) {
			t.Errorf("termination log %q does not contain %q", msg, want)
		}
	}
}

func TestSignals(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		p := start(t, "tcp", closedPort(t), "--timeout", "60s")
		p.await(t, "connection refused")
		sent := time.Now()
		if err := p.cmd.Process.Signal(c.sig); err != nil {
			t.Fatal(err)
		}
		p.expect(t, c.code)
		// Within a second, as promised, plus what this machine's load added
		// to wake-ups meanwhile (see probeLateness).
		if took, limit := time.Since(sent), time.Second+20*p.late; took > limit {
			t.Errorf("%s: exited %s after the signal, want within 1s (%s allowing for this machine's load)", c.sig, took, limit)
		}
	}
}

func TestBadInputExits2(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"crd"},
		{"crd", "NotAName"},
		{"deployment", "a/b/c"},
		{"tcp", "nohost"},
		{"http", "ftp://x"},
		{"resource", "widgets.example.com/x"},
		{"resource", "widgets.example.com/x", "--for", "condition="},
		{"crd", "a.b", "--timeout", "soon"},
		{"bogus/thing"},
	} {
		out := kwait(t, 2, args...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "kwait: ") || strings.Contains(out, "goroutine") {
			t.Errorf("kwait %v: want one 'kwait: ' line, got:\n%s", args, out)
		}
	}
}

// TestStaticBinaryRunsOnEmptyRoot runs the binary chrooted into a directory
// holding nothing but itself: no libc, no /etc, no shell.
func TestStaticBinaryRunsOnEmptyRoot(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root to chroot")
	}
	root := t.TempDir()
	data, err := os.ReadFile(env.kwait)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "kwait"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/kwait", "version")
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	cmd.Env = []string{}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "kwait ") {
		t.Fatalf("kwait version in an empty root: %v: %s", err, out)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("root holds %d entries, want only the binary", len(entries))
	}
}

// TestClosedStderrDoesNotEndTheWait: with its log reader gone, kwait keeps
// waiting (a write to the closed pipe fails instead of raising SIGPIPE) and
// exits with the wait's own code.
func TestClosedStderrDoesNotEndTheWait(t *testing.T) {
	t.Parallel()
	termLog := filepath.Join(t.TempDir(), "termination-log")
	cmd := exec.Command(env.kwait, "tcp://"+closedPort(t), "--timeout", "2s", "--status-interval", "1s", "--termination-log", termLog)
	cmd.Env = []string{}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	_ = r.Close() // nobody reads kwait's log any more
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 124 {
		t.Fatalf("kwait ended with %v, want exit 124 (not killed by SIGPIPE)", err)
	}
	if b, _ := os.ReadFile(termLog); !strings.Contains(string(b), "timed out") {
		t.Errorf("termination log %q, want the final message", b)
	}
}

// TestJSONLogIsJSONLines: with --log-format json every line on stderr is a
// JSON object, the apiserver's warnings included (v1 Endpoints answers with
// a deprecation warning, which client-go would print as a klog line).
func TestJSONLogIsJSONLines(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, "{apiVersion: v1, kind: Endpoints, metadata: {name: ep, namespace: NAMESPACE}}")
	p := start(t, "resource", "endpoints/"+ns+"/ep", "endpoints/"+ns+"/missing", "--for", "create", "--timeout", "2s", "--log-format", "json")
	out := p.expect(t, 124)
	mustContain(t, out, `"msg":"apiserver warning"`, "deprecated")
	mustBeJSONLines(t, out)
}

// TestCredentialPluginOutputIsLogged: what an exec credential plugin writes
// to stderr joins kwait's log as entries of its own, so --log-format json
// stays JSON lines.
func TestCredentialPluginOutputIsLogged(t *testing.T) {
	t.Parallel()
	plugin := filepath.Join(t.TempDir(), "credential-plugin")
	script := "#!/bin/sh\necho 'plugin: fetching a token' >&2\n" +
		`echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"` + adminToken(t) + `"}}'` + "\n"
	if err := os.WriteFile(plugin, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := kubeconfig(t, clusterCA(), fmt.Sprintf("exec: {apiVersion: client.authentication.k8s.io/v1, command: %q, interactiveMode: Never}", plugin))
	out := kwait(t, 124, "deployment/default/kwait-absent", "--kubeconfig", cfg, "--timeout", "2s", "--log-format", "json")
	mustContain(t, out, `"msg":"credential plugin"`, "plugin: fetching a token", `"msg":"timed out"`)
	mustBeJSONLines(t, out)
}

// mustBeJSONLines fails unless every line of out is a JSON object.
func mustBeJSONLines(t *testing.T, out string) {
	t.Helper()
	for line := range strings.Lines(out) {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Errorf("not a JSON line: %q", line)
		}
	}
}
