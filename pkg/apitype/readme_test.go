package apitype

import (
	"os"
	"strings"
	"testing"
)

// The lines around README's table of what ready means on each built-in
// type; between them is exactly readyTable's output.
const (
	readyTableBegin = "<!-- ready-by-type: generated from pkg/apitype/builtin.go by its tests (UPDATE_README=1 rewrites) -->\n"
	readyTableEnd   = "<!-- /ready-by-type -->\n"
)

// readyTable renders the built-in table's meanings of ready as Markdown.
func readyTable() string {
	var b strings.Builder
	b.WriteString("| type | ready when | fails at once (exit 1) |\n| --- | --- | --- |\n")
	for _, r := range table() {
		ready, fails := r.ready.Ready, r.ready.Fails
		if r.ready.Refused != "" {
			ready = "refused (exit 2): " + r.ready.Refused
		}
		if fails == "" {
			fails = "—"
		}
		b.WriteString("| `" + r.typ().String() + "` (" + r.kind + ") | " + ready + " | " + fails + " |\n")
	}
	return b.String()
}

// TestReadmeReadyTable: README's table of what ready means on each
// built-in type is the one the table renders.
func TestReadmeReadyTable(t *testing.T) {
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	before, rest, ok := strings.Cut(readme, readyTableBegin)
	got, after, ok2 := strings.Cut(rest, readyTableEnd)
	if !ok || !ok2 {
		t.Fatalf("README.md lacks the lines %q and %q around the ready table", readyTableBegin, readyTableEnd)
	}
	want := readyTable()
	if got == want {
		return
	}
	if os.Getenv("UPDATE_README") == "1" {
		if err := os.WriteFile(path, []byte(before+readyTableBegin+want+readyTableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's ready table differs from pkg/apitype's table; rerun with UPDATE_README=1 to rewrite it.\ngot:\n%s\nwant:\n%s", got, want)
}
