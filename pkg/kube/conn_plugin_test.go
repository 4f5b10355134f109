package kube

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestForwardLinesReadsPastAnyLongLine(t *testing.T) {
	r, w := io.Pipe()
	wrote := make(chan error, 1)
	go func() {
		_, err := io.WriteString(w, "first\n"+strings.Repeat("x", 1<<20)+"\nlast\r\n\n")
		w.Close()
		wrote <- err
	}()
	var lines []string
	done := make(chan struct{})
	go func() {
		forwardLines(r, func(line string) { lines = append(lines, line) })
		close(done)
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatalf("the plugin's write: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the plugin is still blocked writing its stderr after 30s")
	}
	<-done
	if len(lines) != 3 || lines[0] != "first" || lines[2] != "last" {
		t.Fatalf("lines = %.60q, want first, the long one cut, last", lines)
	}
	if want := strings.Repeat("x", maxPluginLine) + " [cut]"; lines[1] != want {
		t.Errorf("the long line is %d bytes ending %q, want %d ending \" [cut]\"", len(lines[1]), lines[1][max(0, len(lines[1])-10):], len(want))
	}
}
