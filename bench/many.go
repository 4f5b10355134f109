package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kwait-dev/kwait/pkg/kube"
)

// ManyResults: one kwait (and one kubectl wait) for N CRDs at once.
type ManyResults struct {
	Rows []ManyRow `json:"rows"`
}

type ManyRow struct {
	N int `json:"n"`
	// CreateSpan is from the first create to the last CRD Established.
	CreateSpan time.Duration `json:"createSpan"`
	Runs       []ManyRun     `json:"runs"`
}

type ManyRun struct {
	Key      string          `json:"key"` // kwait, kubectl
	State    string          `json:"state"`
	Command  string          `json:"command"`
	Requests []requests      `json:"requests"`
	Wall     []time.Duration `json:"wall"`
	// Latency (waiting) is from the last CRD Established to the exit.
	Latency time.Duration `json:"latency"`
	Err     string        `json:"err,omitempty"`
}

func (r ManyRow) run(key, state string) *ManyRun {
	for i := range r.Runs {
		if r.Runs[i].Key == key && r.Runs[i].State == state {
			return &r.Runs[i]
		}
	}
	return nil
}

func (r ManyRun) medianRequests() int {
	xs := make([]int, len(r.Requests))
	for i, q := range r.Requests {
		xs[i] = q.Total
	}
	return medianInt(xs)
}

func (b *bench) many(ctx context.Context) error {
	res := &ManyResults{}
	b.res.Many = res
	for _, n := range b.cfg.many {
		row, err := b.manyRow(ctx, n)
		if row != nil {
			res.Rows = append(res.Rows, *row)
		}
		if err != nil {
			return err
		}
		if err := b.c.deleteCRDs(ctx, "many", fmt.Sprint(n)); err != nil {
			return err
		}
	}
	return nil
}

// manyArgv are the two waiters for a list of CRD names.
func (b *bench) manyArgv(key string, names []string, existing bool) ([]string, string) {
	switch key {
	case "kwait":
		return append([]string{b.cfg.kwait, "crd"}, append(names, "--timeout", "5m")...),
			"kwait crd NAME1 … NAMEn --timeout 5m"
	case "kubectl-loop":
		const show = `for c in NAME1 … NAMEn; do kubectl wait --for=create --for=condition=Established crd/$c --timeout=5m || exit 1; done`
		script := strings.Replace(show, "NAME1 … NAMEn", strings.Join(names, " "), 1)
		return []string{"bash", "-c", script}, show
	default:
		args := []string{b.cfg.kubectl, "wait"}
		show := "kubectl wait --for=condition=Established crd/NAME1 … crd/NAMEn --timeout=5m"
		if !existing {
			args = append(args, "--for=create")
			show = "kubectl wait --for=create --for=condition=Established crd/NAME1 … crd/NAMEn --timeout=5m"
		}
		args = append(args, "--for=condition=Established")
		for _, n := range names {
			args = append(args, "crd/"+n)
		}
		return append(args, "--timeout=5m"), show
	}
}

func (b *bench) manyRow(ctx context.Context, n int) (*ManyRow, error) {
	group := fmt.Sprintf("n%d.%s.bench.kwait.dev", n, b.c.runID)
	plurals := make([]string, n)
	names := make([]string, n)
	for i := range n {
		plurals[i] = fmt.Sprintf("r%03d", i)
		names[i] = plurals[i] + "." + group
	}
	row := &ManyRow{N: n}

	// Waiting: both start before the CRDs exist; kwait as admin, kubectl as
	// user1, so their requests are told apart.
	type waiting struct {
		key string
		id  identity
		ua  string
		p   *proc
		run ManyRun
	}
	ws := []*waiting{
		{key: "kwait", id: b.c.admin, ua: kwaitUA},
		{key: "kubectl", id: b.c.users[0], ua: kubectlUA},
		{key: "kubectl-loop", id: b.c.users[1], ua: kubectlUA},
	}
	for _, w := range ws {
		pos := b.audit.len()
		argv, show := b.manyArgv(w.key, names, false)
		w.run = ManyRun{Key: w.key, State: "waiting", Command: show}
		p, err := b.procs.start(fmt.Sprintf("many-%d-%s", n, w.key), w.id, argv)
		if err != nil {
			return row, err
		}
		w.p = p
		defer p.kill()
		actx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err = b.audit.await(actx, pos, func(e *auditEvent) bool {
			return strings.HasPrefix(e.UA, w.ua) && e.User == w.id.User && strings.Contains(e.URI, names[0])
		})
		cancel()
		if err != nil {
			return row, fmt.Errorf("many %d: %s never asked about %s: %w", n, w.key, names[0], err)
		}
	}
	if err := kube.Sleep(ctx, time.Second); err != nil {
		return row, err
	}
	created := time.Now()
	if err := b.createMany(ctx, group, plurals); err != nil {
		return row, err
	}
	var last time.Time
	for _, name := range names {
		t, err := b.obs.readyAt(ctx, "crd/"+name, 3*time.Minute)
		if err != nil {
			return row, err
		}
		if t.After(last) {
			last = t
		}
	}
	row.CreateSpan = last.Sub(created)
	for _, w := range ws {
		w.run.Err = w.p.outcome(w.p.wait(ctx, 3*time.Minute))
		w.run.Wall = []time.Duration{w.p.wall()}
	}
	if err := b.c.sync(ctx, b.audit); err != nil {
		return row, err
	}
	for _, w := range ws {
		if w.run.Err == "" {
			w.run.Requests = []requests{b.audit.count(reqFilter{UA: w.ua, User: w.id.User, From: w.p.Started, To: w.p.Exited})}
			w.run.Latency = w.p.Exited.Sub(last)
		}
		logf("many %3d waiting %-12s %s, %s after the last Established %s", n, w.key, reqOf(w.run), ms(w.run.Latency), w.run.Err)
		row.Runs = append(row.Runs, w.run)
	}

	// Already ready (and served): one at a time, as admin.
	if err := b.c.servedEverywhere(ctx, group, plurals); err != nil {
		return row, err
	}
	for _, w := range ws[:2] {
		argv, show := b.manyArgv(w.key, names, true)
		run := ManyRun{Key: w.key, State: "ready", Command: show}
		for range 3 {
			p, err := b.procs.start(fmt.Sprintf("many-%d-ready-%s", n, w.key), b.c.admin, argv)
			if err != nil {
				return row, err
			}
			if run.Err = p.outcome(p.wait(ctx, 2*time.Minute)); run.Err != "" {
				break
			}
			if err := b.c.sync(ctx, b.audit); err != nil {
				return row, err
			}
			run.Requests = append(run.Requests, b.audit.count(reqFilter{UA: w.ua, User: b.c.admin.User, From: p.Started, To: p.Exited}))
			run.Wall = append(run.Wall, p.wall())
		}
		logf("many %3d ready   %-12s %s, wall %s %s", n, w.key, reqOf(run), ms(summarize(run.Wall).P50), run.Err)
		row.Runs = append(row.Runs, run)
	}
	return row, nil
}

