package main

import (
	"context"
	"fmt"
	"time"
)

// ProcessResults: what one wait for a thing that is already ready costs the
// machine: wall time to exit, CPU time, peak RSS.
type ProcessResults struct {
	Runs []ProcessRun `json:"runs"`
}

type ProcessRun struct {
	Kind    string          `json:"kind"`
	Key     string          `json:"key"`
	Name    string          `json:"name"`
	Command string          `json:"command"`
	Wall    []time.Duration `json:"wall"`
	CPU     []time.Duration `json:"cpu"`
	RSS     []int64         `json:"rss"` // bytes, from the runs under GNU time
	Failed  int             `json:"failed"`
}

func (r ProcessRun) medianCPU() time.Duration {
	xs := make([]int64, len(r.CPU))
	for i, d := range r.CPU {
		xs[i] = int64(d)
	}
	return time.Duration(medianInt64(xs))
}

func (r ProcessRun) maxRSS() int64 { return maxOf(r.RSS) }

func (p *ProcessResults) run(kind, key string) *ProcessRun {
	if p == nil {
		return nil
	}
	for i := range p.Runs {
		if p.Runs[i].Kind == kind && p.Runs[i].Key == key {
			return &p.Runs[i]
		}
	}
	return nil
}

// processCost runs every waiter against a thing of its kind that is ready,
// trials times each, taking turns, one process at a time; then a few more
// times under GNU time for the peak RSS.
func (b *bench) processCost(ctx context.Context) error {
	res := &ProcessResults{}
	b.res.Process = res
	type job struct {
		w   waiter
		th  thing
		run *ProcessRun
	}
	var jobs []job
	for _, kind := range []string{"crd", "deployment", "tcp", "http"} {
		th, release, err := b.readyThing(ctx, kind, "process")
		if err != nil {
			return err
		}
		defer release()
		for _, w := range b.waiters(kind) {
			if w.Key == "kwait-fast" {
				continue
			}
			res.Runs = append(res.Runs, ProcessRun{Kind: kind, Key: w.Key, Name: w.Name, Command: w.Show})
			jobs = append(jobs, job{w: w, th: th})
		}
	}
	for i := range jobs {
		jobs[i].run = &res.Runs[i]
	}
	for i := 0; i < b.cfg.trials; i++ {
		for _, j := range jobs {
			p, err := b.procs.start("ready-"+j.w.Key+"-"+j.th.Kind, b.c.admin, j.w.argv(j.th))
			if err != nil {
				return err
			}
			if err := p.wait(ctx, time.Minute); err != nil || p.Code != 0 {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				j.run.Failed++
				continue
			}
			j.run.Wall = append(j.run.Wall, p.wall())
			j.run.CPU = append(j.run.CPU, p.cpu())
		}
	}
	// Peak RSS in runs of their own, under GNU time (see startRSS).
	for range min(5, b.cfg.trials) {
		for _, j := range jobs {
			p, err := b.procs.startRSS("rss-"+j.w.Key+"-"+j.th.Kind, b.c.admin, j.w.argv(j.th))
			if err != nil {
				return err
			}
			if err := p.wait(ctx, time.Minute); err != nil || p.Code != 0 || p.PeakRSS == 0 {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				j.run.Failed++
				continue
			}
			j.run.RSS = append(j.run.RSS, p.PeakRSS)
		}
	}
	for _, r := range res.Runs {
		s := summarize(r.Wall)
		logf("ready %-10s %-26s wall p50 %-8s cpu %-8s rss %s (failed %d)", r.Kind, r.Name, ms(s.P50), ms(r.medianCPU()), mb(r.maxRSS()), r.Failed)
		if r.Failed > 0 {
			b.res.note("process cost: %s %s failed %d of %d runs", r.Kind, r.Name, r.Failed, b.cfg.trials)
		}
	}
	return b.c.deleteCRDs(ctx, "section", "process")
}

// process writes section 3 of the document: one process, its wall time, CPU and memory.
func (d *doc) process(r *Results) {
	p := r.Process
	if d.section("3. Process cost", p != nil) {
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
