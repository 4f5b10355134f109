package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	xs := []float64{5, 1, 4, 2, 3}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {50, 3}, {100, 5}, {95, 4.8}, {25, 2}} {
		if got := percentile(xs, c.p); got != c.want {
			t.Errorf("percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestCountDistinctRequests(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &auditLog{changed: make(chan struct{})}
	a.add([]byte(`{"auditID":"1","verb":"list","userAgent":"kwait/v1","user":{"username":"admin"},"requestReceivedTimestamp":"2026-01-01T00:00:01Z","stageTimestamp":"2026-01-01T00:00:01Z"}
{"auditID":"2","verb":"watch","stage":"ResponseStarted","userAgent":"kwait/v1","user":{"username":"admin"},"requestReceivedTimestamp":"2026-01-01T00:00:02Z","stageTimestamp":"2026-01-01T00:00:02Z"}
{"auditID":"2","verb":"watch","stage":"ResponseComplete","userAgent":"kwait/v1","user":{"username":"admin"},"requestReceivedTimestamp":"2026-01-01T00:00:02Z","stageTimestamp":"2026-01-01T00:00:09Z"}
{"auditID":"3","verb":"get","userAgent":"kwait-bench/1","user":{"username":"admin"},"requestReceivedTimestamp":"2026-01-01T00:00:03Z","stageTimestamp":"2026-01-01T00:00:03Z"}
{"auditID":"4","verb":"get","userAgent":"kwait/v1","user":{"username":"user1"},"requestReceivedTimestamp":"2026-01-01T00:00:03Z","stageTimestamp":"2026-01-01T00:00:03Z"}
{"auditID":"5","verb":"get","userAgent":"kwait/v1","user":{"username":"admin"},"requestReceivedTimestamp":"2026-01-01T00:00:30Z","stageTimestamp":"2026-01-01T00:00:30Z"}
not json`))
	got := a.count(reqFilter{UA: kwaitUA, User: "admin", From: at, To: at.Add(10 * time.Second)})
	if got.Total != 2 || got.ByVerb["list"] != 1 || got.ByVerb["watch"] != 1 {
		t.Errorf("count = %+v, want one list and one watch", got)
	}
	if s := got.String(); s != "2 (1 list, 1 watch)" {
		t.Errorf("String() = %q", s)
	}
}

func TestReadRSS(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "rss")
	if err := os.WriteFile(f, []byte("Command exited with non-zero status 1\n18240\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readRSS(f); got != 18240*1024 {
		t.Errorf("readRSS = %d", got)
	}
}

func TestProcessCPU(t *testing.T) {
	t.Parallel()
	if _, err := processCPU("self"); err != nil {
		t.Fatal(err)
	}
}
