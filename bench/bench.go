package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"time"
)

// bench holds what every section uses.
type bench struct {
	cfg   *config
	c     *cluster
	audit *auditLog
	procs *procs
	obs   *observer
	res   *Results
}

// measure runs the sections in an order that keeps each from disturbing
// the next: cheap single waits first, then the latency trials, then the
// sections that create many objects or processes.
func measure(ctx context.Context, cfg *config) (*Results, error) {
	for _, tool := range []string{"bash", "nc", "curl", "grep", timeBin} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is needed (hack/bench.sh installs nc and GNU time)", tool)
		}
	}
	work := cfg.workDir
	if work == "" {
		var err error
		if work, err = os.MkdirTemp("", "kwait-bench-"); err != nil {
			return nil, err
		}
	}
	if !cfg.keep && cfg.workDir == "" {
		defer os.RemoveAll(work)
	} else {
		logf("logs of every waiter in %s/logs", work)
	}
	res := &Results{Started: time.Now(), Quick: cfg.quick, Trials: cfg.trials, Window: cfg.window}
	res.sampleLoad("start")

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c, err := openCluster(ctx, cfg.clusterDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		c.cleanup(ctx)
	}()
	b := &bench{cfg: cfg, c: c, res: res}
	if b.procs, err = newProcs(work, cfg.kubectl); err != nil {
		return nil, err
	}
	defer b.procs.killAll()
	if b.audit, err = tailAudit(ctx, c.auditPath); err != nil {
		return nil, err
	}
	if b.obs, err = startObserver(ctx, c); err != nil {
		return nil, err
	}
	if res.Machine, err = b.machine(ctx); err != nil {
		return nil, err
	}
	logf("run %s on %s, kwait %s, %d trials", c.runID, res.Machine.CPU, res.Machine.KwaitVersion, cfg.trials)

	sections := []struct {
		name string
		run  func(context.Context) error
	}{
		{"process", b.processCost},
		{"apicost", b.apiCost},
		{"latency", b.latency},
		{"many", b.many},
		{"scale", b.scale},
		{"fleet", b.fleet},
		{"memory", b.memory},
	}
	for _, s := range sections {
		if !cfg.sections[s.name] {
			continue
		}
		res.sampleLoad(s.name)
		logf("section %s", s.name)
		start := time.Now()
		if err := s.run(ctx); err != nil {
			if ctx.Err() != nil {
				return res, err
			}
			res.note("section %s failed: %v", s.name, err)
		}
		logf("section %s took %s", s.name, time.Since(start).Round(time.Second))
	}
	res.sampleLoad("end")
	res.Finished = time.Now()
	return res, nil
}

// jitter is a uniformly random duration in [0, d).
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)))
}
