package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/kwait-dev/kwait/pkg/runner"
	"github.com/kwait-dev/kwait/pkg/target"
)

// scripted reports its reasons, then ends with err.
type scripted struct {
	name    string
	reasons []string
	err     error
}

func (s scripted) Name() string { return s.name }

func (s scripted) Wait(_ context.Context, report target.Report) error {
	for _, r := range s.reasons {
		report(r)
	}
	return s.err
}

// textLog runs a run's own log calls (runner.Run, the final report) into a
// logger of format, and returns what it wrote.
func textLog(t *testing.T, format string, targets []target.Target, runErr error) string {
	t.Helper()
	var buf bytes.Buffer
	log := newLogger(options{logFormat: format}, Streams{Err: &buf})
	if err := runner.Run(t.Context(), targets, runner.Options{Log: log}); err != nil {
		t.Fatalf("run: %v", err)
	}
	log.Info("still waiting", zap.Duration("elapsed", 15*time.Second), zap.Strings("pending", []string{"tcp://db:5432: connection refused", "crd/x.y.z: not found"}))
	log.Warn("apiserver warning", zap.String("text", "v1 Endpoints is deprecated"))
	if runErr != nil {
		report(log, runErr)
	} else {
		log.Info("all ready", zap.Int("targets", len(targets)), zap.Duration("after", 1234*time.Millisecond))
	}
	return buf.String()
}

var twoPending = &runner.Error{Err: runner.ErrTimeout, Elapsed: 5 * time.Second, Pending: []runner.Pending{
	{Name: "crd/tenants.minio.min.io", Reason: "not found"}, {Name: "tcp://db:5432", Reason: "connection refused"}}}

func TestConsoleFormat(t *testing.T) {
	t.Parallel()
	got := textLog(t, "console", []target.Target{scripted{name: "crd/tenants.minio.min.io", reasons: []string{"not found", "Established"}}}, twoPending)
	want := `crd/tenants.minio.min.io: not found
crd/tenants.minio.min.io: Established
crd/tenants.minio.min.io: ready after `
	if !strings.HasPrefix(got, want) {
		t.Fatalf("console log starts\n%s\nwant\n%s", got, want)
	}
	for _, line := range []string{
		"still waiting after 15s:\n  tcp://db:5432: connection refused\n  crd/x.y.z: not found\n",
		"warning: apiserver warning text=v1 Endpoints is deprecated\n",
		"not ready: crd/tenants.minio.min.io: not found\nnot ready: tcp://db:5432: connection refused\n" +
			"timed out after 5s, 2 targets not ready\n",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("console log lacks %q:\n%s", line, got)
		}
	}
	if !strings.HasSuffix(got, "timed out after 5s, 2 targets not ready\n") {
		t.Errorf("last line does not state the outcome:\n%s", got)
	}
}

func TestPlainFormat(t *testing.T) {
	t.Parallel()
	failed := &runner.Error{Err: &runner.Failed{Name: "job/migrate", Err: errors.New("BackoffLimitExceeded")}, Elapsed: 2 * time.Second,
		Failed:  &runner.Failed{Name: "job/migrate", Err: errors.New("BackoffLimitExceeded")},
		Pending: []runner.Pending{{Name: "tcp://db:5432", Reason: "line\nbreak \"quoted\""}}}
	got := textLog(t, "plain", []target.Target{scripted{name: "job/migrate", reasons: []string{"active 1"}}}, failed)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	want := []string{
		"job/migrate: active 1",
		"", // ready after ...
		"still waiting after 15s: tcp://db:5432: connection refused; crd/x.y.z: not found",
		"warning: apiserver warning text=v1 Endpoints is deprecated",
		`failed after 2s: job/migrate: BackoffLimitExceeded; not ready: tcp://db:5432: line break "quoted"`,
	}
	if len(lines) != len(want) {
		t.Fatalf("plain log has %d lines, want %d:\n%s", len(lines), len(want), got)
	}
	for i, w := range want {
		if w != "" && lines[i] != w {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], w)
		}
	}
	if !strings.HasPrefix(lines[1], "job/migrate: ready after ") {
		t.Errorf("line 2 = %q, want the target ready", lines[1])
	}
}

func TestTextFormatsAllReady(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"console", "plain"} {
		got := textLog(t, format, []target.Target{scripted{name: "tcp://db:5432"}}, nil)
		if !strings.HasSuffix(got, "\nall 1 target ready after 1.234s\n") {
			t.Errorf("%s: last line does not say all ready:\n%s", format, got)
		}
	}
}

// TestLogFormatAuto: auto is console on a terminal and JSON otherwise (in a
// pod); an explicit format wins.
func TestLogFormatAuto(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flag     string
		terminal bool
		want     string
	}{
		{"auto", true, "console"}, {"auto", false, "json"}, {"json", true, "json"}, {"plain", true, "plain"}, {"console", false, "console"},
	} {
		if got := logFormat(tc.flag, tc.terminal); got != tc.want {
			t.Errorf("logFormat(%q, terminal %v) = %q, want %q", tc.flag, tc.terminal, got, tc.want)
		}
	}
	var buf bytes.Buffer
	newLogger(options{logFormat: "auto"}, Streams{Err: &buf}).Info("all ready", zap.Int("targets", 1))
	if !strings.HasPrefix(buf.String(), `{"level":"info"`) {
		t.Errorf("auto off a terminal wrote %q, want JSON", buf.String())
	}
}
