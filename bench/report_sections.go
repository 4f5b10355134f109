package main

import (
	"fmt"
	"strings"
)

// The document's sections 1-5, one writer each, in the order they appear.

func (d *doc) latency(r *Results, chart string) {
	d.p("## 1. Detection latency")
	d.p("")
	if r.Latency == nil {
		d.p("Not run.")
		d.p("")
		return
	}
	d.p("From the moment the thing becomes ready to the moment the waiter process exits (`wait4` returned in the bench).")
	d.p("Each trial starts the waiter, waits until it is *armed* (for Kubernetes waiters: the audit log shows its first")
	d.p("request about the object; for network waiters: it has started), waits a further random delay spread over the")
	d.p("waiter's polling period so a poller is caught at a random phase, then makes the thing ready.")
	d.p("")
	if chart != "" {
		d.p("![Detection latency per trial, log scale](%s)", chart)
		d.p("")
	}
	for _, sc := range r.Latency.Scenarios {
		d.p("### %s", sc.Title)
		d.p("")
		d.p("Ready moment: %s.", sc.Ready)
		if sc.Lag != nil {
			d.p("Check of that moment against the server: the bench's watch delivered the change %s after the audit log's",
				ms(sc.Lag.P50))
			d.p("timestamp of the status write that caused it (median of %d trials; p95 %s, range %s to %s), so these",
				sc.Lag.N, ms(sc.Lag.P95), ms(sc.Lag.Min), ms(sc.Lag.Max))
			d.p("latencies may be short by about that much.")
		}
		d.p("")
		var rows [][]string
		for _, w := range sc.Runs {
			s := summarize(w.ok())
			par := "one at a time"
			if w.Parallel > 1 {
				par = fmt.Sprintf("%d at once", w.Parallel)
			}
			rows = append(rows, []string{w.Name, ms(s.P50), ms(s.P95), ms(s.Min), ms(s.Max),
				fmt.Sprintf("%d/%d", s.N, len(w.Trials)), par})
		}
		d.table([]string{"waiter", "p50", "p95", "min", "max", "trials ok", "trials run"}, rows)
		for _, w := range sc.Runs {
			d.p("- %s: %s", w.Name, code(w.Command))
		}
		d.p("")
	}
}

