package target

import "context"

// InTurn is one target made of steps waited for one after the other: ready
// once the last step is, failed when any step fails. It is named by the
// last step, which says what the user asked for; the first steps are
// conditions of it.
func InTurn(first Target, then ...Target) Target {
	return inTurn(append([]Target{first}, then...))
}

type inTurn []Target

func (t inTurn) Name() string { return t[len(t)-1].Name() }

func (t inTurn) Wait(ctx context.Context, report Report) error {
	for _, step := range t {
		if err := step.Wait(ctx, report); err != nil {
			return err
		}
	}
	return nil
}
