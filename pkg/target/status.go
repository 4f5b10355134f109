package target

import "fmt"

// Phase is where a target stands at one moment. kwait uses three words for
// the three outcomes everywhere: pending, ready, failed.
type Phase int

const (
	// PhasePending means not ready yet; the reason says why.
	PhasePending Phase = iota
	// PhaseReady means the wait is over for this target.
	PhaseReady
	// PhaseFailed means the target can never become ready on its own.
	PhaseFailed
)

// Status is one verdict about a target: its phase and, unless ready, a
// short human reason.
type Status struct {
	Phase  Phase
	Reason string
}

// Pending is a pending status with a formatted reason.
func Pending(format string, args ...any) Status {
	return Status{Phase: PhasePending, Reason: fmt.Sprintf(format, args...)}
}

// Ready is the ready status.
func Ready() Status { return Status{Phase: PhaseReady} }

// Failed is a failed status with a formatted reason; its Err is the error
// a target's Wait returns for it.
func Failed(format string, args ...any) Status {
	return Status{Phase: PhaseFailed, Reason: fmt.Sprintf(format, args...)}
}

// Err turns a failed status into a *FailedError and any other status into
// nil.
func (s Status) Err() error {
	if s.Phase == PhaseFailed {
		return &FailedError{Reason: s.Reason}
	}
	return nil
}
