// Package target defines what every kind of wait in kwait implements: a
// named thing that can wait for itself under a context, reporting why it is
// not ready yet until it is ready or has failed for good.
package target

import (
	"context"
	"errors"
)

// Target is one thing kwait waits for.
//
// Wait blocks until the target is ready (it returns nil), has failed for good
// (it returns an error for which IsFailed is true), or ctx is done (it
// returns ctx.Err() or an error wrapping it). While it waits it calls report
// with a short human reason, at least whenever the reason changes ("Ready:
// 1/3", "connection refused"); repeating a reason is harmless, the runner
// logs changes only. Transient trouble (apiserver restarting, 5xx,
// NotFound, a name that does not resolve yet) is never an error: it is a
// reason to report while waiting on.
type Target interface {
	// Name identifies the target in logs and messages, in the form the
	// user could have typed it: "crd/tenants.minio.min.io", "tcp://db:5432".
	Name() string
	Wait(ctx context.Context, report Report) error
}

// Report receives the latest reason a target is not ready yet. It must be
// safe to call from the target's goroutine; implementations are cheap.
type Report func(reason string)

// FailedError says a target can never become ready on its own: a Job
// failed, a Deployment exceeded its progress deadline, a CRD's names were
// rejected. It stops the whole run early.
type FailedError struct {
	Reason string
}

func (e *FailedError) Error() string { return e.Reason }

// IsFailed reports whether err says a target failed for good.
func IsFailed(err error) bool {
	var f *FailedError
	return errors.As(err, &f)
}
