package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kwait-dev/kwait/pkg/kube"
)

// auditEvent is the part of one apiserver audit event the bench uses.
type auditEvent struct {
	ID       string
	Verb     string
	URI      string
	UA       string
	User     string
	Received time.Time // requestReceivedTimestamp
	At       time.Time // stageTimestamp
}

// auditLog follows the apiserver's audit log (JSON lines) from the moment
// the bench started, keeping every event in memory. A watch yields two
// events (ResponseStarted, ResponseComplete) under one auditID, so counts
// are of distinct auditIDs: one per request.
type auditLog struct {
	mu      sync.Mutex
	events  []auditEvent
	changed chan struct{} // closed and replaced when events are appended
	err     error
}

func tailAudit(ctx context.Context, path string) (*auditLog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit log: %w", err)
	}
	a := &auditLog{changed: make(chan struct{})}
	go a.follow(ctx, f)
	return a, nil
}

func (a *auditLog) follow(ctx context.Context, f *os.File) {
	defer f.Close()
	chunk := make([]byte, 1<<20)
	var partial []byte
	for {
		n, err := f.Read(chunk)
		if n > 0 {
			data := append(partial, chunk[:n]...)
			end := bytes.LastIndexByte(data, '\n')
			if end < 0 {
				partial = data
				continue
			}
			a.add(data[:end])
			partial = append([]byte(nil), data[end+1:]...)
			continue
		}
		if err != nil && err != io.EOF {
			a.fail(err)
			return
		}
		if kube.Sleep(ctx, 10*time.Millisecond) != nil {
			return
		}
	}
}

type rawEvent struct {
	AuditID    string `json:"auditID"`
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	UserAgent  string `json:"userAgent"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	Received time.Time `json:"requestReceivedTimestamp"`
	Stage    time.Time `json:"stageTimestamp"`
}

func (a *auditLog) add(lines []byte) {
	var batch []auditEvent
	for _, line := range bytes.Split(lines, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		var r rawEvent
		if err := json.Unmarshal(line, &r); err != nil {
			continue // a line the apiserver cut short; not a request of ours
		}
		batch = append(batch, auditEvent{
			ID: r.AuditID, Verb: r.Verb, URI: r.RequestURI, UA: r.UserAgent, User: r.User.Username,
			Received: r.Received, At: r.Stage,
		})
	}
	a.mu.Lock()
	a.events = append(a.events, batch...)
	close(a.changed)
	a.changed = make(chan struct{})
	a.mu.Unlock()
}

func (a *auditLog) fail(err error) {
	a.mu.Lock()
	a.err = err
	close(a.changed)
	a.changed = make(chan struct{})
	a.mu.Unlock()
}

// len is the number of events read so far, a position for await.
func (a *auditLog) len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.events)
}

// await returns the first event at or after position from that matches.
func (a *auditLog) await(ctx context.Context, from int, match func(*auditEvent) bool) (auditEvent, error) {
	for {
		a.mu.Lock()
		for i := from; i < len(a.events); i++ {
			if match(&a.events[i]) {
				e := a.events[i]
				a.mu.Unlock()
				return e, nil
			}
		}
		from = len(a.events)
		changed, err := a.changed, a.err
		a.mu.Unlock()
		if err != nil {
			return auditEvent{}, fmt.Errorf("audit log: %w", err)
		}
		select {
		case <-ctx.Done():
			return auditEvent{}, ctx.Err()
		case <-changed:
		}
	}
}

// each calls fn for every event read so far.
func (a *auditLog) each(fn func(*auditEvent)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range a.events {
		fn(&a.events[i])
	}
}

// reqFilter selects the requests of one waiter: its user agent prefix, its
// user, and requests received within [From, To].
type reqFilter struct {
	UA       string // prefix, e.g. "kwait/" or "kubectl/"
	User     string // "" for any
	From, To time.Time
}

func (f reqFilter) match(e *auditEvent) bool {
	return strings.HasPrefix(e.UA, f.UA) && (f.User == "" || e.User == f.User) &&
		!e.Received.Before(f.From) && !e.Received.After(f.To)
}

// requests counts distinct requests matching f, in total and by verb.
type requests struct {
	Total  int            `json:"total"`
	ByVerb map[string]int `json:"byVerb"`
}

func (a *auditLog) count(f reqFilter) requests {
	seen := map[string]bool{}
	r := requests{ByVerb: map[string]int{}}
	a.each(func(e *auditEvent) {
		if seen[e.ID] || !f.match(e) {
			return
		}
		seen[e.ID] = true
		r.Total++
		r.ByVerb[e.Verb]++
	})
	return r
}

// String is "5 (2 get, 1 list, 2 watch)".
func (r requests) String() string {
	if r.Total == 0 {
		return "0"
	}
	var parts []string
	for _, v := range []string{"get", "list", "watch", "create", "update", "patch", "delete"} {
		if n := r.ByVerb[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	return fmt.Sprintf("%d (%s)", r.Total, strings.Join(parts, ", "))
}
