package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportHasEverySection: the document has every section, in order,
// each written by its section's file, even from a run that measured
// nothing (each goal then reads "not measured").
func TestReportHasEverySection(t *testing.T) {
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	if err := writeReport(&Results{}, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	at := 0
	for _, h := range []string{"## Machine", "## Targets", "## 1. Detection latency", "## 2. API cost", "## 3. Process cost",
		"## 4. Scale", "## 5. Many targets", "## 6. Fleet", "## 7. Memory", "## Method"} {
		i := strings.Index(doc[at:], h)
		if i < 0 {
			t.Fatalf("no %q after byte %d of the document", h, at)
		}
		at += i
	}
	if n := strings.Count(doc, "not measured"); n < 8 {
		t.Errorf("%d goals not measured, want every goal of an empty run", n)
	}
}

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
