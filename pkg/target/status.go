package target

import "fmt"

// Phase is where a target stands at one moment.
type Phase int

const (
	// Pending means not ready yet; the reason says why.
	Pending Phase = iota
	// Ready means the wait is over for this target.
	Ready
	// Broken means the target can never become ready on its own.
	Broken
)

// Status is one verdict about a target: its phase and, unless ready, a
// short human reason.
type Status struct {
	Phase  Phase
	Reason string
}

// NotYet is a Pending status with a formatted reason.
func NotYet(format string, args ...any) Status {
	return Status{Phase: Pending, Reason: fmt.Sprintf(format, args...)}
}

// Done is the Ready status.
func Done() Status { return Status{Phase: Ready} }

// Fail is a Broken status with a formatted reason.
func Fail(format string, args ...any) Status {
	return Status{Phase: Broken, Reason: fmt.Sprintf(format, args...)}
}

// Err turns a Broken status into a FailedError and any other status into nil.
func (s Status) Err() error {
	if s.Phase == Broken {
		return &FailedError{Reason: s.Reason}
	}
	return nil
}
