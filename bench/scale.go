package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kwait-dev/kwait/pkg/kube"
)

// ScaleResults: many waiters on one Deployment that turns ready after the
// window: kwait processes against kubectl polling loops.
type ScaleResults struct {
	N        int           `json:"n"`
	Spread   time.Duration `json:"spread"` // starts spread evenly over this
	Baseline CPUSample     `json:"baseline"`
	Runs     []ScaleRun    `json:"runs"`
}

// CPUSample is apiserver CPU time used over a wall-clock span.
type CPUSample struct {
	Span time.Duration `json:"span"`
	CPU  time.Duration `json:"cpu"`
}

// perSecond is CPU seconds per wall second.
func (c CPUSample) perSecond() float64 {
	if c.Span <= 0 {
		return 0
	}
	return c.CPU.Seconds() / c.Span.Seconds()
}

type ScaleRun struct {
	Key        string          `json:"key"`
	Name       string          `json:"name"`
	Command    string          `json:"command"`
	N          int             `json:"n"`
	StartSpan  time.Duration   `json:"startSpan"`  // first start to last start
	ReadyAfter time.Duration   `json:"readyAfter"` // first start to ready
	Window     time.Duration   `json:"window"`     // first start to last exit
	Requests   requests        `json:"requests"`
	APIServer  CPUSample       `json:"apiserver"`
	WaitersCPU time.Duration   `json:"waitersCPU"` // sum over the waiters
	Latencies  []time.Duration `json:"latencies"`  // exit minus ready, per waiter that succeeded
	Failed     int             `json:"failed"`
}

func (b *bench) scale(ctx context.Context) error {
	n := b.cfg.scale
	var err error
	// A kubectl loop holds a kubectl process most of the time when the CPU
	// is saturated; keep 2 GB free on a shared machine.
	const perLoop = 80 << 20
	if avail := memAvailable(); avail > 0 && int64(n)*perLoop+2<<30 > avail {
		fit := int((avail - 2<<30) / perLoop)
		if fit < 10 {
			return fmt.Errorf("only %s of memory available, too little for the scale test", mb(avail))
		}
		b.res.note("scale test: %d waiters instead of %d: %s of memory available, and a kubectl loop may hold 80 MB", fit, n, mb(avail))
		n = fit
	}
	res := &ScaleResults{N: n, Spread: 2 * time.Second}
	b.res.Scale = res

	// The apiserver's idle CPU use, to read the runs against, once it has
	// finished digesting what earlier sections created and deleted.
	if err := b.settle(ctx); err != nil {
		return err
	}
	idle := 10 * time.Second
	if b.cfg.quick {
		idle = 3 * time.Second
	}
	if res.Baseline, err = b.apiserverCPUOver(ctx, idle); err != nil {
		return err
	}

	for _, w := range []waiter{b.waiter("deployment", "kwait"), b.waiter("deployment", "loop")} {
		if err := trial(ctx, b, &res.Runs, func() (*ScaleRun, error) { return b.scaleRun(ctx, w, n, res.Spread) }); err != nil {
			return err
		}
	}
	return nil
}

// trial runs one trial of a section, keeps its run in runs (a failed trial
// may still bring one), then lets the machine settle before the next.
func trial[R any](ctx context.Context, b *bench, runs *[]R, run func() (*R, error)) error {
	r, err := run()
	if r != nil {
		*runs = append(*runs, *r)
	}
	if err != nil {
		return err
	}
	return b.settle(ctx)
}

