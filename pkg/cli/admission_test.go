package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kwait-dev/kwait/pkg/cli"
)

// runIn runs kwait in-process with stdin.
func runIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), safetyNet)
	defer cancel()
	var out, errOut bytes.Buffer
	code := runMain(ctx, append([]string{"kwait"}, args...), cli.Streams{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return result{code: code, out: out.String(), err: errOut.String()}
}

// file writes content to a file of its own and returns its path.
func file(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "probe.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const probe = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\n"

// TestAdmissionBadManifest: a manifest that cannot be read or holds no
// valid object is bad input, one line, before anything waits.
func TestAdmissionBadManifest(t *testing.T) {
	t.Parallel()
	kc := kubeconfig(t)
	noKind := file(t, "apiVersion: v1\nmetadata: {name: a}\n")
	broken := file(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n")
	second := file(t, probe+"---\napiVersion: v1\nkind: ConfigMap\n")
	empty := file(t, "# nothing\n")
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"nothing to admit", "", []string{"admission", "--kubeconfig", kc}, "admission: missing what to wait for: give manifests with -f FILE"},
		{"missing file", "", []string{"admission", "-f", filepath.Join(t.TempDir(), "gone.yaml"), "--kubeconfig", kc}, "gone.yaml: no such file or directory"},
		{"empty directory", "", []string{"admission", "-f", t.TempDir(), "--kubeconfig", kc}, "no objects in its *.yaml, *.yml or *.json files"},
		{"no kind", "", []string{"admission", "-f", noKind, "--kubeconfig", kc}, "admission: " + noKind + ": document 1: kind is not set"},
		{"broken YAML", "", []string{"admission", broken, "--kubeconfig", kc}, "document 1: yaml: line 3"},
		{"second document", "", []string{"admission", "-f", second, "--kubeconfig", kc}, "document 2: ConfigMap has neither metadata.name nor metadata.generateName"},
		{"no objects", "", []string{"admission", "-f", empty, "--kubeconfig", kc}, empty + ": no objects"},
		{"stdin", "kind: ConfigMap\n", []string{"admission", "-f", "-", "--kubeconfig", kc}, "admission: standard input: document 1: apiVersion is not set"},
		{"stdin twice", probe, []string{"admission:-", "admission:-", "--kubeconfig", kc}, "admission:-: standard input can be read only once"},
		{"inline", "", []string{`admission:{"apiVersion":"v1","kind":"ConfigMap"}`, "--kubeconfig", kc}, "admission: inline object: document 1: ConfigMap has neither"},
		{"inline not JSON", "", []string{`admission:{"apiVersion":`, "--kubeconfig", kc}, "admission: inline object: document 1:"},
		{"empty mixed form", "", []string{"admission:", "--kubeconfig", kc}, "no manifest: want admission:FILE"},
		{"for on admission only", probe, []string{"admission:-", "--for", "create", "--kubeconfig", kc}, "--for applies to Kubernetes targets other than admission"},
		{"network flag on admission", probe, []string{"admission:-", "--attempt-timeout", "1s", "--kubeconfig", kc}, "--attempt-timeout applies to network targets"},
		{"for on the admission command", "", []string{"admission", "-f", "-", "--for", "create"}, "-for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkUsage(t, runIn(t, tt.stdin, tt.args...), tt.want)
		})
	}
}

// TestAdmissionTimesOut: a manifest that reads well is waited for, under
// the deadline, named by its object.
func TestAdmissionTimesOut(t *testing.T) {
	t.Parallel()
	r := runIn(t, probe, "admission", "-f", "-", "-n", "shop", "--timeout", "300ms", "--kubeconfig", kubeconfig(t), "--log-format", "json")
	if r.code != cli.ExitTimeout {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, cli.ExitTimeout, r.err)
	}
	if !strings.Contains(r.err, "admission/ConfigMap/shop/probe") {
		t.Errorf("stderr does not name admission/ConfigMap/shop/probe:\n%s", r.err)
	}
}
