package kube

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

const brokenRule = "jsonpath={.metadata.annotations.broken}=yes"

func failure(t *testing.T, after time.Duration, rules ...string) Failure {
	t.Helper()
	f := Failure{After: after}
	for _, s := range rules {
		r, err := readiness.ParseFailRule(s)
		if err != nil {
			t.Fatal(err)
		}
		f.Rules = append(f.Rules, r)
	}
	return f
}

// markBroken annotates the rolling deployment broken=yes (or removes the
// annotation) and gives it resourceVersion rv.
func markBroken(t *testing.T, c *Client, broken bool, rv string) {
	t.Helper()
	o := obj(t, deploymentRolling)
	if broken {
		o.SetAnnotations(map[string]string{"broken": "yes"})
	}
	o.SetResourceVersion(rv)
	if _, err := c.dynamic.Resource(deploymentsGVR).Namespace("default").Update(t.Context(), o, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestFailForFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient(obj(t, deploymentRolling))
		tg, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, "deployments"), Name: "api",
			Rules: rules(t, "condition=Available"), Failure: failure(t, 0, brokenRule)})
		if err != nil {
			t.Fatal(err)
		}
		r := newReasons()
		done := start(t.Context(), tg, r)
		r.await(t, "condition Available not set")
		markBroken(t, c, true, "6")
		err = <-done
		if !target.IsFailed(err) || !strings.Contains(err.Error(), "--fail-for "+brokenRule+" holds") {
			t.Fatalf("Wait() = %v, want a failure naming the rule", err)
		}
	})
}

// TestFailForGrace: a rule that holds fails only once it has held for the
// grace without a break; one that stops holding starts the grace anew.
func TestFailForGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient(obj(t, deploymentRolling))
		tg, err := c.Resource(t.Context(), ResourceOptions{Type: typeName(t, "deployments"), Name: "api",
			Rules: rules(t, "condition=Available"), Failure: failure(t, time.Minute, brokenRule)})
		if err != nil {
			t.Fatal(err)
		}
		r := newReasons()
		done := start(t.Context(), tg, r)
		r.await(t, "condition Available not set")
		markBroken(t, c, true, "6")
		r.await(t, "fails if it still holds after 1m0s")
		// Part of the grace passes on the bubble's clock: the wait must not
		// end within it. (Less than watchIdle: the fake client's new watch
		// would not replay what changed as the silent one was replaced.)
		select {
		case err := <-done:
			t.Fatalf("Wait() = %v within the grace, want it still waiting", err)
		case <-time.After(20 * time.Second):
		}
		markBroken(t, c, false, "7")
		r.await(t, "condition Available not set")
		markBroken(t, c, true, "8")
		began := time.Now()
		err = <-done
		if !target.IsFailed(err) || !strings.Contains(err.Error(), "(for 1m0s)") {
			t.Fatalf("Wait() = %v, want a failure after the grace", err)
		}
		if got := time.Since(began); got != time.Minute {
			t.Errorf("failed %s after the rule held again, want the full grace, 1m", got)
		}
	})
}

// TestFailForOnKindTarget: the failure rules of a kind's target read the
// kind's object beside the kind's own wait.
func TestFailForOnKindTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient(obj(t, deploymentRolling))
		k := mustKind(t, "deployment")
		tg := c.WithFailure(c.Kind(k, "", "api", kind.Params{}), k, "", "api", failure(t, 0, brokenRule))
		r := newReasons()
		done := start(t.Context(), tg, r)
		r.await(t, "available replicas 1/2")
		markBroken(t, c, true, "6")
		if err := <-done; !target.IsFailed(err) || !strings.Contains(err.Error(), brokenRule) {
			t.Fatalf("Wait() = %v, want a failure naming the rule", err)
		}
		if tg.Name() != "deployment/default/api" {
			t.Errorf("Name() = %q, want the kind target's name", tg.Name())
		}
	})
}
