package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestApplyDeleteBadInput: what kwait apply and delete cannot do is bad
// input, one line, exit 2, before anything is sent.
func TestApplyDeleteBadInput(t *testing.T) {
	t.Parallel()
	kc := kubeconfig(t)
	cm := file(t, probe)
	generated := file(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"apply without manifests", []string{"apply"}, "apply: missing what to wait for: give manifests with -f FILE, -f DIRECTORY"},
		{"delete without manifests", []string{"delete"}, "delete: missing what to wait for"},
		{"apply with an argument", []string{"apply", cm}, `apply: unexpected argument "` + cm + `"`},
		{"apply --for delete", []string{"apply", "-f", cm, "--for", "delete"}, "apply: --for delete does not apply"},
		{"apply --for create", []string{"apply", "-f", cm, "--for", "create"}, "apply: --for create does not apply"},
		{"apply --fail-for without --for", []string{"apply", "-f", cm, "--fail-for", "condition=Failed"}, "--fail-for applies while waiting with --for"},
		{"delete --for", []string{"delete", "-f", cm, "--for", "ready"}, "delete: --for does not apply"},
		{"delete --field-manager", []string{"delete", "-f", cm, "--field-manager", "x"}, "--field-manager applies to kwait apply"},
		{"root --force-conflicts", []string{"deployment/web", "--force-conflicts"}, "--force-conflicts applies to kwait apply"},
		{"empty field manager", []string{"apply", "-f", cm, "--field-manager", ""}, "--field-manager must not be empty"},
		{"long field manager", []string{"apply", "-f", cm, "--field-manager", strings.Repeat("m", 129)}, "--field-manager must be at most 128 bytes"},
		{"control character in field manager", []string{"apply", "-f", cm, "--field-manager", "a\tb"}, "only printable characters"},
		{"empty directory", []string{"apply", "-f", t.TempDir()}, "no objects in its *.yaml, *.yml or *.json files"},
		{"missing file", []string{"delete", "-f", filepath.Join(t.TempDir(), "gone.yaml")}, "gone.yaml: no such file or directory"},
		{"generateName", []string{"apply", "-f", generated}, "apply/ConfigMap/x-*: metadata.name is not set"},
		{"generateName delete", []string{"delete", "-f", generated}, "delete/ConfigMap/x-*: metadata.name is not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, append(tc.args, "--kubeconfig", kc)...)
			if r.code != 2 || !strings.Contains(r.err, tc.want) || strings.Count(r.err, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line naming %q", r.code, r.err, tc.want)
			}
		})
	}
}

// TestApplyDirectoryAsMounted: a directory laid out as the kubelet mounts
// a ConfigMap (keys linking into ..data, a timestamped directory) reads as
// its keys, in name order; names starting with "." and files of other
// extensions are skipped. The apiserver is unreachable, so the run times
// out naming the targets it read.
func TestApplyDirectoryAsMounted(t *testing.T) {
	t.Parallel()
	kc := kubeconfig(t)
	dir := t.TempDir()
	stamp := filepath.Join(dir, "..2026_12_02_12_00_00.1")
	must(t, os.Mkdir(stamp, 0o700))
	write := func(path, content string) { must(t, os.WriteFile(path, []byte(content), 0o600)) }
	write(filepath.Join(stamp, "02-b.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
	write(filepath.Join(stamp, "01-a.json"), `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "namespace": "shop"}}`)
	write(filepath.Join(stamp, "03-empty.yml"), "# nothing\n")
	must(t, os.Symlink(filepath.Base(stamp), filepath.Join(dir, "..data")))
	for _, key := range []string{"02-b.yaml", "01-a.json", "03-empty.yml"} {
		must(t, os.Symlink(filepath.Join("..data", key), filepath.Join(dir, key)))
	}
	write(filepath.Join(dir, ".hidden.yaml"), "not: [valid")
	write(filepath.Join(dir, "notes.txt"), "not: [valid")
	must(t, os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o700))
	write(filepath.Join(dir, "sub.yaml", "c.yaml"), "not: [valid")

	r := run(t, "apply", "-f", dir, "--kubeconfig", kc, "--timeout", "1s", "--log-format", "json")
	if r.code != 124 {
		t.Fatalf("exit %d, want 124 (read, then the apiserver unreachable); stderr:\n%s", r.code, r.err)
	}
	// In name order: 01-a.json before 02-b.yaml.
	a, b := strings.LastIndex(r.err, "apply/Secret/shop/a"), strings.LastIndex(r.err, "apply/ConfigMap/testns/b")
	if a < 0 || b < a {
		t.Errorf("stderr does not name apply/Secret/shop/a, then apply/ConfigMap/testns/b:\n%s", r.err)
	}
	if strings.Contains(r.err, "hidden") || strings.Contains(r.err, "notes") || strings.Contains(r.err, "sub.yaml") {
		t.Errorf("a skipped file was read:\n%s", r.err)
	}

	// The same directory with a broken key is refused: the keys are read.
	write(filepath.Join(stamp, "04-broken.yaml"), "not: [valid")
	must(t, os.Symlink(filepath.Join("..data", "04-broken.yaml"), filepath.Join(dir, "04-broken.yaml")))
	r = run(t, "delete", "-f", dir, "--kubeconfig", kc)
	if r.code != 2 || !strings.Contains(r.err, "delete: "+filepath.Join(dir, "04-broken.yaml")+": document 1") {
		t.Errorf("exit %d, stderr %q; want 2 naming 04-broken.yaml", r.code, r.err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
