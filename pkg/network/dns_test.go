package network

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// Tests never query the machine's nameserver: every resolver here sends its
// queries to a server on loopback, or to none at all.

// offlineResolver resolves from /etc/hosts only: a query that would go to a
// nameserver fails the test instead.
func offlineResolver(t *testing.T) *net.Resolver {
	t.Helper()
	return &net.Resolver{
		PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) {
			t.Error("a DNS query was about to be sent")
			return nil, errors.New("no DNS queries in tests")
		},
	}
}

func TestDNSLocalhost(t *testing.T) {
	t.Parallel()
	d, err := NewDNS("localhost", fastPoll(), offlineResolver(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Wait(t.Context(), newRecorder().report); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

func TestDNSInvalidNameWaitsUntilContextEnds(t *testing.T) {
	t.Parallel()
	queries := make(chan struct{}, 1)
	r := loopbackResolver(t, func() bool {
		select {
		case queries <- struct{}{}:
		default:
		}
		return false
	})
	d, err := NewDNS("kwait-test.invalid", fastPoll(), r)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rec := newRecorder()
	done := waitAsync(ctx, d, rec)
	rec.await(t, "no such host")
	// Still waiting: another query follows the NXDOMAIN answers so far.
	<-queries
	select {
	case <-queries:
	case err := <-done:
		t.Fatalf("Wait returned %v while the context was live", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
	if got, want := rec.all(), []string{"no such host"}; !slices.Equal(got, want) {
		t.Errorf("reported %q, want %q", got, want)
	}
}

func TestDNSNoSuchHostThenReady(t *testing.T) {
	t.Parallel()
	var exists atomic.Bool
	r := loopbackResolver(t, func() bool { return exists.Load() })
	d, err := NewDNS("db.kwait.invalid.", fastPoll(), r)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != "dns://db.kwait.invalid." {
		t.Errorf("Name() = %q", d.Name())
	}
	rec := newRecorder()
	done := waitAsync(t.Context(), d, rec)

	rec.await(t, "no such host")
	exists.Store(true)
	if err := <-done; err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

// loopbackResolver returns a pure-Go resolver whose every query goes to a
// tiny DNS server on a loopback UDP socket. The server answers A queries
// with 192.0.2.1 once exists says so, and NXDOMAIN before; other queries
// get an empty answer.
func loopbackResolver(t *testing.T, exists func() bool) *net.Resolver {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := dnsAnswer(buf[:n], exists()); resp != nil {
				_, _ = conn.WriteTo(resp, from)
			}
		}
	}()
	server := conn.LocalAddr().String()
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", server)
		},
	}
}

// dnsAnswer builds the response to one query (RFC 1035 section 4), or nil
// for a message it cannot read.
func dnsAnswer(query []byte, exists bool) []byte {
	const headerLen = 12
	i := headerLen
	for i < len(query) && query[i] != 0 {
		i += int(query[i]) + 1
	}
	end := i + 1 + 4 // root label, QTYPE, QCLASS
	if len(query) < end {
		return nil
	}
	qtype := binary.BigEndian.Uint16(query[i+1:])

	const typeA = 1
	flags := uint16(0x8180) // response, recursion desired and available
	var answers uint16
	var answer []byte
	switch {
	case !exists:
		flags |= 3 // NXDOMAIN
	case qtype == typeA:
		answers = 1
		answer = []byte{
			0xc0, headerLen, // the name in the question
			0, typeA, 0, 1, // type A, class IN
			0, 0, 0, 60, // TTL
			0, 4, 192, 0, 2, 1,
		}
	}
	resp := make([]byte, headerLen, end+len(answer))
	copy(resp, query[:2]) // ID
	binary.BigEndian.PutUint16(resp[2:], flags)
	binary.BigEndian.PutUint16(resp[4:], 1) // one question
	binary.BigEndian.PutUint16(resp[6:], answers)
	resp = append(resp, query[headerLen:end]...)
	return append(resp, answer...)
}

func TestNewDNS(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64)
	tests := []struct {
		host    string
		wantErr string
	}{
		{host: "db"},
		{host: "db.ns.svc.cluster.local."},
		{host: "_http._tcp.db.ns"},
		{host: "10.0.0.1"},
		{host: "fe80::1%eth0"},
		{host: "", wantErr: `invalid host "": empty host name`},
		{host: ".", wantErr: `invalid host ".": empty host name`},
		{host: "db..ns", wantErr: `invalid host "db..ns": empty label in host name`},
		{host: "db-.ns", wantErr: `invalid host "db-.ns": label "db-" starts or ends with a hyphen`},
		{host: "db:5432", wantErr: `invalid host "db:5432": label "db:5432" has invalid character ':'`},
		{host: "http://db", wantErr: `invalid host "http://db": label "http://db" has invalid character ':'`},
		{host: long, wantErr: `invalid host "` + long + `": label "` + long + `" longer than 63 characters`},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			d, err := NewDNS(tt.host, Poll{}, nil)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("NewDNS(%q) = %v, want error %q", tt.host, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewDNS(%q): %v", tt.host, err)
			}
			if want := "dns://" + tt.host; d.Name() != want {
				t.Errorf("Name() = %q, want %q", d.Name(), want)
			}
		})
	}
}
