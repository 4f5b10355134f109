package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kwait-dev/kwait/pkg/kube"
)

// APICostResults: the requests one wait makes, counted in the audit log.
type APICostResults struct {
	Reps int       `json:"reps"`
	Runs []CostRun `json:"runs"`
}

type CostRun struct {
	Kind     string          `json:"kind"`
	State    string          `json:"state"` // "ready" or "waiting"
	Key      string          `json:"key"`
	Name     string          `json:"name"`
	Command  string          `json:"command"`
	User     string          `json:"user"`
	Requests []requests      `json:"requests"` // one per repetition
	Wall     []time.Duration `json:"wall"`
	CPU      []time.Duration `json:"cpu"`
	RSS      []int64         `json:"rss"` // waiting runs only (under GNU time)
	Err      string          `json:"err,omitempty"`
}

// median is the repetition with the median total.
func (r CostRun) median() requests {
	if len(r.Requests) == 0 {
		return requests{}
	}
	totals := make([]int, len(r.Requests))
	for i, q := range r.Requests {
		totals[i] = q.Total
	}
	m := medianInt(totals)
	for _, q := range r.Requests {
		if q.Total == m {
			return q
		}
	}
	return r.Requests[0]
}

// spread is "" when every repetition made the same number of requests,
// else "min-max".
func (r CostRun) spread() string {
	if len(r.Requests) < 2 {
		return ""
	}
	lo, hi := r.Requests[0].Total, r.Requests[0].Total
	for _, q := range r.Requests {
		lo, hi = min(lo, q.Total), max(hi, q.Total)
	}
	if lo == hi {
		return ""
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func (a *APICostResults) run(kind, state, key string) *CostRun {
	if a == nil {
		return nil
	}
	for i := range a.Runs {
		r := &a.Runs[i]
		if r.Kind == kind && r.State == state && r.Key == key {
			return r
		}
	}
	return nil
}

func (b *bench) apiCost(ctx context.Context) error {
	res := &APICostResults{Reps: 3}
	b.res.APICost = res
	// Already ready: one waiter at a time, as admin; its requests are those
	// with its user agent between its start and its exit.
	for _, kind := range []string{"crd", "deployment"} {
		th, release, err := b.readyThing(ctx, kind, "apicost")
		if err != nil {
			return err
		}
		for _, w := range b.waiters(kind) {
			run := CostRun{Kind: kind, State: "ready", Key: w.Key, Name: w.Name, Command: w.Show, User: b.c.admin.User}
			for range res.Reps {
				p, err := b.procs.start("cost-ready-"+w.Key+"-"+kind, b.c.admin, w.argv(th))
				if err != nil {
					release()
					return err
				}
				if run.Err = p.outcome(p.wait(ctx, time.Minute)); run.Err != "" {
					break
				}
				if err := b.c.sync(ctx, b.audit); err != nil {
					release()
					return err
				}
				run.Requests = append(run.Requests, b.audit.count(reqFilter{UA: w.UA, User: b.c.admin.User, From: p.Started, To: p.Exited}))
				run.Wall = append(run.Wall, p.wall())
				run.CPU = append(run.CPU, p.cpu())
			}
			logf("api cost ready %-10s %-26s %s %s", kind, w.Name, run.median(), run.Err)
			res.Runs = append(res.Runs, run)
		}
		release()
	}
	// Waiting: every competitor at once, each as its own user, for one
	// thing that turns ready after the window.
	for _, kind := range []string{"crd", "deployment"} {
		runs, err := b.waitingCost(ctx, kind)
		res.Runs = append(res.Runs, runs...)
		if err != nil {
			return err
		}
	}
	return b.c.deleteCRDs(ctx, "section", "apicost")
}

func (b *bench) waitingCost(ctx context.Context, kind string) ([]CostRun, error) {
	var s subject = &crdSubject{b: b, section: "apicost"}
	if kind == "deployment" {
		s = &deploymentSubject{b: b, section: "apicost"}
	}
	th, err := s.next(ctx)
	if err != nil {
		return nil, err
	}
	ids := append([]identity{b.c.admin}, b.c.users...)
	var ws []waiter
	for _, w := range b.waiters(kind) {
		if !w.Existing {
			ws = append(ws, w)
		}
	}
	if len(ws) > len(ids) {
		return nil, fmt.Errorf("%d waiters but only %d users to tell them apart", len(ws), len(ids))
	}
	start := time.Now()
	ps := make([]*proc, len(ws))
	for i, w := range ws {
		if ps[i], err = b.procs.startRSS("cost-waiting-"+w.Key+"-"+kind, ids[i], w.argv(th)); err != nil {
			return nil, err
		}
		defer ps[i].kill()
	}
	if err := kube.Sleep(ctx, time.Until(start.Add(b.cfg.window))); err != nil {
		return nil, err
	}
	if _, err := s.trigger(ctx, th); err != nil {
		return nil, err
	}
	var runs []CostRun
	for i, w := range ws {
		run := CostRun{Kind: kind, State: "waiting", Key: w.Key, Name: w.Name, Command: w.Show, User: ids[i].User}
		p := ps[i]
		run.Err = p.outcome(p.wait(ctx, 2*time.Minute))
		runs = append(runs, run)
	}
	if err := b.c.sync(ctx, b.audit); err != nil {
		return nil, err
	}
	for i := range runs {
		p := ps[i]
		if runs[i].Err != "" {
			continue
		}
		runs[i].Requests = []requests{b.audit.count(reqFilter{UA: ws[i].UA, User: ids[i].User, From: p.Started, To: p.Exited})}
		runs[i].Wall = []time.Duration{p.wall()}
		runs[i].CPU = []time.Duration{p.cpu()}
		runs[i].RSS = []int64{p.PeakRSS}
		logf("api cost waiting %-10s %-26s %s", kind, runs[i].Name, runs[i].median())
	}
	return runs, nil
}

// apiCost writes section 2 of the document: the requests one wait makes.
func (d *doc) apiCost(r *Results) {
	a := r.APICost
	if !d.section("2. API cost", a != nil) {
		return
	}
	d.p("Requests one waiter makes for one wait, counted in the apiserver's audit log: distinct audit IDs (a watch logs")
	d.p("two events under one ID) with the waiter's user agent (`kwait/…` or `kubectl/…`) and user, received between")
	d.p("the process's start and its exit. *Already ready*: the median of %d runs, one at a time, each with a fresh", a.Reps)
	d.p("HOME (a cold kubectl discovery cache, as in a new init container). *Waiting %s*: one run, the object turns", r.Window)
	d.p("ready %s after the waiters start; the competitors run at the same time, each as its own user so their", r.Window)
	d.p("requests are told apart. A shell loop's count includes every kubectl it ran.")
	d.p("")
	var rows [][]string
	for _, kind := range []string{"crd", "deployment"} {
		seen := map[string]bool{}
		for _, run := range a.Runs {
			if run.Kind != kind || seen[run.Key] {
				continue
			}
			seen[run.Key] = true
			cell := func(state string) string {
				x := a.run(kind, state, run.Key)
				switch {
				case x == nil:
					return "–"
				case x.Err != "":
					return "failed: " + x.Err
				case len(x.Requests) == 0:
					return "–"
				}
				s := x.median().String()
				if sp := x.spread(); sp != "" {
					s += " (runs: " + sp + ")"
				}
				return s
			}
			rows = append(rows, []string{kindLabel(kind), run.Name, cell("ready"), cell("waiting")})
		}
	}
	d.table([]string{"target", "waiter", "already ready", "waiting " + r.Window.String()}, rows)
	d.p("Commands:")
	d.p("")
	seen := map[string]bool{}
	for _, run := range a.Runs {
		k := run.Kind + run.Key
		if seen[k] {
			continue
		}
		seen[k] = true
		d.p("- %s, %s: %s", kindLabel(run.Kind), run.Name, code(run.Command))
	}
	d.p("")
}
