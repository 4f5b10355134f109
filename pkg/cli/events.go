package cli

import (
	"context"
	"io"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/kwait-dev/kwait/pkg/events"
	"github.com/kwait-dev/kwait/pkg/kube"
	"github.com/kwait-dev/kwait/pkg/runner"
	"github.com/kwait-dev/kwait/pkg/target"
)

// closeEventsWithin bounds how long the end of a run waits for its last
// Events to be written.
const closeEventsWithin = 3 * time.Second

// tokenLimit is far above any service account token.
const tokenLimit = 64 << 10

// recorder is where a run's Events go: nothing unless --events is on and
// kwait runs in a pod it can name (events.PodOf).
type recorder struct {
	r *events.Recorder // nil records nothing
}

// startEvents starts recording for the run of targets, when it should,
// through client: the run's one connection to the cluster (made now when
// only network targets needed none). Trouble finding the cluster is logged
// and records nothing: Events never change the wait.
func startEvents(ctx context.Context, o options, targets []target.Target, client func() (*kube.Client, error), log *zap.Logger) recorder {
	if !o.events {
		return recorder{}
	}
	pod, ok := events.PodOf(os.Getenv, readToken(kube.TokenFile))
	if !ok {
		log.Debug("events not recorded: not in a pod (no pod-bound token, no POD_NAME)")
		return recorder{}
	}
	k, err := client()
	if err != nil {
		log.Warn("events not recorded; the wait goes on", zap.Error(err))
		return recorder{}
	}
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.Name()
	}
	sink := events.DynamicSink(k.Dynamic(), pod.Namespace)
	// The recorder outlives the run's deadline and signals, so the Event of
	// a timeout is written; Close bounds it.
	return recorder{events.Start(context.WithoutCancel(ctx), events.Options{Pod: pod, Sink: sink, Log: log}, names, o.timeout)}
}

// watcher is what the runner tells about transitions; nil for none.
func (r recorder) watcher() runner.Watcher {
	if r.r == nil {
		return nil
	}
	return r.r
}

// close records how the run ended and waits a little for the last writes.
func (r recorder) close(ctx context.Context, err error) {
	if r.r == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeEventsWithin)
	defer cancel()
	r.r.Close(ctx, err)
}

// readToken is the service account token at path, nil when there is none
// or it is not a small regular file.
func readToken(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(f, tokenLimit))
	if err != nil {
		return nil
	}
	return b
}
