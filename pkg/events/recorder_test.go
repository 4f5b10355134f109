package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kwait-dev/kwait/pkg/runner"
)

// fakeSink keeps what a recorder writes.
type fakeSink struct {
	mu      sync.Mutex
	created []*unstructured.Unstructured
	patches []string
	err     error
}

func (f *fakeSink) Create(_ context.Context, obj *unstructured.Unstructured) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	f.created = append(f.created, obj)
	return fmt.Sprintf("ev-%d", len(f.created)), nil
}

func (f *fakeSink) Patch(_ context.Context, name string, patch []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.patches = append(f.patches, name+" "+string(patch))
	return nil
}

func (f *fakeSink) notes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, o := range f.created {
		typ, _, _ := unstructured.NestedString(o.Object, "type")
		reason, _, _ := unstructured.NestedString(o.Object, "reason")
		note, _, _ := unstructured.NestedString(o.Object, "note")
		out = append(out, typ+" "+reason+" "+note)
	}
	return out
}

var pod = Pod{Namespace: "shop", Name: "web-7d9", UID: "u-1"}

func timeoutErr() error {
	return &runner.Error{Err: runner.ErrTimeout, Elapsed: time.Minute,
		Pending: []runner.Pending{{Name: "crd/tenants.minio.min.io", Reason: "not found"}, {Name: "tcp://db:5432", Reason: "connection refused"}}}
}

// TestRecorderRun: the start names every target, a reason change and a
// target ready have their Events, and a timeout is a Warning naming
// every pending target with its reason.
func TestRecorderRun(t *testing.T) {
	t.Parallel()
	sink := &fakeSink{}
	synctest.Test(t, func(t *testing.T) {
		r := Start(t.Context(), Options{Pod: pod, Sink: sink, Log: zap.NewNop()},
			[]string{"crd/tenants.minio.min.io", "deployment/web", "tcp://db:5432"}, 90*time.Second)
		r.Waiting("crd/tenants.minio.min.io", "not found")
		synctest.Wait() // written before the run ends: Close drops reasons not yet written
		r.Ready("deployment/web")
		r.Waiting("deployment/web", "late news of a ready target")
		r.Close(t.Context(), timeoutErr())
	})
	got := strings.Join(sink.notes(), "\n")
	for _, want := range []string{
		"Normal Waiting waiting for at most 1m30s for 3 targets: crd/tenants.minio.min.io, deployment/web, tcp://db:5432",
		"Normal Pending crd/tenants.minio.min.io: not found",
		"Normal Ready deployment/web is ready",
		"Warning TimedOut timed out after 1m0s; not ready: crd/tenants.minio.min.io: not found; tcp://db:5432: connection refused",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("events lack %q; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, "late news") {
		t.Errorf("a ready target's later reason was recorded:\n%s", got)
	}
	first := sink.created[0].Object
	regarding, _, _ := unstructured.NestedStringMap(first, "regarding")
	if regarding["kind"] != "Pod" || regarding["name"] != pod.Name || regarding["namespace"] != pod.Namespace || regarding["uid"] != pod.UID {
		t.Errorf("regarding = %v, want the pod %+v", regarding, pod)
	}
	for _, f := range []string{"reportingController", "reportingInstance", "action", "eventTime"} {
		if v, _, _ := unstructured.NestedString(first, f); v == "" {
			t.Errorf("%s is empty", f)
		}
	}
}

// TestRecorderFlicker: a reason that flickers thousands of times gives a
// bounded number of writes (the burst, then one per interval), each about
// the latest reason, and a reason seen again counts on its earlier Event.
func TestRecorderFlicker(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sink := &fakeSink{}
		r := Start(t.Context(), Options{Pod: pod, Sink: sink, Log: zap.NewNop(), Burst: 2, Every: 30 * time.Second},
			[]string{"deployment/web"}, 0)
		for i := range 5000 {
			r.Waiting("deployment/web", []string{"Available: 0/1", "Available: 1/1, updating"}[i%2])
			if i%1000 == 0 {
				synctest.Wait()
			}
		}
		// Two minutes of flicker on the bubble's clock: every 10s another
		// burst of changes.
		every := time.NewTicker(10 * time.Second)
		defer every.Stop()
		for range 12 {
			<-every.C
			for i := range 100 {
				r.Waiting("deployment/web", []string{"Available: 0/1", "Available: 1/1, updating"}[i%2])
			}
			synctest.Wait()
		}
		r.Close(t.Context(), nil)
		sink.mu.Lock()
		writes := len(sink.created) - 1 + len(sink.patches) // without the start
		patches := len(sink.patches)
		sink.mu.Unlock()
		// 2 at once, then one per 30s over 120s: at most 6.
		if writes < 2 || writes > 6 {
			t.Errorf("%d reason writes for 6200 changes over 2m, want 2..6", writes)
		}
		if patches == 0 {
			t.Errorf("a reason seen again made a new Event instead of counting on its earlier one")
		}
		if len(sink.created) > 3 {
			t.Errorf("%d Events, want the start and one per distinct reason:\n%s", len(sink.created), strings.Join(sink.notes(), "\n"))
		}
	})
}

