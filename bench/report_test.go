package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestKeptBlock: the binary size block hack/binsize.sh wrote survives a
// new report; a document without one gives nothing.
func TestKeptBlock(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "benchmarks.md")
	block := "<!-- binary size: written by hack/binsize.sh -->\n## Binary size\n| a | 1 |\n<!-- end binary size -->"
	if err := os.WriteFile(doc, []byte("# Benchmarks\n\nold figures\n\n"+block+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := keptBlock(doc), "\n"+block+"\n"; got != want {
		t.Errorf("keptBlock = %q, want %q", got, want)
	}
	if got := keptBlock(filepath.Join(dir, "none.md")); got != "" {
		t.Errorf("keptBlock of a missing file = %q, want empty", got)
	}
}