func reqOf(r ManyRun) string {
	if len(r.Requests) == 0 {
		return "no count"
	}
	return fmt.Sprintf("%d requests", r.medianRequests())
}

// createMany creates the CRDs plural.group, eight at a time.
func (b *bench) createMany(ctx context.Context, group string, plurals []string) error {
	sem := make(chan struct{}, 8)
	errs := make(chan error, len(plurals))
	var wg sync.WaitGroup
	n := fmt.Sprint(len(plurals))
	for _, p := range plurals {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs <- b.c.createCRD(ctx, b.c.newCRD(p, group, map[string]string{"many": n}))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// many writes section 5 of the document: N CRDs in one kwait.
func (d *doc) many(r *Results, chart string) {
	m := r.Many
	if !d.section("5. Many targets in one call", m != nil) {
		return
	}
	d.p("One kwait, and for comparison `kubectl wait`, for N CRDs of one API group. *Waiting*: the waiters start")
	d.p("before the CRDs exist, at the same time, each as its own user; the bench then creates all N, eight at a time;")
	d.p("latency is from the last CRD Established to the exit. Since one `kubectl wait --for=create` for several")
	d.p("missing objects exits with an error (see the table), the loop of one `kubectl wait` per CRD that a chart would")
	d.p("use instead is measured too. *Already ready*: once every CRD is Established and served, median of 3 runs, one")
	d.p("at a time.")
	d.p("")
	cols := []struct{ key, state, head string }{
		{"kwait", "ready", "kwait, ready: requests, wall"},
		{"kubectl", "ready", "kubectl wait, ready"},
		{"kwait", "waiting", "kwait, waiting: requests, exit after last Established"},
		{"kubectl", "waiting", "kubectl wait, waiting"},
		{"kubectl-loop", "waiting", "loop of kubectl wait, waiting"},
	}
	head := []string{"N"}
	for _, c := range cols {
		head = append(head, c.head)
	}
	head = append(head, "creating all N took")
	var rows [][]string
	for _, row := range m.Rows {
		cells := []string{fmt.Sprint(row.N)}
		for _, k := range cols {
			run := row.run(k.key, k.state)
			switch {
			case run == nil:
				cells = append(cells, "–")
			case run.Err != "" && len(run.Wall) > 0:
				cells = append(cells, fmt.Sprintf("failed after %s: %s", ms(run.Wall[0]), run.Err))
			case run.Err != "":
				cells = append(cells, "failed: "+run.Err)
			case k.state == "ready":
				cells = append(cells, fmt.Sprintf("%d req, %s", run.medianRequests(), ms(summarize(run.Wall).P50)))
			default:
				cells = append(cells, fmt.Sprintf("%d req, +%s", run.medianRequests(), ms(run.Latency)))
			}
		}
		cells = append(cells, ms(row.CreateSpan))
		rows = append(rows, cells)
	}
	d.table(head, rows)
	if len(m.Rows) > 0 {
		for _, k := range cols {
			if run := m.Rows[0].run(k.key, k.state); run != nil {
				d.p("- %s: %s", k.head[:strings.Index(k.head, ",")]+", "+k.state, code(run.Command))
			}
		}
	}
	d.p("")
	if chart != "" {
		d.p("![Requests against the number of CRDs](%s)", chart)
		d.p("")
	}
}
