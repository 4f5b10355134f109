package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kwait-dev/kwait/pkg/runner"
	"github.com/kwait-dev/kwait/pkg/spec"
)

// TestStdinThatNeverEnds: -f - on a standard input that never closes ends
// at the run's deadline (runner.ErrTimeout: exit 124) or at a signal (its
// SignalError: 128+signal), not never.
func TestStdinThatNeverEnds(t *testing.T) {
	t.Parallel()
	specs := []spec.Spec{{Kind: spec.Apply, Name: "-"}}
	never, w := io.Pipe()
	t.Cleanup(func() { w.Close() })

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := readManifests(ctx, specs, never, "")
	if !errors.Is(err, runner.ErrTimeout) || ExitCode(err) != ExitTimeout {
		t.Errorf("readManifests() = %v (exit %d), want a timeout, exit %d", err, ExitCode(err), ExitTimeout)
	}

	sctx, stop := context.WithCancelCause(t.Context())
	stop(&SignalError{Signal: syscall.SIGTERM})
	_, err = readManifests(sctx, specs, never, "")
	if ExitCode(err) != 143 {
		t.Errorf("readManifests() = %v (exit %d), want exit 143 after SIGTERM", err, ExitCode(err))
	}
}

// TestManifestPlaces: -n A with an object naming namespace B is refused
// naming both; an object apply or delete would meet twice is refused naming
// both places; the admission probe may dry-run one twice.
func TestManifestPlaces(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	inB := write("b.yaml", "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: b}}")
	plain := write("plain.yaml", "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}")
	twice := write("twice.yaml", "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n---\n{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}")
	for _, tc := range []struct {
		name, kind, ns string
		files          []string
		want           string
	}{
		{"namespace mismatch", spec.Apply, "a", []string{inB}, `ConfigMap/b/c names namespace "b", but -n a was given`},
		{"duplicate in one file", spec.Apply, "", []string{twice}, "ConfigMap/c is given twice: " + twice + ": object 1 and " + twice + ": object 2"},
		{"duplicate across files", spec.Delete, "b", []string{inB, plain}, "ConfigMap/b/c is given twice: " + inB + ": object 1 and " + plain + ": object 1"},
		{"admission may repeat", spec.Admission, "", []string{twice}, ""},
		{"same namespace", spec.Apply, "b", []string{inB}, ""},
	} {
		var specs []spec.Spec
		for _, f := range tc.files {
			specs = append(specs, spec.Spec{Kind: tc.kind, Name: f})
		}
		_, err := readManifests(t.Context(), specs, nil, tc.ns)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want nil", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || ExitCode(err) != ExitUsage):
			t.Errorf("%s: %v (exit %d), want exit 2 with %q", tc.name, err, ExitCode(err), tc.want)
		}
	}
}
