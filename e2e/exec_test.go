//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestExecReplacesKwait: once every target is ready, the command after
// "--" replaces kwait: same PID, so a SIGTERM sent to it reaches the
// command, and the command's exit code is the process's.
func TestExecReplacesKwait(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	script := `trap 'echo got TERM; exit 42' TERM; echo "armed $$"; while :; do sleep 1 & wait $!; done`
	apply(t, ns, deploymentYAML("api", 1, ""))
	p := start(t, "namespaces/"+ns+":create", "deployment/"+ns+"/api", "--timeout", "60s", "--", "sh", "-c", script)
	line := p.await(t, "armed ")
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "armed ")))
	if err != nil || pid != p.cmd.Process.Pid {
		t.Fatalf("the command runs as %q, want PID %d (kwait's)", line, p.cmd.Process.Pid)
	}
	mustContain(t, p.output(), `"msg":"all ready, running the command","command":"sh"`)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	mustContain(t, p.expect(t, 42), "got TERM")
}

// TestExecNeverAfterTimeout: after a timeout, a target's own deadline or a
// failure for good the command does not run and kwait's exit code stays.
func TestExecNeverAfterTimeout(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	marker := filepath.Join(t.TempDir(), "ran")
	command := []string{"--", "touch", marker}
	kwait(t, 124, append([]string{"tcp://" + closedPort(t), "--timeout", "2s"}, command...)...)
	kwait(t, 124, append([]string{"deployment/" + ns + "/missing#timeout=2s", "--timeout", "60s"}, command...)...)
	apply(t, ns, jobYAML("doomed", "activeDeadlineSeconds: 2")+"      nodeSelector: {kwait.dev/nowhere: \"true\"}\n")
	kwait(t, 1, append([]string{"job/" + ns + "/doomed", "--timeout", "120s"}, command...)...)
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("the command ran (%s exists: %v)", marker, err)
	}
}

// TestOwnDeadlineEndsTheRun: a target's own #timeout ends the run with
// 124 long before --timeout, naming that target with its last reason and
// the others still pending.
func TestOwnDeadlineEndsTheRun(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	began := time.Now()
	out := kwait(t, 124, "deployment/"+ns+"/late#timeout=3s", "crd/nothing.kwait.dev", "--timeout", "10m")
	if took := time.Since(began); took > 5*time.Minute {
		t.Errorf("took %s: the target's own 3s deadline did not end the run", took)
	}
	mustContain(t, out, `"msg":"target timed out"`, `"target":"deployment/`+ns+`/late"`, "not ready within its 3s: not found", "crd/nothing.kwait.dev: ")
}

// TestNoDeadline: with --timeout 0 kwait waits as long as it takes and
// keeps logging its summary: a Deployment created after the wait began is
// still noticed.
func TestNoDeadline(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	p := start(t, "deployment/"+ns+"/api", "--timeout", "0", "--status-interval", "1s")
	p.await(t, `"msg":"still waiting"`, "deployment/"+ns+"/api: not found")
	apply(t, ns, deploymentYAML("api", 1, ""))
	p.expect(t, 0)
}
