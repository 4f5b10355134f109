package cli

import (
	"context"
	"errors"
	"time"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"github.com/kwait-dev/kwait/pkg/runner"
	"github.com/kwait-dev/kwait/pkg/spec"
)

// wait builds the targets specs name and waits for them under --timeout.
func wait(c *cli.Context, s Streams, specs []spec.Spec) error {
	timeout := c.Duration(flagTimeout)
	if timeout <= 0 {
		return usagef("--timeout must be positive, got %s", timeout)
	}
	every := c.Duration(flagStatusInterval)
	if every < 0 {
		return usagef("--status-interval must not be negative, got %s", every)
	}
	log, err := newLogger(c, s)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	targets, err := build(c, specs)
	if err != nil {
		return err
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(c.Context, timeout)
	defer cancel()
	log.Debug("waiting for targets", zap.Int("count", len(targets)), zap.Duration("timeout", timeout))
	err = runner.Run(ctx, targets, runner.Options{Log: log, SummaryEvery: every, Start: start})
	if err == nil {
		log.Info("all ready", zap.Int("targets", len(targets)))
		return nil
	}
	report(log, err)
	path := c.String(flagTerminationLog)
	writeTerminationLog(path, c.IsSet(flagTerminationLog), err.Error())
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
	case runErr.Failed != nil:
		log.Error("target failed", append(fields, zap.String("target", runErr.Failed.Name), zap.String("reason", runErr.Failed.Err.Error()))...)
	case errors.Is(err, runner.ErrTimeout):
		log.Error("timed out", fields...)
	default:
		log.Error("stopped", append(fields, zap.String("cause", runErr.Err.Error()))...)
	}
}
