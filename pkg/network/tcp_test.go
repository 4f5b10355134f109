package network

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// closedAddr returns a loopback address nothing listens on: it listens,
// takes the address, and closes.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln
}

func mustTCP(t *testing.T, addr string, p Poll) *TCP {
	t.Helper()
	tg, err := NewTCP(addr, p)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestTCPReady(t *testing.T) {
	t.Parallel()
	ln := listen(t, "127.0.0.1:0")
	tg := mustTCP(t, ln.Addr().String(), fastPoll())
	rec := newRecorder()
	if err := tg.Wait(t.Context(), rec.report); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if got := rec.all(); len(got) != 0 {
		t.Errorf("reported %q for a ready port", got)
	}
}

func TestTCPRefusedThenReady(t *testing.T) {
	t.Parallel()
	addr := closedAddr(t)
	tg := mustTCP(t, addr, fastPoll())
	rec := newRecorder()
	done := waitAsync(t.Context(), tg, rec)

	rec.await(t, "connection refused")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s was taken meanwhile: %v", addr, err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	if err := <-done; err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

func TestTCPContextDeadline(t *testing.T) {
	t.Parallel()
	addr := closedAddr(t)
	tg := mustTCP(t, addr, DefaultPoll())
	// Long enough for the first attempt to be refused, however busy the
	// machine is: 200ms plus ten times what one refused dial takes now.
	began := time.Now()
	if c, err := net.Dial("tcp", addr); err == nil {
		_ = c.Close()
		t.Skipf("port %s was taken meanwhile", addr)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond+10*time.Since(began))
	defer cancel()
	rec := newRecorder()

	start := time.Now()
	err := tg.Wait(ctx, rec.report)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v, want context.DeadlineExceeded", err)
	}
	// Generous: only a Wait that ignores ctx would take this long.
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Wait returned %v after start, long after its deadline", elapsed)
	}
	if want := []string{"connection refused"}; !slices.Equal(rec.all(), want) {
		t.Errorf("reported %q, want %q", rec.all(), want)
	}
}

func TestNewTCP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr     string
		wantName string
		wantErr  string
	}{
		{addr: "db:5432", wantName: "tcp://db:5432"},
		{addr: "db.ns.svc.cluster.local.:5432", wantName: "tcp://db.ns.svc.cluster.local.:5432"},
		{addr: "10.0.0.1:80", wantName: "tcp://10.0.0.1:80"},
		{addr: "[::1]:65535", wantName: "tcp://[::1]:65535"},
		{addr: "db", wantErr: `invalid tcp address "db": missing port in address`},
		{addr: "db:", wantErr: `invalid tcp address "db:": missing port`},
		{addr: "db:0", wantErr: `invalid tcp address "db:0": port "0" is not a number 1-65535`},
		{addr: "db:70000", wantErr: `invalid tcp address "db:70000": port "70000" is not a number 1-65535`},
		{addr: "db:+80", wantErr: `invalid tcp address "db:+80": port "+80" is not a number 1-65535`},
		{addr: "db:postgres", wantErr: `invalid tcp address "db:postgres": port "postgres" is not a number 1-65535`},
		{addr: ":80", wantErr: `invalid tcp address ":80": missing host`},
		{addr: "", wantErr: `invalid tcp address "": missing port in address`},
		{addr: "a b:80", wantErr: `invalid tcp address "a b:80": label "a b" has invalid character ' '`},
		{addr: "-db:80", wantErr: `invalid tcp address "-db:80": label "-db" starts or ends with a hyphen`},
		{addr: "db..ns:80", wantErr: `invalid tcp address "db..ns:80": empty label in host name`},
		{addr: "::1:80", wantErr: `invalid tcp address "::1:80": too many colons in address`},
		{addr: "db:80\nx", wantErr: `invalid tcp address "db:80\nx": port "80\nx" is not a number 1-65535`},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			tg, err := NewTCP(tt.addr, Poll{})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("NewTCP(%q) = %v, want error %q", tt.addr, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewTCP(%q): %v", tt.addr, err)
			}
			if tg.Name() != tt.wantName {
				t.Errorf("Name() = %q, want %q", tg.Name(), tt.wantName)
			}
		})
	}
}

func FuzzNewTCPAddress(f *testing.F) {
	f.Fuzz(func(t *testing.T, addr string) {
		tg, err := NewTCP(addr, Poll{})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		if tg.Name() != "tcp://"+addr {
			t.Errorf("Name() = %q for %q", tg.Name(), addr)
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("accepted %q, which does not split: %v", addr, err)
		}
		if err := checkPort(port); err != nil {
			t.Errorf("accepted %q with bad port: %v", addr, err)
		}
	})
}