func (b *bench) scaleRun(ctx context.Context, w waiter, n int, spread time.Duration) (*ScaleRun, error) {
	s := &deploymentSubject{b: b, section: "scale"}
	th, err := s.next(ctx)
	if err != nil {
		return nil, err
	}
	run := &ScaleRun{Key: w.Key, Name: w.Name, Command: w.Show, N: n}
	cpuBefore, err := b.c.apiserverCPU()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	ps := make([]*proc, 0, n)
	defer func() {
		for _, p := range ps {
			p.kill()
		}
	}()
	for i := range n {
		if err := kube.Sleep(ctx, time.Until(start.Add(spread*time.Duration(i)/time.Duration(n)))); err != nil {
			return nil, err
		}
		p, err := b.procs.start(fmt.Sprintf("scale-%s-%03d", w.Key, i), b.c.admin, w.argv(th))
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	run.StartSpan = time.Since(start)
	logf("scale %s: %d started in %s", w.Name, n, run.StartSpan.Round(time.Millisecond))
	if err := kube.Sleep(ctx, time.Until(start.Add(b.cfg.window))); err != nil {
		return nil, err
	}
	ready, err := s.trigger(ctx, th)
	if err != nil {
		return nil, err
	}
	run.ReadyAfter = ready.Sub(start)
	deadline := ready.Add(90 * time.Second)
	last := ready
	for _, p := range ps {
		if err := p.wait(ctx, time.Until(deadline)); err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if p.Code == 0 && p.Exited.After(ready) {
			run.Latencies = append(run.Latencies, p.Exited.Sub(ready))
		} else {
			run.Failed++
		}
		if p.Exited.After(last) {
			last = p.Exited
		}
		run.WaitersCPU += p.cpu()
	}
	cpuAfter, err := b.c.apiserverCPU()
	if err != nil {
		return nil, err
	}
	run.Window = last.Sub(start)
	run.APIServer = CPUSample{Span: time.Since(start), CPU: cpuAfter - cpuBefore}
	if err := b.c.sync(ctx, b.audit); err != nil {
		return nil, err
	}
	run.Requests = b.audit.count(reqFilter{UA: w.UA, User: b.c.admin.User, From: start, To: last})
	lat := summarize(run.Latencies)
	logf("scale %s: %s requests, apiserver %s CPU in %s, latency p50 %s p95 %s max %s, %d failed",
		w.Name, run.Requests, ms(run.APIServer.CPU), ms(run.APIServer.Span), ms(lat.P50), ms(lat.P95), ms(lat.Max), run.Failed)
	if run.Failed > 0 {
		b.res.note("scale test: %d of %d %s waiters failed or were killed 90 s after ready", run.Failed, n, w.Name)
	}
	return run, nil
}

// apiserverCPUOver measures the apiserver's CPU use over d.
func (b *bench) apiserverCPUOver(ctx context.Context, d time.Duration) (CPUSample, error) {
	cpu0, err := b.c.apiserverCPU()
	if err != nil {
		return CPUSample{}, err
	}
	t0 := time.Now()
	if err := kube.Sleep(ctx, d); err != nil {
		return CPUSample{}, err
	}
	cpu1, err := b.c.apiserverCPU()
	if err != nil {
		return CPUSample{}, err
	}
	return CPUSample{Span: time.Since(t0), CPU: cpu1 - cpu0}, nil
}

// settle waits, at most a minute, until the apiserver's CPU use over 2 s
// windows stops falling: the background work that a burst of CRDs or
// processes leaves behind (OpenAPI and discovery rebuilds, closing
// watches) would otherwise be counted against the next measurement.
func (b *bench) settle(ctx context.Context) error {
	prev := -1.0
	for start := time.Now(); time.Since(start) < time.Minute; {
		s, err := b.apiserverCPUOver(ctx, 2*time.Second)
		if err != nil {
			return err
		}
		cur := s.perSecond()
		if prev >= 0 && cur >= prev*0.8 {
			return nil
		}
		prev = cur
	}
	return nil
}

// memAvailable is MemAvailable from /proc/meminfo in bytes (0 if unknown).
func memAvailable() int64 { return meminfo("MemAvailable:") }

func meminfo(field string) int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 && fs[0] == field {
			kb, _ := strconv.ParseInt(fs[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// scale writes section 4 of the document: many waiters at once.
func (d *doc) scale(r *Results, chart string) {
	s := r.Scale
	if !d.section("4. Scale: many waiters on one Deployment", s != nil) {
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
