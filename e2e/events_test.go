//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// kwaitEvent is what the tests read of an events.k8s.io/v1 Event kwait
// recorded.
type kwaitEvent struct {
	Type                string `json:"type"`
	Reason              string `json:"reason"`
	Note                string `json:"note"`
	ReportingController string `json:"reportingController"`
	Regarding           struct {
		Kind, Name, Namespace, UID string
	} `json:"regarding"`
	Series *struct {
		Count int `json:"count"`
	} `json:"series"`
}

// occurrences is how often the Event's note was seen: its series' count,
// else once.
func (e kwaitEvent) occurrences() int {
	if e.Series != nil && e.Series.Count > 1 {
		return e.Series.Count
	}
	return 1
}

// awaitEvent watches the Events in ns (kubectl get --watch) until one
// recorded by kwait satisfies match, for at most timeout; it fails the test
// otherwise.
func awaitEvent(t *testing.T, ns string, timeout time.Duration, what string, match func(kwaitEvent) bool) kwaitEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.kubectl, "--kubeconfig", env.kubeconfig, "-n", ns,
		"get", "events.v1.events.k8s.io", "--watch", "-o", "json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	dec := json.NewDecoder(stdout)
	var seen []string
	for {
		var e kwaitEvent
		if err := dec.Decode(&e); err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				t.Fatalf("no Event %s in %s within %s; seen:\n%s", what, ns, timeout, strings.Join(seen, "\n"))
			}
			t.Fatalf("reading events: %v", err)
		}
		if e.ReportingController != "kwait.dev/kwait" {
			continue
		}
		seen = append(seen, fmt.Sprintf("%s %s %q", e.Type, e.Reason, e.Note))
		if match(e) {
			return e
		}
	}
}

// kwaitEvents lists the Events kwait recorded in ns.
func kwaitEvents(t *testing.T, ns string) []kwaitEvent {
	t.Helper()
	var list struct{ Items []kwaitEvent }
	if err := json.Unmarshal([]byte(kubectl(t, "", "-n", ns, "get", "events.v1.events.k8s.io", "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	var out []kwaitEvent
	for _, e := range list.Items {
		if e.ReportingController == "kwait.dev/kwait" {
			out = append(out, e)
		}
	}
	return out
}

// TestEventsFlickerBounded: kwait outside a pod, given a pod's identity by
// the downward API's variables, records its Events about that pod; a
// reason that flickers dozens of times gives a bounded number of Events,
// a repeated reason counted on its earlier Event.
func TestEventsFlickerBounded(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, `
apiVersion: v1
kind: ConfigMap
metadata: {name: flicker, namespace: NAMESPACE}
data: {state: a}
`)
	start := time.Now()
	p := startEnv(t, []string{"KUBECONFIG=" + env.kubeconfig, "POD_NAME=app-0", "POD_NAMESPACE=" + ns, "POD_UID=0a0b"},
		"configmap/"+ns+"/flicker:jsonpath={.data.state}=done", "--timeout", "2m")
	p.await(t, `"waiting"`, "configmap/")
	const flips = 40
	for i := range flips {
		state := []string{"b", "a"}[i%2]
		kubectl(t, "", "-n", ns, "patch", "configmap/flicker", "--type=merge", "-p", `{"data":{"state":"`+state+`"}}`)
	}
	kubectl(t, "", "-n", ns, "patch", "configmap/flicker", "--type=merge", "-p", `{"data":{"state":"done"}}`)
	out := p.expect(t, 0)
	elapsed := time.Since(start)
	if n := strings.Count(out, `"msg":"waiting"`); n < flips/4 {
		t.Fatalf("kwait saw %d reason changes of %d flips: not a flicker; output:\n%s", n, flips, out)
	}
	events := kwaitEvents(t, ns)
	var pending, waiting, ready int
	for _, e := range events {
		if e.Regarding.Kind != "Pod" || e.Regarding.Name != "app-0" || e.Regarding.Namespace != ns || e.Regarding.UID != "0a0b" {
			t.Errorf("Event about %+v, want the pod the variables name", e.Regarding)
		}
		switch e.Reason {
		case "Pending":
			pending += e.occurrences()
		case "Waiting":
			waiting++
		case "Ready":
			ready++
		}
	}
	t.Logf("%d flips: %d reason changes logged, %d recorded on %d Events in %s", flips, strings.Count(out, `"msg":"waiting"`),
		pending, len(events)-waiting-ready, elapsed.Round(time.Millisecond))
	// The recorder's bound: 4 at once, then one per 30s.
	limit := 4 + int(elapsed/(30*time.Second)) + 1
	if pending < 1 || pending > limit {
		t.Errorf("%d reason occurrences recorded for %d flips in %s, want 1..%d: %+v", pending, flips, elapsed, limit, events)
	}
	if waiting != 1 || ready != 1 {
		t.Errorf("%d Waiting and %d Ready Events, want one each: %+v", waiting, ready, events)
	}
}
