package main

import (
	"fmt"
	"strings"
	"time"
)

// targetRow is one line of the targets: kwait's measured value
// next to the goal, and kubectl's for context.
type targetRow struct {
	What     string
	Measured string
	Goal     string
	Met      string // ✓, ✗ or – (not measured)
	Kubectl  string
}

func check(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func notMeasured(what, goal string) targetRow {
	return targetRow{What: what, Measured: "not measured", Goal: goal, Met: "–"}
}

func targets(r *Results) []targetRow {
	var rows []targetRow
	// Detection latency, Kubernetes targets.
	for _, sc := range []struct{ key, label string }{{"crd", "CRD"}, {"deployment", "Deployment"}} {
		var scen *LatencyScenario
		if r.Latency != nil {
			for i := range r.Latency.Scenarios {
				if r.Latency.Scenarios[i].Key == sc.key {
					scen = &r.Latency.Scenarios[i]
				}
			}
		}
		for _, q := range []struct {
			p    string
			goal time.Duration
		}{{"p50", 50 * time.Millisecond}, {"p95", 250 * time.Millisecond}} {
			what := fmt.Sprintf("Detection latency %s, %s", q.p, sc.label)
			goal := "≤ " + ms(q.goal)
			if scen == nil || scen.run("kwait") == nil || len(scen.run("kwait").ok()) == 0 {
				rows = append(rows, notMeasured(what, goal))
				continue
			}
			pick := func(s summary) time.Duration {
				if q.p == "p50" {
					return s.P50
				}
				return s.P95
			}
			got := pick(summarize(scen.run("kwait").ok()))
			row := targetRow{What: what, Measured: ms(got), Goal: goal, Met: check(got <= q.goal)}
			var kc []string
			for _, w := range scen.Runs {
				if w.Key != "kwait" && len(w.ok()) > 0 {
					kc = append(kc, fmt.Sprintf("%s %s", w.Name, ms(pick(summarize(w.ok())))))
				}
			}
			row.Kubectl = strings.Join(kc, "; ")
			rows = append(rows, row)
		}
	}
	// Requests for one target, already ready and waiting until ready:
	// the floor is one request (a streaming list), a CRD one more for its
	// discovery check.
	for _, k := range []struct {
		kind, label string
		goal        int
	}{{"crd", "CRD", 2}, {"deployment", "Deployment", 1}} {
		for _, st := range []struct{ state, label string }{{"ready", "already ready"}, {"waiting", "waiting until ready"}} {
			what := "API requests, one " + k.label + " " + st.label
			goal := fmt.Sprintf("≤ %d", k.goal)
			run := r.APICost.run(k.kind, st.state, "kwait")
			if run == nil || len(run.Requests) == 0 {
				rows = append(rows, notMeasured(what, goal))
				continue
			}
			n := run.median().Total
			row := targetRow{What: what, Measured: fmt.Sprint(n), Goal: goal, Met: check(n <= k.goal)}
			for _, kc := range r.APICost.Runs {
				if kc.Kind == k.kind && kc.State == st.state && strings.HasPrefix(kc.Key, "kubectl-wait") && len(kc.Requests) > 0 {
					row.Kubectl = fmt.Sprintf("kubectl wait %d", kc.median().Total)
					break
				}
			}
			rows = append(rows, row)
		}
	}
	// Wall time when already ready.
	for _, k := range []struct{ kind, label string }{{"crd", "CRD"}, {"deployment", "Deployment"}} {
		what := "Wall time to exit, " + k.label + " already ready (p50)"
		run := r.Process.run(k.kind, "kwait")
		if run == nil || len(run.Wall) == 0 {
			rows = append(rows, notMeasured(what, "≤ 30 ms"))
			continue
		}
		s := summarize(run.Wall)
		row := targetRow{What: what, Measured: fmt.Sprintf("%s (p95 %s)", ms(s.P50), ms(s.P95)), Goal: "≤ 30 ms", Met: check(s.P50 <= 30*time.Millisecond)}
		if kc := r.Process.run(k.kind, "kubectl-wait"); kc != nil && len(kc.Wall) > 0 {
			row.Kubectl = "kubectl wait " + ms(summarize(kc.Wall).P50)
		}
		rows = append(rows, row)
	}
	// Peak RSS over every kwait run of one wait (ready and waiting).
	{
		var peak int64
		var kc int64
		if r.Process != nil {
			for _, run := range r.Process.Runs {
				if run.Key == "kwait" {
					peak = max(peak, run.maxRSS())
				}
				if run.Key == "kubectl-wait" {
					kc = max(kc, run.maxRSS())
				}
			}
		}
		if r.APICost != nil {
			for _, run := range r.APICost.Runs {
				for _, x := range run.RSS {
					if run.Key == "kwait" {
						peak = max(peak, x)
					}
				}
			}
		}
		if peak == 0 {
			rows = append(rows, notMeasured("Peak RSS of one wait", "≤ 25 MB"))
		} else {
			row := targetRow{What: "Peak RSS of one wait (largest of all runs)", Measured: mb(peak), Goal: "≤ 25 MB", Met: check(peak <= 25e6)}
			if kc > 0 {
				row.Kubectl = "kubectl wait " + mb(kc)
			}
			rows = append(rows, row)
		}
	}
	// Binary size.
	if k := r.Machine.Kwait; k.Size > 0 {
		what := "Binary size"
		if !k.Stripped {
			what += " (not stripped!)"
		}
		rows = append(rows, targetRow{What: what, Measured: mb(k.Size), Goal: "≤ 20 MB stripped", Met: check(k.Size <= 20e6 && k.Stripped),
			Kubectl: "kubectl " + mb(r.Machine.Kubectl.Size)})
	}
	// Growth with N CRDs.
	rows = append(rows, manyTarget(r.Many), manyWaitingTarget(r.Many))
	return rows
}

// manyWaitingTarget: N CRDs of one group that kwait waits for before they
// exist cost at most N + 2 requests: a watch each, and discovery shared.
func manyWaitingTarget(m *ManyResults) targetRow {
	what, goal := "Requests, N waiting CRDs of one group", "≤ N + 2"
	if m == nil || len(m.Rows) == 0 {
		return notMeasured(what, goal)
	}
	ok := true
	var parts, kparts []string
	for _, row := range m.Rows {
		run := row.run("kwait", "waiting")
		if run == nil || len(run.Requests) == 0 {
			return notMeasured(what, goal)
		}
		n := run.medianRequests()
		ok = ok && n <= row.N+2
		parts = append(parts, fmt.Sprintf("N=%d: %d", row.N, n))
		if kc := row.run("kubectl-loop", "waiting"); kc != nil && len(kc.Requests) > 0 {
			kparts = append(kparts, fmt.Sprintf("N=%d: %d", row.N, kc.medianRequests()))
		}
	}
	kc := ""
	if len(kparts) > 0 {
		kc = "loop of kubectl wait " + strings.Join(kparts, ", ")
	}
	return targetRow{What: what, Measured: strings.Join(parts, ", "), Goal: goal, Met: check(ok), Kubectl: kc}
}

// manyTarget: requests for N ready CRDs grow no faster than N, i.e.
// requests(N) ≤ N × requests(1), for both the ready and the waiting case.
func manyTarget(m *ManyResults) targetRow {
	what, goal := "Requests with N CRDs in one kwait", "grow no faster than N"
	if m == nil || len(m.Rows) == 0 || m.Rows[0].N != 1 {
		return notMeasured(what, goal)
	}
	ok := true
	var parts, kparts []string
	for _, state := range []string{"ready", "waiting"} {
		base := m.Rows[0].run("kwait", state)
		if base == nil || len(base.Requests) == 0 {
			return notMeasured(what, goal)
		}
		var seq, per, kseq []string
		for _, row := range m.Rows {
			run := row.run("kwait", state)
			if run == nil || len(run.Requests) == 0 {
				return notMeasured(what, goal)
			}
			ok = ok && run.medianRequests() <= row.N*base.medianRequests()
			seq = append(seq, fmt.Sprint(run.medianRequests()))
			per = append(per, fmt.Sprintf("%.1f", float64(run.medianRequests())/float64(row.N)))
			if kc := row.run("kubectl", state); kc != nil && len(kc.Requests) > 0 {
				kseq = append(kseq, fmt.Sprint(kc.medianRequests()))
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %s (per CRD %s)", state, strings.Join(seq, " → "), strings.Join(per, " → ")))
		if len(kseq) == len(m.Rows) {
			kparts = append(kparts, state+": "+strings.Join(kseq, " → "))
		}
	}
	var ns []string
	for _, row := range m.Rows {
		ns = append(ns, fmt.Sprint(row.N))
	}
	return targetRow{
		What:     fmt.Sprintf("%s (N = %s)", what, strings.Join(ns, ", ")),
		Measured: strings.Join(parts, "; "),
		Goal:     goal,
		Met:      check(ok),
		Kubectl:  strings.Join(kparts, "; "),
	}
}
