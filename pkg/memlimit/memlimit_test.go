package memlimit

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func cgroup(t *testing.T, file, content string) string {
	t.Helper()
	root := t.TempDir()
	if file != "" {
		path := filepath.Join(root, file)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestContainer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file, content string
		want                int64
	}{
		{"cgroup v2", v2File, "67108864\n", 64 << 20},
		{"cgroup v2 without limit", v2File, "max\n", 0},
		{"cgroup v1", v1File, "67108864\n", 64 << 20},
		{"cgroup v1 without limit", v1File, "9223372036854771712\n", 0},
		{"no cgroup", "", "", 0},
		{"garbage", v2File, "lots", 0},
	} {
		if got := Container(cgroup(t, tc.file, tc.content)); got != tc.want {
			t.Errorf("%s: Container() = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestSet: a container limit becomes the runtime's soft limit (90%); an
// explicit GOMEMLIMIT wins. Not parallel: the runtime's limit is process
// state.
func TestSet(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	root := cgroup(t, v2File, "67108864\n")
	if got := Set(root, func(string) string { return "100MiB" }); got != 0 || debug.SetMemoryLimit(-1) != before {
		t.Errorf("Set() with GOMEMLIMIT = %d, want 0 and the limit untouched", got)
	}
	limit := float64(64 << 20)
	want := int64(limit * Share)
	if got := Set(root, func(string) string { return "" }); got != want || debug.SetMemoryLimit(-1) != want {
		t.Errorf("Set() = %d (runtime %d), want %d", got, debug.SetMemoryLimit(-1), want)
	}
}
