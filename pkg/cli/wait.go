package cli

import (
	"context"
	"errors"
	"time"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"github.com/kwait-dev/kwait/pkg/runner"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// wait builds the targets specs name and waits for them under --timeout.
// The deadline starts before the targets are built, since building may ask
// the apiserver which types it serves.
func wait(c *cli.Context, s Streams, o options, specs []spec.Spec, tl termLog) error {
	log := newLogger(o, s)
	defer func() { _ = log.Sync() }()
	routeKlog(log)

	start := o.start
	ctx, cancel := o.runContext(c.Context)
	defer cancel()
	userAgent := "kwait/" + c.App.Version
	b := &builder{o: o, userAgent: userAgent, log: log}
	targets, err := b.build(ctx, specs)
	if err != nil {
		return err
	}
	log.Debug("waiting for targets", zap.Int("count", len(targets)), zap.Duration("timeout", o.timeout))
	rec := startEvents(c.Context, o, targets, b.client, log)
	err = runner.Run(ctx, targets, runner.Options{Log: log, SummaryEvery: o.statusInterval, Start: start, Watch: rec.watcher()})
	rec.close(c.Context, err)
	if err == nil && o.command != nil {
		err = o.command.run(s, log)
		_ = tl.write(err.Error())
		log.Error("command not run", zap.Error(err))
		return reported{err}
	}
	if err == nil {
		log.Info("all ready", zap.Int("targets", len(targets)), zap.Duration("after", time.Since(start).Round(time.Millisecond)))
		return nil
	}
	report(log, err)
	if werr := tl.write(err.Error()); werr != nil {
		log.Warn("termination log not written", zap.Error(werr))
	}
	return reported{err}
}

// report logs the final message: what ended the run and every target still
// pending with its last reason.
func report(log *zap.Logger, err error) {
	var runErr *runner.Error
	if !errors.As(err, &runErr) {
		log.Error("wait failed", zap.Error(err))
		return
	}
	pending := make([]string, len(runErr.Pending))
	for i, p := range runErr.Pending {
		pending[i] = p.Name + ": " + p.Reason
	}
	fields := []zap.Field{zap.Duration("elapsed", runErr.Elapsed.Round(time.Millisecond)), zap.Strings("pending", pending)}
	switch {
	case runErr.Failed != nil && target.IsDeadline(runErr.Failed.Err):
		log.Error("target timed out", append(fields, zap.String("target", runErr.Failed.Name), zap.String("reason", runErr.Failed.Err.Error()))...)
	case runErr.Failed != nil:
		log.Error("target failed", append(fields, zap.String("target", runErr.Failed.Name), zap.String("reason", runErr.Failed.Err.Error()))...)
	case errors.Is(err, runner.ErrTimeout):
		log.Error("timed out", fields...)
	default:
		log.Error("stopped", append(fields, zap.String("cause", runErr.Err.Error()))...)
	}
}

// runContext is ctx with the run's deadline, --timeout after the options
// were read: reading manifests from standard input counts against it too.
// A zero timeout means none.
func (o options) runContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if o.timeout == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, o.start.Add(o.timeout))
}
