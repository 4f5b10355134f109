package kube

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestAnswerBound: a server that never sends its response headers fails the
// request with NoAnswerError after the bound, over HTTP/1.1 and HTTP/2; one
// that answers at once and then streams slowly is not cut: the bound ends at
// the headers.
func TestAnswerBound(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/silent", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	const bound = 200 * time.Millisecond
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		// A slow body, as a watch's: its first bytes come after the bound.
		select {
		case <-r.Context().Done():
			return
		case <-time.After(3 * bound):
		}
		_, _ = io.WriteString(w, "late")
	})
	for _, h2 := range []bool{false, true} {
		srv := httptest.NewUnstartedServer(mux)
		srv.EnableHTTP2 = h2
		srv.StartTLS()
		t.Cleanup(srv.Close)
		client := &http.Client{Transport: boundAnswers(bound)(srv.Client().Transport)}
		name := map[bool]string{false: "HTTP/1.1", true: "HTTP/2"}[h2]
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			resp, err := client.Get(srv.URL + "/silent")
			var silent *NoAnswerError
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET /silent answered %s, want NoAnswerError", resp.Status)
			}
			if !errors.As(err, &silent) || silent.After != bound {
				t.Fatalf("GET /silent: %v, want NoAnswerError after %s", err, bound)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("GET /silent gave up after %s, want about %s", d, bound)
			}
			if got, want := describe(err), "no answer from the apiserver for 200ms"; got != want {
				t.Errorf("describe() = %q, want %q", got, want)
			}

			resp, err = client.Get(srv.URL + "/stream")
			if err != nil {
				t.Fatalf("GET /stream: %v, want the headers", err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || string(b) != "late" {
				t.Errorf("body = %q, %v; want \"late\": the bound ends at the headers", b, err)
			}
		})
	}
	close(release)
}

// TestAnswerBoundKeepsCallerCancel: a caller's own cancellation is its
// error, not a stall.
func TestAnswerBoundKeepsCallerCancel(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: boundAnswers(time.Hour)(srv.Client().Transport)}
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	go cancel()
	_, err := client.Do(req)
	var silent *NoAnswerError
	if err == nil || errors.As(err, &silent) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Do() = %v, want context.Canceled", err)
	}
}