// TestRecorderForbidden: without RBAC for Events the recorder logs once,
// stops writing, and Close still returns.
func TestRecorderForbidden(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.WarnLevel)
	sink := &fakeSink{err: apierrors.NewForbidden(schema.GroupResource{Group: "events.k8s.io", Resource: "events"}, "", errors.New("no RBAC"))}
	r := Start(t.Context(), Options{Pod: pod, Sink: sink, Log: zap.New(core)}, []string{"tcp://db:5432"}, 0)
	for i := range 20 {
		r.Waiting("tcp://db:5432", fmt.Sprint("attempt ", i))
	}
	r.Ready("tcp://db:5432")
	r.Close(t.Context(), timeoutErr())
	if n := logs.FilterMessage("events not recorded; the wait goes on").Len(); n != 1 {
		t.Errorf("logged %d times, want once", n)
	}
}

// TestRecorderCloseBounded: Close returns when its context ends although
// the apiserver does not answer.
func TestRecorderCloseBounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := Start(t.Context(), Options{Pod: pod, Sink: hangingSink{}, Log: zap.NewNop()}, []string{"tcp://db:5432"}, 0)
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		start := time.Now()
		r.Close(ctx, timeoutErr())
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("Close took %s, want its context's 2s", d)
		}
	})
}

type hangingSink struct{}

func (hangingSink) Create(ctx context.Context, _ *unstructured.Unstructured) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

func (hangingSink) Patch(ctx context.Context, _ string, _ []byte) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestNoteAndName: an Event's note is sanitized and cut to the
// apiserver's limit (the rule itself is target's, tested there); its name
// is the kubelet's form, the pod's name cut to fit.
func TestNoteAndName(t *testing.T) {
	t.Parallel()
	e := event{kind: Warning, reason: ReasonFailed, note: "bad\x1b[31m \u202e"}
	note, _, _ := unstructured.NestedString(e.object(pod, pod.Name, time.Now()).Object, "note")
	if note != "bad?[31m ?" {
		t.Errorf("note = %q, want control characters replaced", note)
	}
	long := event{kind: Warning, reason: ReasonFailed, note: strings.Repeat("é", 600)}
	note, _, _ = unstructured.NestedString(long.object(pod, pod.Name, time.Now()).Object, "note")
	if len(note) > noteLimit || !strings.HasSuffix(note, "...") || !strings.HasPrefix(note, "é") {
		t.Errorf("note of %d bytes, want at most %d, cut with ...", len(note), noteLimit)
	}
	if n := name(strings.Repeat("a", 239)+"-b", time.Unix(0, 255)); n != strings.Repeat("a", 239)+".ff" {
		t.Errorf("name = %q", n)
	}
}
