package network

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// mustHTTP builds an HTTP target that ignores the machine's proxy settings.
func mustHTTP(t *testing.T, o HTTPOptions, p Poll) *HTTP {
	t.Helper()
	h, err := newHTTP(o, p, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// mustBeReady waits for h under a generous deadline and wants it ready.
func mustBeReady(t *testing.T, h *HTTP) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	rec := newRecorder()
	if err := h.Wait(ctx, rec.report); err != nil {
		t.Fatalf("Wait: %v; reported %q", err, rec.all())
	}
}

// firstReason waits for h until it reports a reason, then stops it and
// returns that reason.
func firstReason(t *testing.T, h *HTTP) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got string
	report := func(r string) {
		if got == "" {
			got = r
		}
		cancel()
	}
	if err := h.Wait(ctx, report); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want pending", err)
	}
	return got
}

func quietServer(t *testing.T, h http.Handler, tls bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	// Refused handshakes are the point of some tests; keep them off stderr.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPBecomesReady(t *testing.T) {
	t.Parallel()
	var up atomic.Bool
	srv := quietServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}), false)
	h := mustHTTP(t, HTTPOptions{URL: srv.URL}, fastPoll())
	rec := newRecorder()
	done := waitAsync(t.Context(), h, rec)

	rec.await(t, "HTTP 503")
	up.Store(true)
	if err := <-done; err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

func TestHTTPStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code       int
		statuses   string
		wantReason string // empty: ready
	}{
		{code: 200},
		{code: 204},
		{code: 304},
		{code: 404, wantReason: "HTTP 404"},
		{code: 500, wantReason: "HTTP 500"},
		{code: 204, statuses: "200", wantReason: "HTTP 204"},
		{code: 404, statuses: "2xx,404"},
		{code: 503, statuses: "500-503"},
		{code: 504, statuses: "500-503", wantReason: "HTTP 504"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d in %q", tt.code, tt.statuses), func(t *testing.T) {
			t.Parallel()
			srv := quietServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.code)
			}), false)
			o := HTTPOptions{URL: srv.URL}
			if tt.statuses != "" {
				var err error
				if o.Statuses, err = ParseStatuses(tt.statuses); err != nil {
					t.Fatal(err)
				}
			}
			h := mustHTTP(t, o, fastPoll())
			if tt.wantReason == "" {
				mustBeReady(t, h)
				return
			}
			if got := firstReason(t, h); got != tt.wantReason {
				t.Errorf("reason %q, want %q", got, tt.wantReason)
			}
		})
	}
}

