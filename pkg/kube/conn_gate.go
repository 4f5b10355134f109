package kube

import (
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// Bounds on how requests find a connection to the apiserver. An apiserver
// takes 100 streams on one HTTP/2 connection by default; when every
// connection is full, each request that finds none dials its own. A
// thousand targets starting together then opened up to 375 TLS connections
// where 11 carry them (and each costs memory on both sides), so at most
// connectSlots requests look for a connection at once. A request holds its
// slot only until it has a connection (httptrace's GotConn), never while
// the apiserver answers, and for at most connectHold: a silent apiserver
// or a slow dial delays the next request by that much, never more.
const (
	connectSlots = 4
	connectHold  = time.Second
)

// gateConnections wraps an apiserver transport with the slots above.
func gateConnections(slots int, hold time.Duration) func(http.RoundTripper) http.RoundTripper {
	gate := make(chan struct{}, slots)
	return func(next http.RoundTripper) http.RoundTripper {
		return &connectGate{next: next, slots: gate, hold: hold}
	}
}

type connectGate struct {
	next  http.RoundTripper
	slots chan struct{}
	hold  time.Duration
}

func (g *connectGate) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	release := func() { once.Do(func() { <-g.slots }) }
	timer := time.AfterFunc(g.hold, release)
	defer timer.Stop()
	defer release()
	traced := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { release() }})
	return g.next.RoundTrip(req.WithContext(traced))
}
