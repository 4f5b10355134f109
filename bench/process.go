package main

import (
	"context"
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