func (d *doc) apiCost(r *Results) {
	d.p("## 2. API cost")
	d.p("")
	a := r.APICost
	if a == nil {
		d.p("Not run.")
		d.p("")
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

func kindLabel(kind string) string {
	switch kind {
	case "crd":
		return "CRD"
	case "deployment":
		return "Deployment"
	case "tcp":
		return "TCP"
	case "http":
		return "HTTP"
	case "postgres":
		return "PostgreSQL"
	case "redis":
		return "Redis"
	case "mysql":
		return "MySQL"
	case "amqp":
		return "AMQP"
	}
	return kind
}

func (d *doc) process(r *Results) {
	d.p("## 3. Process cost")
	d.p("")
	p := r.Process
	if p == nil {
		d.p("Not run.")
		d.p("")
	} else {
		d.p("One wait for a thing that is already ready, %d runs per waiter, one process at a time, taking turns. Wall time", r.Trials)
		d.p("is from just before `fork` to `wait4` returning; CPU time is user + system as `wait4` reports it, which for a")
		d.p("shell loop includes every child it waited for. Peak RSS comes from %d further runs of each under GNU time", min(5, r.Trials))
		d.p("(`/usr/bin/time -f %%M`), the largest of them; for a shell loop, that of its largest process. (The rusage of")
		d.p("a child of a Go program cannot be used for peak RSS: Go starts children with `CLONE_VFORK|CLONE_VM`, and the")
		d.p("kernel keeps the parent's high-water mark as the child's `ru_maxrss` at exec.)")
		d.p("")
		var rows [][]string
		for _, run := range p.Runs {
			s := summarize(run.Wall)
			fail := ""
			if run.Failed > 0 {
				fail = fmt.Sprintf(" (%d failed)", run.Failed)
			}
			rows = append(rows, []string{kindLabel(run.Kind), run.Name, ms(s.P50), ms(s.P95) + fail, ms(run.medianCPU()), mb(run.maxRSS())})
		}
		d.table([]string{"target", "waiter", "wall p50", "wall p95", "CPU (median)", "peak RSS (largest)"}, rows)
	}
	if a := r.APICost; a != nil {
		var rows [][]string
		for _, run := range a.Runs {
			if run.State != "waiting" || len(run.CPU) == 0 {
				continue
			}
			rows = append(rows, []string{kindLabel(run.Kind), run.Name, ms(run.Wall[0]), ms(run.CPU[0]), mb(run.RSS[0])})
		}
		if len(rows) > 0 {
			d.p("The same for one wait that lasts %s (the *waiting* runs of section 2, under GNU time, whose own ~1 ms of", r.Window)
			d.p("CPU is included):")
			d.p("")
			d.table([]string{"target", "waiter", "wall", "CPU", "peak RSS"}, rows)
		}
	}
	m := r.Machine
	d.p("Binaries: kwait %s, kubectl %s (this kubectl is built from source with cgo by e2e/cluster/build.sh; the", mb(m.Kwait.Size), mb(m.Kubectl.Size))
	d.p("release binary is smaller).")
	d.p("")
}

func (d *doc) scale(r *Results, chart string) {
	d.p("## 4. Scale: many waiters on one Deployment")
	d.p("")
	s := r.Scale
	if s == nil {
		d.p("Not run.")
		d.p("")
		return
	}
	d.p("%d waiters, started evenly over %s (as the init containers of a large rollout would), all waiting for one", s.N, ms(s.Spread))
	d.p("Deployment that is unpaused %s after the first start. First kwait processes, then, after they are all", r.Window)
	d.p("gone and the apiserver has settled, kubectl polling loops (%s). Requests are counted in", code(deploymentLoop))
	d.p("the audit log by user agent between the first start and the last exit; apiserver CPU is utime + stime of the")
	d.p("kube-apiserver process from `/proc/PID/stat`, read before the first start and after the last exit. Waiters")
	d.p("still running 90 s after the Deployment was ready are killed and counted as failed.")
	d.p("")
	d.p("The waiters share the machine's %d cores with the control plane, as they would not on a real cluster, where", r.Machine.Cores)
	d.p("they run on other nodes. Where the waiters' own CPU (below) comes near the cores × the span, the machine was")
	d.p("saturated by them: the loops then poll more slowly than their `sleep` says, so they make fewer requests and")
	d.p("cost the apiserver less than they would on a real cluster, and their latency is mostly waiting for the CPU.")
	d.p("")
	head := []string{""}
	for _, run := range s.Runs {
		head = append(head, run.Name)
	}
	row := func(label string, f func(ScaleRun) string) []string {
		out := []string{label}
		for _, run := range s.Runs {
			out = append(out, f(run))
		}
		return out
	}
	idle := s.Baseline.perSecond()
	rows := [][]string{
		row("waiters", func(x ScaleRun) string { return fmt.Sprint(x.N) }),
		row("all started within", func(x ScaleRun) string { return ms(x.StartSpan) }),
		row("Deployment ready after the first start", func(x ScaleRun) string { return ms(x.ReadyAfter) }),
		row("first start to last exit", func(x ScaleRun) string { return ms(x.Window) }),
		row("apiserver requests", func(x ScaleRun) string { return x.Requests.String() }),
		row("requests per second, over that span", func(x ScaleRun) string {
			return fmt.Sprintf("%.1f", float64(x.Requests.Total)/x.Window.Seconds())
		}),
		row("apiserver CPU over that span", func(x ScaleRun) string {
			return fmt.Sprintf("%.1f s (%.2f cores)", x.APIServer.CPU.Seconds(), x.APIServer.perSecond())
		}),
		row("apiserver CPU above idle", func(x ScaleRun) string {
			return fmt.Sprintf("%.1f s", x.APIServer.CPU.Seconds()-idle*x.APIServer.Span.Seconds())
		}),
		row("waiters' own CPU, all together", func(x ScaleRun) string {
			return fmt.Sprintf("%.1f s (%.2f cores)", x.WaitersCPU.Seconds(), x.WaitersCPU.Seconds()/x.Window.Seconds())
		}),
		row("latency p50 (ready to exit)", func(x ScaleRun) string { return ms(summarize(x.Latencies).P50) }),
		row("latency p95", func(x ScaleRun) string { return ms(summarize(x.Latencies).P95) }),
		row("latency max", func(x ScaleRun) string { return ms(summarize(x.Latencies).Max) }),
		row("failed or killed", func(x ScaleRun) string { return fmt.Sprint(x.Failed) }),
	}
	d.table(head, rows)
	d.p("Idle apiserver (no waiters), measured once it had settled, just before the kwait run: %.2f s CPU in %s (%.3f cores).",
		s.Baseline.CPU.Seconds(), ms(s.Baseline.Span), idle)
	d.p("")
	if chart != "" {
		d.p("![Latency distribution under load](%s)", chart)
		d.p("")
	}
}

func (d *doc) many(r *Results, chart string) {
	d.p("## 5. Many targets in one call")
	d.p("")
	m := r.Many
	if m == nil {
		d.p("Not run.")
		d.p("")
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
