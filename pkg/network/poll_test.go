package network

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kwait-dev/kwait/pkg/target"
)

// recorder collects the reasons a target reports and lets a test block
// until a given one arrives.
type recorder struct {
	mu      sync.Mutex
	reasons []string
	ch      chan string
}

func newRecorder() *recorder { return &recorder{ch: make(chan string, 100)} }

func (r *recorder) report(reason string) {
	r.mu.Lock()
	r.reasons = append(r.reasons, reason)
	r.mu.Unlock()
	select {
	case r.ch <- reason:
	default:
	}
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reasons)
}

// await blocks until want is reported. The timer only keeps a broken test
// from hanging; nothing waits on it to succeed.
func (r *recorder) await(t *testing.T, want string) {
	t.Helper()
	safety := time.NewTimer(10 * time.Second)
	defer safety.Stop()
	for {
		select {
		case got := <-r.ch:
			if got == want {
				return
			}
		case <-safety.C:
			t.Fatalf("reason %q never reported; got %q", want, r.all())
		}
	}
}

// waitAsync runs tg.Wait in a goroutine and delivers its result.
func waitAsync(ctx context.Context, tg target.Target, rec *recorder) <-chan error {
	done := make(chan error, 1)
	go func() { done <- tg.Wait(ctx, rec.report) }()
	return done
}

// fastPoll keeps tests quick: short pauses, an attempt timeout that does
// not matter unless a test says so.
func fastPoll() Poll {
	return Poll{AttemptTimeout: 5 * time.Second, Interval: time.Millisecond, MaxInterval: 5 * time.Millisecond}
}

// script returns a check that answers with statuses in turn, then the last
// one forever, counting its calls.
func script(calls *int, statuses ...target.Status) func(context.Context) target.Status {
	return func(context.Context) target.Status {
		st := statuses[min(*calls, len(statuses)-1)]
		*calls++
		return st
	}
}

func TestPollReportsOnlyChanges(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	var calls int
	check := script(&calls,
		target.Pending("a"), target.Pending("a"), target.Pending("b"),
		target.Pending("b"), target.Pending("a"), target.Ready())

	if err := poll(t.Context(), fastPoll(), rec.report, check); err != nil {
		t.Fatalf("poll: %v", err)
	}
	if want := []string{"a", "b", "a"}; !slices.Equal(rec.all(), want) {
		t.Errorf("reported %q, want %q", rec.all(), want)
	}
	if calls != 6 {
		t.Errorf("%d attempts, want 6", calls)
	}
}

func TestPollStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	// Pauses of an hour: poll must leave its pause when ctx ends.
	p := Poll{AttemptTimeout: time.Second, Interval: time.Hour, MaxInterval: time.Hour}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var calls int
	report := func(string) { cancel() }

	err := poll(ctx, p, report, script(&calls, target.Pending("down")))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("poll = %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("%d attempts, want 1", calls)
	}
}

func TestPollFailedForGood(t *testing.T) {
	t.Parallel()
	var calls int
	err := poll(t.Context(), fastPoll(), newRecorder().report, script(&calls, target.Pending("a"), target.Failed("gone")))
	if !target.IsFailed(err) || err.Error() != "gone" {
		t.Fatalf("poll = %v, want failed for good with reason gone", err)
	}
}

func TestPollAttemptContext(t *testing.T) {
	t.Parallel()
	t.Run("attempt timeout", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			p := Poll{AttemptTimeout: 50 * time.Millisecond}
			var deadline time.Time
			check := func(ctx context.Context) target.Status {
				deadline, _ = ctx.Deadline()
				return target.Ready()
			}
			start := time.Now()
			if err := poll(t.Context(), mustNormalize(t, p), func(string) {}, check); err != nil {
				t.Fatal(err)
			}
			if want := start.Add(50 * time.Millisecond); !deadline.Equal(want) {
				t.Errorf("attempt deadline %v after start, want 50ms", deadline.Sub(start))
			}
		})
	})
	t.Run("global deadline comes first", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			p := Poll{AttemptTimeout: time.Hour}
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			parent, _ := ctx.Deadline()
			var deadline time.Time
			check := func(ctx context.Context) target.Status {
				deadline, _ = ctx.Deadline()
				return target.Ready()
			}
			if err := poll(ctx, mustNormalize(t, p), func(string) {}, check); err != nil {
				t.Fatal(err)
			}
			if !deadline.Equal(parent) {
				t.Errorf("attempt deadline %v, want the global one %v", deadline, parent)
			}
		})
	})
}

func TestPollBackoff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := Poll{AttemptTimeout: time.Second, Interval: 50 * time.Millisecond, MaxInterval: time.Second}
		var starts []time.Time
		check := func(context.Context) target.Status {
			starts = append(starts, time.Now())
			if len(starts) == 9 {
				return target.Ready()
			}
			return target.Pending("down")
		}
		if err := poll(t.Context(), p, func(string) {}, check); err != nil {
			t.Fatal(err)
		}
		want := []time.Duration{50, 100, 200, 400, 800, 1000, 1000, 1000}
		for i, w := range want {
			w *= time.Millisecond
			gap := starts[i+1].Sub(starts[i])
			if gap < w || gap > w+w/10 {
				t.Errorf("pause %d = %v, want %v plus at most 10%% jitter", i, gap, w)
			}
		}
	})
}

func TestPollAttemptCutByContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		rec := newRecorder()
		check := func(ctx context.Context) target.Status {
			<-ctx.Done()
			return target.Pending("timed out after 1h0m0s")
		}
		err := poll(ctx, Poll{AttemptTimeout: time.Hour, Interval: time.Millisecond, MaxInterval: time.Millisecond}, rec.report, check)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("poll = %v, want context.DeadlineExceeded", err)
		}
		if want := []string{noAnswer}; !slices.Equal(rec.all(), want) {
			t.Errorf("reported %q, want %q", rec.all(), want)
		}
	})
}

// lateContext is a context whose deadline can pass while its timer has not
// fired yet: Done stays open and Err nil until fire is called. A real
// deadline context is in that state for a moment, and a dial or request cut
// by the deadline can return in it.
type lateContext struct {
	context.Context
	deadline time.Time
	done     chan struct{}
}

func (c *lateContext) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *lateContext) Done() <-chan struct{}       { return c.done }

func (c *lateContext) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// An attempt that returns after the global deadline, but before the
// context says so, must not leave its reason (it names the attempt timeout)
// as the last word.
func TestPollAttemptCutByDeadlineBeforeTimerFires(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		before []string // reasons of the attempts before the deadline
		want   []string
	}{
		{name: "first attempt", want: []string{noAnswer}},
		{name: "later attempt", before: []string{"connection refused"}, want: []string{"connection refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx := &lateContext{Context: t.Context(), deadline: time.Now().Add(time.Hour), done: make(chan struct{})}
				rec := newRecorder()
				var calls atomic.Int64
				cut := make(chan struct{})
				check := func(context.Context) target.Status {
					n := int(calls.Add(1))
					if n <= len(tc.before) {
						return target.Pending("%s", tc.before[n-1])
					}
					// The deadline passes during this attempt, which ends
					// with the dialer's timeout; the context's timer is late.
					ctx.deadline = time.Now()
					close(cut)
					return target.Pending("timed out after 5s")
				}
				p := Poll{AttemptTimeout: 5 * time.Second, Interval: time.Millisecond, MaxInterval: time.Millisecond}
				done := make(chan error, 1)
				go func() { done <- poll(ctx, p, rec.report, check) }()

				// Block until the cut attempt (the bubble's clock moves past
				// poll's pauses meanwhile), then until poll waits on the
				// context.
				<-cut
				synctest.Wait()
				close(ctx.done) // the timer fires at last
				if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("poll = %v, want context.DeadlineExceeded", err)
				}
				if got := rec.all(); !slices.Equal(got, tc.want) {
					t.Errorf("reported %q, want %q", got, tc.want)
				}
			})
		})
	}
}

func mustNormalize(t *testing.T, p Poll) Poll {
	t.Helper()
	p, err := p.normalize()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPollNormalize(t *testing.T) {
	t.Parallel()
	def := DefaultPoll()
	tests := []struct {
		name    string
		in      Poll
		want    Poll
		wantErr string
	}{
		{name: "zero is default", in: Poll{}, want: def},
		{name: "kept", in: Poll{AttemptTimeout: time.Second, Interval: time.Millisecond, MaxInterval: 2 * time.Second},
			want: Poll{AttemptTimeout: time.Second, Interval: time.Millisecond, MaxInterval: 2 * time.Second}},
		{name: "interval lowered to cap", in: Poll{Interval: time.Minute, MaxInterval: time.Second},
			want: Poll{AttemptTimeout: def.AttemptTimeout, Interval: time.Second, MaxInterval: time.Second}},
		{name: "negative", in: Poll{AttemptTimeout: -time.Second}, wantErr: "invalid poll settings: negative attempt timeout -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.in.normalize()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("normalize = %v, want error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("normalize = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestReason(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"refused", refused, "connection refused"},
		{"refused in url error", &url.Error{Op: "Get", URL: "http://db", Err: refused}, "connection refused"},
		{"no such host", &net.DNSError{Err: "no such host", Name: "db", IsNotFound: true}, "no such host"},
		{"dns server failure", &net.DNSError{Err: "server misbehaving", Name: "db", Server: "10.0.0.10:53"}, "server misbehaving"},
		{"dns server refusing, with a new source port each time", &net.DNSError{Err: "read udp 127.0.0.1:43363->10.0.0.10:53: read: connection refused", Name: "db", Server: "10.0.0.10:53"}, "connection refused"},
		{"dns timeout", &net.DNSError{Err: "i/o timeout", Name: "db", IsTimeout: true}, "timed out after 5s"},
		{"context deadline", &url.Error{Op: "Get", URL: "http://db", Err: context.DeadlineExceeded}, "timed out after 5s"},
		{"unknown authority", &url.Error{Op: "Get", URL: "https://db", Err: &tls.CertificateVerificationError{
			Err: x509.UnknownAuthorityError{}}}, "x509: certificate signed by unknown authority"},
		{"expired", &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Reason: x509.Expired, Detail: "current time ..."}},
			"x509: certificate has expired or is not yet valid"},
		{"eof", &url.Error{Op: "Get", URL: "http://db", Err: io.EOF}, "connection closed by peer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := reason(tt.err, 5*time.Second); got != tt.want {
				t.Errorf("reason(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
