//go:build e2e

package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestTCP(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	p := start(t, "tcp", addr, "--timeout", "60s")
	p.await(t, "tcp://"+addr, "connection refused")
	ln, err := net.Listen("tcp", addr)
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
	p.expect(t, 0)
	kwait(t, 0, "tcp", addr, "--timeout", "10s")
}

func TestHTTP(t *testing.T) {
	t.Parallel()
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"status":"UP"}`))
	}))
	defer srv.Close()
	p := start(t, "http", srv.URL+"/health", "--status", "200", "--body-contains", "UP", "--timeout", "60s")
	p.await(t, "HTTP 503")
	healthy.Store(true)
	p.expect(t, 0)
	kwait(t, 0, "http", srv.URL+"/health", "--status", "2xx", "--timeout", "10s")
}

// TestDNS resolves in a mount namespace whose only nameserver is a fake on
// loopback (see dnsInNamespace), so no query reaches the machine's own.
func TestDNS(t *testing.T) {
	t.Parallel()
	fakeDNS(t, "127.0.0.155")
	p, _ := dnsInNamespace(t, "127.0.0.155", "dns", "localhost", "--timeout", "10s")
	p.expect(t, 0)
	p, _ = dnsInNamespace(t, "127.0.0.155", "dns", "nothing.invalid", "--timeout", "2s")
	out := p.expect(t, 124)
	mustContain(t, out, "dns://nothing.invalid: no such host")
}

// TestMixedForm waits for every family in one call under one deadline.
func TestMixedForm(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	apply(t, ns, deploymentYAML("api", 1, ""))
	kwait(t, 0, "deployment/"+ns+"/api", "pods/"+ns+"/app=api", "tcp://"+ln.Addr().String(), srv.URL, "dns://localhost",
		"--timeout", "60s")
}
