//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"
)

// TestTermLogSanitizes: control characters and bidirectional-text controls
// from object status never reach the termination message.
func TestTermLogSanitizes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log")
	tl := termLog{path: path, explicit: true}
	if err := tl.write("job/x: failed\x1b[31m red\a bell \u202egnp.exe\nnext line\tok \xff"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	want := "job/x: failed?[31m red? bell ?gnp.exe\nnext line\tok ?\n"
	if got != want {
		t.Errorf("termination log %q, want %q", got, want)
	}
}

// TestTermLogRefusesFIFO: a FIFO named as the termination log is not
// opened (that would block until someone reads it).
func TestTermLogRefusesFIFO(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	err := termLog{path: path, explicit: true}.write("timed out")
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("write to a FIFO = %v, want refused", err)
	}
}

// TestTermLogFitsTheLimit: a long message is cut to the kubelet's 4096
// bytes, newline included, on a UTF-8 boundary.
func TestTermLogFitsTheLimit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log")
	if err := (termLog{path: path, explicit: true}).write(strings.Repeat("é", 3000)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > terminationLogLimit || !utf8.Valid(b) || !strings.HasSuffix(string(b), "...\n") {
		t.Errorf("termination log of %d bytes (valid UTF-8: %v), want at most %d ending in ...", len(b), utf8.Valid(b), terminationLogLimit)
	}
}
