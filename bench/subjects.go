package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kwait-dev/kwait/pkg/kube"
)

// subject makes things that are not ready yet and turns them ready on cue.
type subject interface {
	// next returns a fresh thing, not ready yet.
	next(ctx context.Context) (thing, error)
	// trigger makes t ready and returns the moment it became ready.
	trigger(ctx context.Context, t thing) (time.Time, error)
	// release frees what t holds once its trial is over.
	release(t thing)
}

var thingSeq atomic.Int64

// crdSubject: a CRD that does not exist yet; trigger creates it, ready is
// when the bench's watch sees Established=True.
type crdSubject struct {
	b       *bench
	section string
}

func (s *crdSubject) next(context.Context) (thing, error) {
	group := fmt.Sprintf("t%04d.%s.bench.kwait.dev", thingSeq.Add(1), s.b.c.runID)
	return thing{Kind: "crd", Name: "widgets." + group}, nil
}

func (s *crdSubject) trigger(ctx context.Context, t thing) (time.Time, error) {
	crd := s.b.c.newCRD("widgets", t.Name[len("widgets."):], map[string]string{"section": s.section})
	if err := s.b.c.createCRD(ctx, crd); err != nil {
		return time.Time{}, err
	}
	return s.b.obs.readyAt(ctx, t.key(), time.Minute)
}

func (s *crdSubject) release(thing) {}

// deploymentSubject: a Deployment created paused (not rolled out);
// trigger unpauses it, ready is when the bench's watch sees the rollout
// finished (kubectl rollout status rules).
type deploymentSubject struct {
	b       *bench
	section string
}

func (s *deploymentSubject) next(ctx context.Context) (thing, error) {
	name := fmt.Sprintf("d%04d", thingSeq.Add(1))
	if err := s.b.c.createDeployment(ctx, s.b.c.newDeployment(name, map[string]string{"section": s.section})); err != nil {
		return thing{}, err
	}
	// Let the controller write the paused status first, so the waiter
	// starts on a settled object.
	deps := s.b.c.kube.AppsV1().Deployments(s.b.c.namespace)
	for start := time.Now(); time.Since(start) < 30*time.Second; {
		d, err := deps.Get(ctx, name, metav1.GetOptions{})
		if err == nil && d.Status.ObservedGeneration >= d.Generation {
			return thing{Kind: "deployment", Name: name, NS: s.b.c.namespace}, nil
		}
		if err := kube.Sleep(ctx, 50*time.Millisecond); err != nil {
			return thing{}, err
		}
	}
	return thing{}, fmt.Errorf("deployment %s: status never observed", name)
}

func (s *deploymentSubject) trigger(ctx context.Context, t thing) (time.Time, error) {
	if err := s.b.c.unpause(ctx, t.Name); err != nil {
		return time.Time{}, err
	}
	return s.b.obs.readyAt(ctx, t.key(), time.Minute)
}

func (s *deploymentSubject) release(thing) {}

// tcpSubject: a port nobody listens on yet; trigger starts listening, which
// is the ready moment.
type tcpSubject struct {
	mu        sync.Mutex
	listeners map[string]net.Listener
}

func newTCPSubject() *tcpSubject { return &tcpSubject{listeners: map[string]net.Listener{}} }

func (s *tcpSubject) next(context.Context) (thing, error) {
	// Take a free port from the kernel and give it back; it is listened on
	// again at the trigger.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return thing{}, err
	}
	addr := l.Addr().String()
	l.Close()
	return thing{Kind: "tcp", Name: addr, Addr: addr}, nil
}

func (s *tcpSubject) trigger(_ context.Context, t thing) (time.Time, error) {
	l, err := net.Listen("tcp", t.Addr)
	at := time.Now()
	if err != nil {
		return time.Time{}, fmt.Errorf("listen %s: %w", t.Addr, err)
	}
	s.mu.Lock()
	s.listeners[t.Addr] = l
	s.mu.Unlock()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	return at, nil
}

func (s *tcpSubject) release(t thing) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.listeners[t.Addr]; ok {
		l.Close()
		delete(s.listeners, t.Addr)
	}
}

// httpSubject: an HTTP server answering 503 until the trigger flips it to
// 200; the flip is the ready moment.
type httpSubject struct {
	mu      sync.Mutex
	servers map[string]*flipServer
}

type flipServer struct {
	srv   *http.Server
	ready atomic.Bool
}

func newHTTPSubject() *httpSubject { return &httpSubject{servers: map[string]*flipServer{}} }

func (s *httpSubject) next(context.Context) (thing, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return thing{}, err
	}
	fs := &flipServer{}
	fs.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if fs.ready.Load() {
				w.WriteHeader(http.StatusOK)
				return
			}
			w.WriteHeader(http.StatusServiceUnavailable)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = fs.srv.Serve(l) }()
	url := "http://" + l.Addr().String() + "/healthz"
	s.mu.Lock()
	s.servers[url] = fs
	s.mu.Unlock()
	return thing{Kind: "http", Name: url, URL: url}, nil
}

func (s *httpSubject) trigger(_ context.Context, t thing) (time.Time, error) {
	s.mu.Lock()
	fs := s.servers[t.URL]
	s.mu.Unlock()
	fs.ready.Store(true)
	return time.Now(), nil
}

func (s *httpSubject) release(t thing) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fs, ok := s.servers[t.URL]; ok {
		fs.srv.Close()
		delete(s.servers, t.URL)
	}
}

// readySubject returns a thing of kind that is ready now, for the cases
// that measure a wait with nothing to wait for. The returned func releases
// it.
func (b *bench) readyThing(ctx context.Context, kind, section string) (thing, func(), error) {
	var s subject
	switch kind {
	case "crd":
		s = &crdSubject{b: b, section: section}
	case "deployment":
		s = &deploymentSubject{b: b, section: section}
	case "tcp":
		s = newTCPSubject()
	case "http":
		s = newHTTPSubject()
	default:
		return thing{}, nil, fmt.Errorf("unknown kind %s", kind)
	}
	t, err := s.next(ctx)
	if err == nil {
		_, err = s.trigger(ctx, t)
	}
	if err == nil && kind == "crd" {
		group := t.Name[len("widgets."):]
		err = b.c.servedEverywhere(ctx, group, []string{"widgets"})
	}
	if err != nil {
		s.release(t)
		return thing{}, nil, err
	}
	return t, func() { s.release(t) }, nil
}
