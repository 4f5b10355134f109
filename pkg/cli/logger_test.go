package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
	"k8s.io/klog/v2"
)

// TestKlogIntoTheLog: what client-go logs through klog comes out as JSON
// entries of kwait's log, and klog's verbose levels stay off. (klog's
// logger is process state: not parallel.)
func TestKlogIntoTheLog(t *testing.T) {
	var out bytes.Buffer
	log := newLogger(options{logLevel: zapcore.DebugLevel, logFormat: "json"}, Streams{Err: &out})
	routeKlog(log)
	t.Cleanup(klog.ClearLogger)
	klog.InfoS("watch ended", "resource", "pods")
	klog.ErrorS(errors.New("boom"), "unhandled error")
	klog.V(6).InfoS("GET https://apiserver/api with headers")
	klog.Flush()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log = %q, want two entries (V(6) off)", out.String())
	}
	for _, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil || m["logger"] != "klog" {
			t.Errorf("entry %q is not a JSON entry of logger klog (%v)", line, err)
		}
	}
	if !strings.Contains(lines[0], `"resource":"pods"`) || !strings.Contains(lines[1], `"error":"boom"`) {
		t.Errorf("entries %q lost their fields", lines)
	}
}
