package main

import (
	"fmt"
	"strings"
	"time"
)

// goals are kwait's targets, set in the issue, as data: the Targets
// section holds each measured value against its bound here, and the
// latency chart draws the latency goals.
type goals struct {
	// LatencyP50 and LatencyP95 bound the detection latency of a
	// Kubernetes target (a CRD, a Deployment).
	LatencyP50, LatencyP95 time.Duration
	// Requests bounds the API requests of one wait, by kind, whether the
	// object is already ready or waited for: one streaming list, and for
	// a CRD one discovery request more.
	Requests map[string]int
	// WallP50 bounds the wall time to exit when the object is already
	// ready (median).
	WallP50 time.Duration
	// PeakRSS bounds the resident memory of one wait; BinarySize the
	// stripped binary.
	PeakRSS, BinarySize int64
	// ManyWaitingExtra: N waiting CRDs of one group cost at most N plus
	// this many requests (a watch each, discovery shared).
	ManyWaitingExtra int
}

// megabytes writes a goal's bytes as the issue does: "25 MB".
func megabytes(b int64) string { return fmt.Sprintf("%g MB", float64(b)/1e6) }

// kwaitGoals is the table of goals.
func kwaitGoals() goals {
	return goals{
		LatencyP50:       50 * time.Millisecond,
		LatencyP95:       250 * time.Millisecond,
		Requests:         map[string]int{"crd": 2, "deployment": 1},
		WallP50:          30 * time.Millisecond,
		PeakRSS:          25e6,
		BinarySize:       20e6,
		ManyWaitingExtra: 2,
	}
}

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
	g := kwaitGoals()
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
		}{{"p50", g.LatencyP50}, {"p95", g.LatencyP95}} {
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
	}{{"crd", "CRD", g.Requests["crd"]}, {"deployment", "Deployment", g.Requests["deployment"]}} {
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
			rows = append(rows, notMeasured(what, "≤ "+ms(g.WallP50)))
			continue
		}
		s := summarize(run.Wall)
		row := targetRow{What: what, Measured: fmt.Sprintf("%s (p95 %s)", ms(s.P50), ms(s.P95)), Goal: "≤ " + ms(g.WallP50), Met: check(s.P50 <= g.WallP50)}
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
			rows = append(rows, notMeasured("Peak RSS of one wait", "≤ "+megabytes(g.PeakRSS)))
		} else {
			row := targetRow{What: "Peak RSS of one wait (largest of all runs)", Measured: mb(peak), Goal: "≤ " + megabytes(g.PeakRSS), Met: check(peak <= g.PeakRSS)}
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
		rows = append(rows, targetRow{What: what, Measured: mb(k.Size), Goal: "≤ " + megabytes(g.BinarySize) + " stripped", Met: check(k.Size <= g.BinarySize && k.Stripped),
			Kubectl: "kubectl " + mb(r.Machine.Kubectl.Size)})
	}
	// Growth with N CRDs.
	rows = append(rows, manyTarget(r.Many), manyWaitingTarget(r.Many, g.ManyWaitingExtra))
	return rows
}

// manyWaitingTarget: N CRDs of one group that kwait waits for before they
// exist cost at most N + extra requests: a watch each, and discovery shared.
func manyWaitingTarget(m *ManyResults, extra int) targetRow {
	what, goal := "Requests, N waiting CRDs of one group", fmt.Sprintf("≤ N + %d", extra)
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
		ok = ok && n <= row.N+extra
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

// targets writes the document's Targets section: every goal, the value
// measured and kubectl's.
func (d *doc) targets(r *Results) {
	d.p("## Targets")
	d.p("")
	d.p("The goals set for kwait in the issue, the value measured in this run, and what kubectl did in the same run.")
	d.p("A miss is a finding, not a failure of the bench.")
	d.p("")
	var rows [][]string
	for _, t := range targets(r) {
		rows = append(rows, []string{t.What, t.Measured, t.Goal, t.Met, t.Kubectl})
	}
	d.table([]string{"target", "kwait", "goal", "met", "kubectl, same run"}, rows)
}
