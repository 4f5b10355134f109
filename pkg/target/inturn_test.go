package target

import (
	"context"
	"errors"
	"testing"
)

// step is a scripted target: it reports its reason once, then returns err.
type step struct {
	name, reason string
	err          error
	waited       *[]string
}

func (s step) Name() string { return s.name }

func (s step) Wait(_ context.Context, report Report) error {
	*s.waited = append(*s.waited, s.name)
	report(s.reason)
	return s.err
}

func TestInTurn(t *testing.T) {
	t.Parallel()
	var waited, reasons []string
	report := func(r string) { reasons = append(reasons, r) }

	both := InTurn(step{"object", "no address", nil, &waited}, step{"service/web", "no endpoints", nil, &waited})
	if both.Name() != "service/web" {
		t.Errorf("named %q, want the last step's name", both.Name())
	}
	if err := both.Wait(context.Background(), report); err != nil {
		t.Fatal(err)
	}
	if len(waited) != 2 || waited[0] != "object" || len(reasons) != 2 || reasons[1] != "no endpoints" {
		t.Errorf("waited %v reported %v, want both steps in turn", waited, reasons)
	}

	waited = nil
	failed := &FailedError{Reason: "phase Lost"}
	err := InTurn(step{"object", "", failed, &waited}, step{"service/web", "", nil, &waited}).Wait(context.Background(), report)
	if !errors.Is(err, failed) || len(waited) != 1 {
		t.Errorf("got %v after %v, want the first step's failure and no second step", err, waited)
	}
}
