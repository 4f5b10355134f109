package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestBareNumberIsSeconds: a duration flag given a bare number takes it as
// seconds, as the chart's timeout does: --timeout 0.3 times out after
// 300ms, and every other duration flag takes a number too.
func TestBareNumberIsSeconds(t *testing.T) {
	t.Parallel()
	closed := closedPort(t)
	r := run(t, "tcp://"+closed, "--timeout", "0.3", "--status-interval", "1", "--attempt-timeout", "1",
		"--max-interval", "0.05", "--log-format", "json", "--termination-log", "")
	if r.code != 124 {
		t.Fatalf("exit %d, want 124; stderr:\n%s", r.code, r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.err), "\n")
	var last struct {
		Msg     string  `json:"msg"`
		Elapsed float64 `json:"elapsed"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Msg != "timed out" || last.Elapsed < 0.3 || time.Duration(last.Elapsed*float64(time.Second)) > 5*time.Second {
		t.Errorf("last line %q: want timed out after 0.3s", lines[len(lines)-1])
	}
}

// TestDurationFlagErrors: a value that is neither a duration nor a number
// is one line naming the flag, exit 2.
func TestDurationFlagErrors(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"abc", "1e3", "90 s", "5min"} {
		r := run(t, "tcp://127.0.0.1:1", "--timeout", v)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.err), "\n") != 0 ||
			!strings.Contains(r.err, "-timeout") || !strings.Contains(r.err, "or a number of seconds") {
			t.Errorf("--timeout %q: exit %d, stderr %q; want exit 2 and one line naming the flag", v, r.code, r.err)
		}
	}
}
