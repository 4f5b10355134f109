// Package events records Kubernetes Events (events.k8s.io/v1) on the pod
// kwait runs in, so that kubectl describe pod shows what a waiting init
// container waits for and why, while it waits: one Event when the wait
// starts, one when a target's reason changes (rate-limited, a repeated
// reason counted on its earlier Event), one per target ready, and a
// Warning naming every pending target when the wait times out or fails.
//
// Recording is a bystander: it runs in its own goroutine, never blocks the
// wait, and a failure to record is logged once and changes nothing else.
package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kwait-dev/kwait/pkg/runner"
	"github.com/kwait-dev/kwait/pkg/target"
)

// Event reasons, CamelCase as Kubernetes writes them.
const (
	ReasonWaiting  = "Waiting"  // the wait started: the note names every target
	ReasonPending  = "Pending"  // a target's reason changed
	ReasonReady    = "Ready"    // a target is ready
	ReasonTimedOut = "TimedOut" // Warning: the deadline passed
	ReasonFailed   = "Failed"   // Warning: a target failed for good
	ReasonStopped  = "Stopped"  // Warning: interrupted, or ended otherwise
)

// Default bounds of the Events about reasons: a reason that flickers
// yields at most DefaultBurst Events at once, then one per DefaultEvery,
// each about the latest reason of a target whose reason changed. The Events
// of the start, of each target ready and of the end are not limited.
const (
	DefaultBurst = 4
	DefaultEvery = 30 * time.Second
)

// requestTimeout bounds one write to the apiserver.
const requestTimeout = 5 * time.Second

// Options configure a Recorder.
type Options struct {
	Pod  Pod
	Sink Sink
	// Log receives the one warning when recording fails. Required.
	Log *zap.Logger
	// Burst and Every bound the Events about reasons; zero means
	// DefaultBurst and DefaultEvery.
	Burst int
	Every time.Duration
}

// Recorder records a run's Events. It implements runner.Watcher.
type Recorder struct {
	o       Options
	limiter *rate.Limiter
	cancel  context.CancelFunc
	wake    chan struct{}
	stopped chan struct{}

	mu      sync.Mutex
	queue   []event           // start, ready and end Events, in order, never limited
	latest  map[string]string // a target's reason not yet recorded
	changed []string          // the targets in latest, in the order they changed
	ready   map[string]bool
	counts  map[string]*series // reason Events written, by target and reason
	closing bool
	failed  bool // a write failed: logged once
	off     bool // recording is refused (Forbidden): stop trying
}

// series is a reason Event written, and how often its reason was seen.
type series struct {
	name  string
	count int
}

