package kube

import (
	"net/http"
	"net/http/httptrace"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// dialer stands in for the transport under the gate: a request "looks for
// a connection" until it calls GotConn, then "waits for its answer".
type dialer struct {
	mu           sync.Mutex
	looking, top int
	connected    int
	connect      chan struct{}  // closed: requests find their connection
	answer       chan struct{}  // closed: the apiserver answers
	silent       bool           // GotConn never comes
	entered      chan time.Time // when each request came, if not nil
}

func (d *dialer) RoundTrip(req *http.Request) (*http.Response, error) {
	d.mu.Lock()
	d.looking++
	d.top = max(d.top, d.looking)
	d.mu.Unlock()
	if d.entered != nil {
		d.entered <- time.Now()
	}
	if d.silent {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	<-d.connect
	d.mu.Lock()
	d.looking--
	d.mu.Unlock()
	if trace := httptrace.ContextClientTrace(req.Context()); trace != nil && trace.GotConn != nil {
		trace.GotConn(httptrace.GotConnInfo{})
	}
	d.mu.Lock()
	d.connected++
	d.mu.Unlock()
	<-d.answer
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

// now is how many requests look for a connection, and the most that did.
func (d *dialer) now() (looking, top int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.looking, d.top
}

func roundTrips(t *testing.T, rt http.RoundTripper, n int) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://apiserver/api", nil)
			if resp, err := rt.RoundTrip(req); err == nil {
				_ = resp.Body.Close()
			}
		})
	}
	return &wg
}

func TestConnectGateBoundsRequestsLookingForAConnection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &dialer{connect: make(chan struct{}), answer: make(chan struct{})}
		wg := roundTrips(t, gateConnections(4, time.Hour)(d), 20)
		synctest.Wait()
		if looking, _ := d.now(); looking != 4 {
			t.Errorf("%d requests look for a connection at once, want 4", looking)
		}
		close(d.connect)
		close(d.answer)
		wg.Wait()
		if _, top := d.now(); top != 4 {
			t.Errorf("at most %d requests looked for a connection at once, want 4", top)
		}
	})
}

func TestConnectGateFreesTheSlotOnceConnected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Every request finds its connection at once and the apiserver
		// never answers: none of them may hold up the next.
		connected := make(chan struct{})
		close(connected)
		d := &dialer{connect: connected, answer: make(chan struct{})}
		rt := gateConnections(2, time.Hour)(d)
		wg := roundTrips(t, rt, 10)
		synctest.Wait()
		late := roundTrips(t, rt, 1)
		synctest.Wait()
		d.mu.Lock()
		if d.connected != 11 {
			t.Errorf("%d of 11 requests reached the apiserver while it did not answer, want all: a connected request must free its slot", d.connected)
		}
		d.mu.Unlock()
		close(d.answer)
		late.Wait()
		wg.Wait()
	})
}

func TestConnectGateHoldsASlotAtMostConnectHold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Connections never come: the second request gets the only slot
		// when the first has held it for connectHold, on the bubble's clock.
		d := &dialer{silent: true, entered: make(chan time.Time, 2)}
		rt := gateConnections(1, connectHold)(d)
		start := time.Now()
		roundTrips(t, rt, 2)
		first, second := <-d.entered, <-d.entered
		if got := first.Sub(start); got != 0 {
			t.Errorf("the first request waited %s for a free slot", got)
		}
		if got := second.Sub(start); got != connectHold {
			t.Errorf("the second request got the slot after %s, want %s", got, connectHold)
		}
	})
}
