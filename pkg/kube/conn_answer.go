package kube

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Bounds on a silent apiserver. Every request, a streaming WATCH included,
// must bring its response headers within answerTimeout; an open watch that
// delivers nothing, not even a bookmark, for watchIdle is closed and opened
// again from where it was, so a connection that stopped carrying data (a
// stalled load balancer, a hung aggregated API server) is noticed within
// watchIdle + answerTimeout on HTTP/1.1 and HTTP/2 alike, without relying
// on HTTP/2 pings. README states both; keep them true.
const (
	answerTimeout = 15 * time.Second
	watchIdle     = 30 * time.Second
)

// NoAnswerError is a request the apiserver did not answer in time: no
// response headers within After.
type NoAnswerError struct{ After time.Duration }

func (e *NoAnswerError) Error() string {
	return fmt.Sprintf("no answer from the apiserver for %s", e.After)
}

// boundAnswers wraps an apiserver transport so that no request waits longer
// than after for its response headers. The body is not bounded: a watch
// streams for minutes; watchIdle bounds its silence instead.
func boundAnswers(after time.Duration) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return &answerBound{next: next, after: after}
	}
}

type answerBound struct {
	next  http.RoundTripper
	after time.Duration
}

func (b *answerBound) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	timer := time.AfterFunc(b.after, cancel)
	resp, err := b.next.RoundTrip(req.WithContext(ctx))
	fired := !timer.Stop()
	switch {
	case err != nil && fired && req.Context().Err() == nil:
		cancel()
		return nil, &NoAnswerError{After: b.after}
	case err != nil:
		cancel()
		return nil, err
	case fired:
		// The headers came as the bound passed: the request is cancelled
		// already, its body unreadable.
		_ = resp.Body.Close()
		cancel()
		return nil, &NoAnswerError{After: b.after}
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases the request's context with its body.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
	once   sync.Once
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.once.Do(c.cancel)
	return err
}
