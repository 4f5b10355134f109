package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestObjectsBadInput: the mixed form's -f refuses, in one line with exit
// 2, what it cannot wait for.
func TestObjectsBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	generated := write("generated.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: cfg-}\n")
	good := write("good.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n")
	empty := write("empty.yaml", "# nothing\n")
	kc := kubeconfig(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", generated, "--kubeconfig", kc}, "has no name (generateName): kwait waits for objects by name"},
		{[]string{"-f", filepath.Join(dir, "missing.yaml"), "--kubeconfig", kc}, "missing.yaml"},
		{[]string{"-f", empty, "--kubeconfig", kc}, "empty.yaml"},
		{[]string{"crd", "widgets.example.com", "-f", good, "--kubeconfig", kc}, "crd: -f does not apply"},
		{[]string{"tcp", "127.0.0.1:1", "-f", good}, "tcp: -f does not apply"},
		{[]string{"-f", good, "--for", "bogus", "--kubeconfig", kc}, "bogus"},
		{[]string{"-f", good, "-n", "other", "--kubeconfig", kc}, ""}, // fine: no namespace in the object
	} {
		r := run(t, append(tc.args, "--timeout", "1ms", "--termination-log", "")...)
		if tc.want == "" {
			if r.code == 2 {
				t.Errorf("%q: exit 2: %s", tc.args, r.err)
			}
			continue
		}
		got := strings.TrimSpace(r.err)
		if r.code != 2 || strings.Contains(got, "\n") || !strings.Contains(got, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, r.code, got, tc.want)
		}
	}
}
