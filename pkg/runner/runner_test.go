package runner

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/kwait-dev/kwait/pkg/target"
)

// script is a fake target: it reports its reasons, then after its delay it
// returns its result, or the context's error if the context ends first.
type script struct {
	name    string
	reasons []string
	after   time.Duration
	result  error
	never   bool // never becomes ready on its own
}

func (s *script) Name() string { return s.name }

func (s *script) Wait(ctx context.Context, report target.Report) error {
	for _, r := range s.reasons {
		report(r)
	}
	if s.never {
		<-ctx.Done()
		return ctx.Err()
	}
	select {
	case <-time.After(s.after):
		return s.result
	case <-ctx.Done():
		return ctx.Err()
	}
}

func observed() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zap.DebugLevel)
	return zap.New(core), logs
}

func TestRunAllReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, logs := observed()
		targets := []target.Target{
			&script{name: "a", reasons: []string{"Ready 0/1"}, after: time.Second},
			&script{name: "b", after: 2 * time.Second},
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		if err := Run(ctx, targets, Options{Log: log}); err != nil {
			t.Fatalf("Run() = %v, want nil", err)
		}
		if n := logs.FilterMessage("ready").Len(); n != 2 {
			t.Errorf("logged %d ready lines, want 2", n)
		}
	})
}

func TestRunTimeoutNamesPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, _ := observed()
		targets := []target.Target{
			&script{name: "deployment/default/api", reasons: []string{"Ready 0/3", "Ready 1/3"}, never: true},
			&script{name: "crd/tenants.minio.min.io", never: true},
			&script{name: "tcp://db:5432", after: time.Second},
		}
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		start := time.Now()
		err := Run(ctx, targets, Options{Log: log})
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("Run returned after %v, want exactly the 3s deadline", got)
		}
		var runErr *Error
		if !errors.As(err, &runErr) || !errors.Is(err, ErrTimeout) {
			t.Fatalf("Run() = %v, want a timeout *Error", err)
		}
		want := []Pending{
			{Name: "deployment/default/api", Reason: "Ready 1/3"},
			{Name: "crd/tenants.minio.min.io", Reason: waitingReason},
		}
		if len(runErr.Pending) != len(want) {
			t.Fatalf("pending = %v, want %v", runErr.Pending, want)
		}
		for i := range want {
			if runErr.Pending[i] != want[i] {
				t.Errorf("pending[%d] = %v, want %v", i, runErr.Pending[i], want[i])
			}
		}
		msg := err.Error()
		for _, s := range []string{"timed out after 3s", "deployment/default/api: Ready 1/3", "crd/tenants.minio.min.io"} {
			if !strings.Contains(msg, s) {
				t.Errorf("message %q does not contain %q", msg, s)
			}
		}
		if strings.Contains(msg, "tcp://db:5432") {
			t.Errorf("message %q names a target that was ready", msg)
		}
	})
}

func TestRunFailureStopsTheRest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, _ := observed()
		targets := []target.Target{
			&script{name: "job/default/migrate", after: time.Second, result: target.Failed("BackoffLimitExceeded").Err()},
			&script{name: "deployment/default/api", reasons: []string{"Ready 0/3"}, never: true},
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		start := time.Now()
		err := Run(ctx, targets, Options{Log: log})
		if got := time.Since(start); got != time.Second {
			t.Errorf("Run returned after %v, want 1s (at the failure)", got)
		}
		var runErr *Error
		if !errors.As(err, &runErr) || runErr.Failed == nil {
			t.Fatalf("Run() = %v, want an *Error with a failure", err)
		}
		if !target.IsFailed(err) || errors.Is(err, ErrTimeout) {
			t.Errorf("Run() = %v: want a failed-for-good error, not a timeout", err)
		}
		if runErr.Failed.Name != "job/default/migrate" {
			t.Errorf("failed target = %q", runErr.Failed.Name)
		}
		if len(runErr.Pending) != 1 || runErr.Pending[0].Reason != "Ready 0/3" {
			t.Errorf("pending = %v, want the deployment with its reason", runErr.Pending)
		}
	})
}

func TestRunCancelCauseIsKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, _ := observed()
		interrupted := errors.New("interrupted")
		ctx, cancel := context.WithCancelCause(t.Context())
		time.AfterFunc(time.Second, func() { cancel(interrupted) })
		err := Run(ctx, []target.Target{&script{name: "a", never: true}}, Options{Log: log})
		if !errors.Is(err, interrupted) {
			t.Fatalf("Run() = %v, want it to wrap the cancel cause", err)
		}
	})
}

func TestRunLogsReasonChangesOnceAndSummaries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, logs := observed()
		targets := []target.Target{
			&script{name: "a", reasons: []string{"refused", "refused", "refused", "HTTP 503"}, after: 35 * time.Second},
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		if err := Run(ctx, targets, Options{Log: log, SummaryEvery: 10 * time.Second}); err != nil {
			t.Fatalf("Run() = %v", err)
		}
		if n := logs.FilterMessage("waiting").Len(); n != 2 {
			t.Errorf("logged %d reason changes, want 2 (repeats are not logged)", n)
		}
		if n := logs.FilterMessage("still waiting").Len(); n != 3 {
			t.Errorf("logged %d summaries in 35s, want 3 (every 10s)", n)
		}
	})
}

// stuck ignores its context, as a call into a hanging exec credential
// plugin does, until released.
type stuck struct{ release chan struct{} }

func (s *stuck) Name() string { return "crd/stuck.example.com" }

func (s *stuck) Wait(_ context.Context, report target.Report) error {
	report("calling the credential plugin")
	<-s.release
	return nil
}

// TestRunDoesNotWaitForStuckTargets: a target that ignores its context
// does not hold the run past its deadline; it is reported pending.
func TestRunDoesNotWaitForStuckTargets(t *testing.T) {
	t.Parallel()
	s := &stuck{release: make(chan struct{})}
	defer close(s.release)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := Run(ctx, []target.Target{s}, Options{Log: zap.NewNop()})
	var runErr *Error
	if !errors.As(err, &runErr) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("Run = %v, want a timeout", err)
	}
	if len(runErr.Pending) != 1 || runErr.Pending[0].Reason != "calling the credential plugin" {
		t.Errorf("pending = %v, want the stuck target with its reason", runErr.Pending)
	}
}

func TestRunMisconfiguredIsOneLine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, _ := observed()
		const line = "apiserver rejects the credentials (401 Unauthorized)"
		targets := []target.Target{
			&script{name: "job/default/migrate", after: time.Second, result: &target.ConfigError{Reason: line}},
			&script{name: "deployment/default/api", reasons: []string{"Ready 0/3"}, never: true},
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		err := Run(ctx, targets, Options{Log: log})
		if !target.IsConfig(err) {
			t.Fatalf("Run() = %v, want a misconfiguration", err)
		}
		if got := err.Error(); got != line {
			t.Errorf("Run() = %q, want the one line %q", got, line)
		}
	})
}

// watched records what a Watcher hears.
type watched struct{ heard []string }

func (w *watched) Waiting(name, reason string) { w.heard = append(w.heard, name+": "+reason) }
func (w *watched) Ready(name string)           { w.heard = append(w.heard, name+" ready") }

// TestRunWatcher: the watcher hears what the log shows: each reason
// change once, each target ready, nothing for a target that failed.
func TestRunWatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, _ := observed()
		w := &watched{}
		targets := []target.Target{
			&script{name: "a", reasons: []string{"Ready 0/1", "Ready 0/1", "Ready 1/1"}, after: time.Second},
			&script{name: "b", reasons: []string{"not found"}, after: 2 * time.Second, result: target.Failed("gone for good").Err()},
		}
		_ = Run(t.Context(), targets, Options{Log: log, Watch: w})
		want := []string{"a: Ready 0/1", "a: Ready 1/1", "b: not found", "a ready"}
		got := strings.Join(w.heard, "|")
		for _, h := range want {
			if strings.Count(got, h) != 1 {
				t.Errorf("watcher heard %q, want %q once", w.heard, h)
			}
		}
		if strings.Contains(got, "b ready") {
			t.Errorf("watcher heard a failed target ready: %q", w.heard)
		}
	})
}
