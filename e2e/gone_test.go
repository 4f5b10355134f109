//go:build e2e

package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestGoneTCP: --gone waits while the port accepts and ends once it is
// free.
func TestGoneTCP(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	addr := ln.Addr().String()
	p := start(t, "tcp://"+addr, "--gone", "--timeout", "60s")
	p.await(t, "tcp://"+addr, "still answering")
	ln.Close()
	p.expect(t, 0)
	kwait(t, 0, "tcp", addr, "--gone", "--timeout", "10s")
}

// TestGoneHTTP: --gone on a URL waits while it answers as expected (by
// default any status 200-399) and ends once it answers otherwise or not
// at all.
func TestGoneHTTP(t *testing.T) {
	t.Parallel()
	draining := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		select {
		case <-draining:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
		}
	}))
	p := start(t, "http", srv.URL, "--gone", "--timeout", "60s")
	p.await(t, srv.URL, "still answering")
	close(draining)
	p.expect(t, 0)
	// With --status 503 a 503 is the expected answer: still answering,
	// until the server is gone.
	p = start(t, srv.URL, "--status", "503", "--gone", "--timeout", "60s")
	p.await(t, "still answering")
	srv.Close()
	p.expect(t, 0)
}

// TestGoneDNS: --gone on a name that resolves times out naming it; on a
// name that does not, it is ready at once.
func TestGoneDNS(t *testing.T) {
	t.Parallel()
	fakeDNS(t, "127.0.0.156")
	p, _ := dnsInNamespace(t, "127.0.0.156", "dns", "nothing.invalid", "--gone", "--timeout", "10s")
	p.expect(t, 0)
	p, _ = dnsInNamespace(t, "127.0.0.156", "dns://localhost", "--gone", "--timeout", "2s")
	out := p.expect(t, 124)
	mustContain(t, out, "dns://localhost: still answering")
}