func TestHTTPBody(t *testing.T) {
	t.Parallel()
	srv := quietServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			// The needle lies past the 1 MiB that is read.
			_, _ = w.Write([]byte(strings.Repeat(".", maxBody) + "needle"))
			return
		}
		_, _ = io.WriteString(w, "database: up\nstatus: ok\n")
	}), false)
	tests := []struct {
		name       string
		path       string
		contains   string
		re         string
		wantReason string
	}{
		{name: "contains", contains: "status: ok"},
		{name: "matches", re: `(?m)^status: (ok|up)$`},
		{name: "both", contains: "database", re: `status: \w+`},
		{name: "does not contain", contains: "status: down",
			wantReason: `HTTP 200 but body does not contain "status: down"`},
		{name: "does not match", re: `^status`,
			wantReason: `HTTP 200 but body does not match "^status"`},
		{name: "contains but does not match", contains: "ok", re: `down`,
			wantReason: `HTTP 200 but body does not match "down"`},
		{name: "past the limit", path: "/big", contains: "needle",
			wantReason: `HTTP 200 but body does not contain "needle"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := mustHTTP(t, HTTPOptions{URL: srv.URL + tt.path, BodyContains: tt.contains, BodyRegexp: tt.re}, fastPoll())
			if tt.wantReason == "" {
				mustBeReady(t, h)
				return
			}
			if got := firstReason(t, h); got != tt.wantReason {
				t.Errorf("reason %q, want %q", got, tt.wantReason)
			}
		})
	}
}

func TestHTTPRequest(t *testing.T) {
	t.Parallel()
	srv := quietServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method != http.MethodPost:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case r.Header.Get("Authorization") != "Bearer s3cret",
			r.Header.Get("X-Tenant") != "a",
			r.Host != "api.example.test":
			w.WriteHeader(http.StatusUnauthorized)
		}
	}), false)
	header := http.Header{}
	header.Set("Authorization", "Bearer s3cret")
	header.Set("X-Tenant", "a")
	header.Set("Host", "api.example.test")

	mustBeReady(t, mustHTTP(t, HTTPOptions{URL: srv.URL, Method: "post", Headers: header}, fastPoll()))

	// Without the headers the server refuses, and the reason says only so.
	got := firstReason(t, mustHTTP(t, HTTPOptions{URL: srv.URL, Method: http.MethodPost}, fastPoll()))
	if got != "HTTP 401" {
		t.Errorf("reason %q, want HTTP 401", got)
	}
}

func TestHTTPFollowsRedirects(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/old", http.RedirectHandler("/new", http.StatusFound))
	mux.HandleFunc("/new", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "new") })
	srv := quietServer(t, mux, false)
	mustBeReady(t, mustHTTP(t, HTTPOptions{URL: srv.URL + "/old", Statuses: mustStatuses(t, "200"), BodyContains: "new"}, fastPoll()))
}

func mustStatuses(t *testing.T, s string) StatusSet {
	t.Helper()
	set, err := ParseStatuses(s)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestHTTPS(t *testing.T) {
	t.Parallel()
	srv := quietServer(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), true)

	t.Run("unknown authority", func(t *testing.T) {
		t.Parallel()
		got := firstReason(t, mustHTTP(t, HTTPOptions{URL: srv.URL}, fastPoll()))
		if got != "x509: certificate signed by unknown authority" {
			t.Errorf("reason %q, want the x509 unknown authority error", got)
		}
	})
	t.Run("CA file", func(t *testing.T) {
		t.Parallel()
		caFile := filepath.Join(t.TempDir(), "ca.pem")
		block := &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}
		if err := os.WriteFile(caFile, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		mustBeReady(t, mustHTTP(t, HTTPOptions{URL: srv.URL, TLS: TLSOptions{CAFile: caFile}}, fastPoll()))
	})
	t.Run("insecure", func(t *testing.T) {
		t.Parallel()
		mustBeReady(t, mustHTTP(t, HTTPOptions{URL: srv.URL, TLS: TLSOptions{Insecure: true}}, fastPoll()))
	})
	t.Run("plain http to a TLS port", func(t *testing.T) {
		t.Parallel()
		got := firstReason(t, mustHTTP(t, HTTPOptions{URL: "http://" + srv.Listener.Addr().String()}, fastPoll()))
		if got != "HTTP 400" {
			t.Errorf("reason %q, want HTTP 400 (Go's TLS server answers plain HTTP so)", got)
		}
	})
}

func TestHTTPSToPlainServer(t *testing.T) {
	t.Parallel()
	srv := quietServer(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), false)
	got := firstReason(t, mustHTTP(t, HTTPOptions{URL: "https://" + srv.Listener.Addr().String()}, fastPoll()))
	if got != "http: server gave HTTP response to HTTPS client" {
		t.Errorf("reason %q, want Go's plain-server error", got)
	}
}

// silentListener accepts connections and never writes to them, like a
// server stuck before sending headers.
func silentListener(t *testing.T) string {
	t.Helper()
	ln := listen(t, "127.0.0.1:0")
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

func TestHTTPAttemptTimeout(t *testing.T) {
	t.Parallel()
	addr := silentListener(t)
	p := Poll{AttemptTimeout: 100 * time.Millisecond, Interval: time.Millisecond, MaxInterval: 10 * time.Millisecond}
	h := mustHTTP(t, HTTPOptions{URL: "http://" + addr + "/healthz"}, p)
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	rec := newRecorder()

	start := time.Now()
	err := h.Wait(ctx, rec.report)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v, want context.DeadlineExceeded", err)
	}
	// Generous: only a Wait that ignores ctx would take this long.
	if elapsed := time.Since(start); elapsed > 6*time.Second {
		t.Errorf("Wait returned %v after start, long after the 1s deadline", elapsed)
	}
	if got := rec.all(); len(got) != 1 || got[0] != "timed out after 100ms" {
		t.Errorf("reported %q, want only %q", got, "timed out after 100ms")
	}
}

func TestHTTPConnectionRefused(t *testing.T) {
	t.Parallel()
	got := firstReason(t, mustHTTP(t, HTTPOptions{URL: "http://" + closedAddr(t)}, fastPoll()))
	if got != "connection refused" {
		t.Errorf("reason %q, want connection refused", got)
	}
}

func TestHTTPName(t *testing.T) {
	t.Parallel()
	tests := []struct{ url, want string }{
		{"http://db:8080/healthz?full=1", "http://db:8080/healthz?full=REDACTED"},
		{"http://api/ready?token=s3cret&x", "http://api/ready?token=REDACTED&x"},
		{"HTTPS://Api.Example/x", "HTTPS://Api.Example/x"},
		{"http://TOKEN@db/", "http://REDACTED@db/"}, // a user alone may be a token
		{"http://user:s3cret@db/health", "http://REDACTED@db/health"},
	}
	for _, tt := range tests {
		h := mustHTTP(t, HTTPOptions{URL: tt.url}, Poll{})
		if h.Name() != tt.want {
			t.Errorf("Name() = %q for %q, want %q", h.Name(), tt.url, tt.want)
		}
	}
}

func TestNewHTTPInvalid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		name    string
		o       HTTPOptions
		wantErr string
	}{
		{"empty", HTTPOptions{}, `invalid URL "": want an absolute http:// or https:// URL`},
		{"relative", HTTPOptions{URL: "/healthz"}, `invalid URL "/healthz": want an absolute http:// or https:// URL`},
		{"no scheme", HTTPOptions{URL: "db:8080"}, `invalid URL "db:8080": want an absolute http:// or https:// URL`},
		{"ftp", HTTPOptions{URL: "ftp://db/"}, `invalid URL "ftp://db/": want an absolute http:// or https:// URL`},
		{"no host", HTTPOptions{URL: "http:///healthz"}, `invalid URL "http:///healthz": missing host`},
		{"port only", HTTPOptions{URL: "http://:80/"}, `invalid URL "http://:80/": missing host`},
		{"port 0", HTTPOptions{URL: "http://db:0/"}, `invalid URL "http://db:0/": port "0" is not a number 1-65535`},
		{"unparsable", HTTPOptions{URL: "http://db:80:80/"}, `invalid URL "http://db:80:80/": invalid port ":80:80" after host`},
		{"unparsable with password", HTTPOptions{URL: "http://u:s3cret@db:x/"}, `invalid URL "http://REDACTED@db:x/": invalid port ":x" after host`},
		{"password in error", HTTPOptions{URL: "ftp://u:s3cret@db/"}, `invalid URL "ftp://REDACTED@db/": want an absolute http:// or https:// URL`},
		{"bad regexp", HTTPOptions{URL: "http://db/", BodyRegexp: "(ok"}, "invalid body regexp: error parsing regexp: missing closing ): `(ok`"},
		{"head with body check", HTTPOptions{URL: "http://db/", Method: "HEAD", BodyContains: "ok"},
			"body checks need a response body, and HEAD responses have none"},
		{"bad method", HTTPOptions{URL: "http://db/", Method: "GE T"}, `invalid HTTP method "GE T"`},
		{"bad header name", HTTPOptions{URL: "http://db/", Headers: http.Header{"X Token": {"s3cret"}}}, `invalid header name "X Token"`},
		{"bad header value", HTTPOptions{URL: "http://db/", Headers: http.Header{"X-Token": {"s3cret\r\nX-Evil: 1"}}},
			`invalid header "X-Token": value has a control character`},
		{"missing CA file", HTTPOptions{URL: "https://db/", TLS: TLSOptions{CAFile: missing}}, "read CA file: open " + missing + ": no such file or directory"},
		{"CA file without certificates", HTTPOptions{URL: "https://db/", TLS: TLSOptions{CAFile: notPEM}}, "CA file " + notPEM + " has no PEM certificates"},
		{"insecure and CA file", HTTPOptions{URL: "https://db/", TLS: TLSOptions{CAFile: notPEM, Insecure: true}}, "insecure and a CA file exclude each other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := newHTTP(tt.o, Poll{}, noEnv)
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("NewHTTP = %v, want error %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q leaks a secret", err)
			}
		})
	}
}