// Start records the Event that the wait for targets started, and keeps
// recording until Close. ctx bounds the recorder's life; it should outlive
// the run's deadline (context.WithoutCancel), so that the Event of a timeout
// is still written.
func Start(ctx context.Context, o Options, targets []string, timeout time.Duration) *Recorder {
	if o.Burst <= 0 {
		o.Burst = DefaultBurst
	}
	if o.Every <= 0 {
		o.Every = DefaultEvery
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Recorder{
		o: o, limiter: rate.NewLimiter(rate.Every(o.Every), o.Burst), cancel: cancel,
		wake: make(chan struct{}, 1), stopped: make(chan struct{}),
		latest: map[string]string{}, ready: map[string]bool{}, counts: map[string]*series{},
	}
	r.queue = append(r.queue, event{kind: Normal, reason: ReasonWaiting, note: startNote(targets, timeout)})
	go r.run(ctx)
	return r
}

func startNote(targets []string, timeout time.Duration) string {
	within := "without a deadline"
	if timeout > 0 {
		within = "for at most " + timeout.String()
	}
	noun := "targets"
	if len(targets) == 1 {
		noun = "target"
	}
	return fmt.Sprintf("waiting %s for %d %s: %s", within, len(targets), noun, strings.Join(targets, ", "))
}

// Waiting notes that target's reason changed.
func (r *Recorder) Waiting(name, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing || r.ready[name] {
		return
	}
	if _, ok := r.latest[name]; !ok {
		r.changed = append(r.changed, name)
	}
	r.latest[name] = reason
	r.poke()
}

// Ready records that target is ready.
func (r *Recorder) Ready(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing || r.ready[name] {
		return
	}
	r.ready[name] = true
	r.forget(name)
	r.queue = append(r.queue, event{kind: Normal, reason: ReasonReady, note: name + " is ready"})
	r.poke()
}

// Close records how the run ended (a Warning unless err is nil: every
// target ready has its Event already), drops reason changes not recorded
// yet, and returns once everything queued is written or ctx ends.
func (r *Recorder) Close(ctx context.Context, err error) {
	r.mu.Lock()
	r.closing = true
	r.latest, r.changed = map[string]string{}, nil
	if err != nil {
		r.queue = append(r.queue, event{kind: Warning, reason: endReason(err), note: joinLines(err.Error())})
	}
	r.poke()
	r.mu.Unlock()
	select {
	case <-r.stopped:
	case <-ctx.Done():
		r.cancel()
		<-r.stopped
	}
	r.cancel()
}

// joinLines is the run's final message on one line, as kubectl get events
// shows only an Event's first: "timed out after 5s; not ready: a: why;
// b: why".
func joinLines(msg string) string {
	lines := strings.Split(msg, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return lines[0] + " " + strings.Join(lines[1:], "; ")
}

// endReason is the reason of the Event of a run that ended with err.
func endReason(err error) string {
	var runErr *runner.Error
	switch {
	case errors.As(err, &runErr) && runErr.Failed != nil && target.IsDeadline(runErr.Failed.Err),
		errors.Is(err, runner.ErrTimeout):
		return ReasonTimedOut
	case errors.As(err, &runErr) && runErr.Failed != nil:
		return ReasonFailed
	}
	return ReasonStopped
}

// poke wakes the writer; the caller holds mu.
func (r *Recorder) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// forget drops name's unrecorded reason; the caller holds mu.
func (r *Recorder) forget(name string) {
	if _, ok := r.latest[name]; !ok {
		return
	}
	delete(r.latest, name)
	for i, n := range r.changed {
		if n == name {
			r.changed = append(r.changed[:i], r.changed[i+1:]...)
			break
		}
	}
}

// job is one write: an Event from the queue, or a target's latest reason.
type job struct {
	e      event
	target string // set for a reason
}

// run writes until Close drained everything or ctx ends.
func (r *Recorder) run(ctx context.Context) {
	defer close(r.stopped)
	for {
		j, delay, ok, done := r.next()
		switch {
		case done:
			return
		case ok:
			r.write(ctx, j)
			continue
		}
		if !r.pause(ctx, delay) {
			return
		}
	}
}

// pause waits for news, for delay if positive, and reports whether ctx
// is still alive.
func (r *Recorder) pause(ctx context.Context, delay time.Duration) bool {
	var timer <-chan time.Time
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-r.wake:
	case <-timer:
	case <-ctx.Done():
		return false
	}
	return true
}

// next is the next write: the queue first, then the oldest reason change
// if the limiter allows one now (else how long until it does). done is set
// once the recorder is closing and nothing is left.
func (r *Recorder) next() (j job, delay time.Duration, ok, done bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.off {
		return job{}, 0, false, r.closing
	}
	if len(r.queue) > 0 {
		j = job{e: r.queue[0]}
		r.queue = r.queue[1:]
		return j, 0, true, false
	}
	if len(r.changed) == 0 {
		return job{}, 0, false, r.closing
	}
	now := time.Now()
	res := r.limiter.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return job{}, d, false, false
	}
	name := r.changed[0]
	reason := r.latest[name]
	r.forget(name)
	return job{target: name, e: event{kind: Normal, reason: ReasonPending, note: name + ": " + reason}}, 0, true, false
}

// write sends j to the apiserver. A reason already recorded for the target
// counts one more occurrence on its Event instead of a new one.
func (r *Recorder) write(ctx context.Context, j job) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	now := time.Now()
	key := j.target + "\x00" + j.e.note
	r.mu.Lock()
	s := r.counts[key]
	r.mu.Unlock()
	var err error
	switch {
	case j.target != "" && s != nil:
		err = r.o.Sink.Patch(ctx, s.name, seriesPatch(s.count+1, now))
		r.mu.Lock()
		if err == nil {
			s.count++
		} else {
			delete(r.counts, key) // expired or deleted: the next one is new
		}
		r.mu.Unlock()
	default:
		var name string
		name, err = r.o.Sink.Create(ctx, j.e.object(r.o.Pod, r.o.Pod.Name, now))
		if err == nil && j.target != "" {
			r.mu.Lock()
			r.counts[key] = &series{name: name, count: 1}
			r.mu.Unlock()
		}
	}
	if err != nil {
		r.trouble(err)
	}
}

// trouble logs the first failure to record, and stops recording when the
// apiserver refuses it for good.
func (r *Recorder) trouble(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if apierrors.IsForbidden(err) {
		r.off = true
	}
	if r.failed {
		return
	}
	r.failed = true
	r.o.Log.Warn("events not recorded; the wait goes on",
		zap.String("pod", r.o.Pod.Namespace+"/"+r.o.Pod.Name), zap.Error(err))
}
