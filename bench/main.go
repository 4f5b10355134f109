// Command bench measures kwait against `kubectl wait` and the shell loops it
// replaces, on the local control plane of e2e/cluster, and writes
// docs/benchmarks.md with its charts. Every figure in the document comes from
// the one run that wrote it. hack/bench.sh (make bench) builds kwait, brings
// the cluster up and runs this; run it by hand from the bench directory:
//
//	go run . --kwait ../_output/bin/kwait --kubectl ../.cache/bin/kubectl \
//	    --cluster-dir ../_output/cluster --out ../docs/benchmarks.md [--quick]
//
// Nothing is estimated: requests are counted in the apiserver's audit log,
// CPU time and peak RSS come from the kernel's accounting of each waiter
// process (wait4), the apiserver's CPU from /proc, and "ready" is the moment
// the bench's own watch sees the object satisfy the rule, or the moment the
// bench opened the port or flipped the HTTP handler itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// config is what the flags say.
type config struct {
	kwait       string
	kubectl     string
	clusterDir  string
	out         string // the markdown document
	results     string // raw results as JSON ("" for none)
	reportOnly  string // regenerate the document from this JSON, measure nothing
	workDir     string
	keep        bool
	quick       bool
	trials      int
	scale       int
	window      time.Duration // how long the "waiting" cases wait
	many        []int
	fleet       int    // waiters in the fleet section
	fleetProcs  int    // at most this many kubectl processes there
	memory      int    // pods and targets in the memory section
	chartValues string // the chart's values.yaml, for its memory limit
	sections    map[string]bool
}

var allSections = []string{"process", "apicost", "latency", "many", "scale", "fleet", "memory"}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	c := &config{}
	fs.StringVar(&c.kwait, "kwait", "", "the kwait binary under test (required)")
	fs.StringVar(&c.kubectl, "kubectl", "", "kubectl to compare with and to run the shell loops (required)")
	fs.StringVar(&c.clusterDir, "cluster-dir", os.Getenv("E2E_CLUSTER_DIR"), "state dir of the running e2e cluster")
	fs.StringVar(&c.out, "out", "../docs/benchmarks.md", "where to write the document; charts go beside it as bench-*.png")
	fs.StringVar(&c.results, "results", "", "also write the raw results here as JSON")
	fs.StringVar(&c.reportOnly, "report-only", "", "write the document from a JSON file of an earlier run, without measuring")
	fs.StringVar(&c.workDir, "work-dir", "", "scratch dir for logs and HOMEs (default: a new temp dir, removed at the end)")
	fs.BoolVar(&c.keep, "keep", false, "keep the scratch dir")
	fs.BoolVar(&c.quick, "quick", false, "few trials, a small scale test and short waits: for developing the bench, not for publishing")
	fs.IntVar(&c.trials, "trials", 0, "trials per latency case (default 20, quick 5)")
	fs.IntVar(&c.scale, "scale", 0, "concurrent waiters in the scale test (default 200, quick 20)")
	fs.DurationVar(&c.window, "window", 0, "how long the waiting cases wait before the target turns ready (default 30s, quick 8s)")
	fs.IntVar(&c.fleet, "fleet", 0, "concurrent kwait waiters in the fleet section (default 1000, quick 50)")
	fs.IntVar(&c.fleetProcs, "fleet-procs", 0, "kubectl processes per competitor in the fleet section, fewer if memory is short (default 200, quick 20)")
	fs.IntVar(&c.memory, "memory", 0, "pods, and pending targets, one kwait holds in the memory section (default 1000, quick 100)")
	fs.StringVar(&c.chartValues, "chart-values", "", "the chart's values.yaml, whose memory limit the memory section compares with (default: charts/kwait/values.yaml beside the bench's output)")
	many := fs.String("many", "", "CRD counts for the many-targets test (default 1,10,100; quick 1,5,20)")
	sections := fs.String("sections", strings.Join(allSections, ","), "sections to run")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	def := func(v *int, full, quick int) {
		if *v == 0 {
			*v = full
			if c.quick {
				*v = quick
			}
		}
	}
	def(&c.trials, 20, 5)
	def(&c.scale, 200, 20)
	def(&c.fleet, 1000, 50)
	def(&c.fleetProcs, 200, 20)
	def(&c.memory, 1000, 100)
	if c.window == 0 {
		c.window = 30 * time.Second
		if c.quick {
			c.window = 8 * time.Second
		}
	}
	if *many == "" {
		*many = "1,10,100"
		if c.quick {
			*many = "1,5,20"
		}
	}
	for _, f := range strings.Split(*many, ",") {
		var n int
		if _, err := fmt.Sscan(f, &n); err != nil || n < 1 {
			return nil, fmt.Errorf("--many: %q is not a positive count", f)
		}
		c.many = append(c.many, n)
	}
	c.sections = map[string]bool{}
	for _, s := range strings.Split(*sections, ",") {
		if s == "" {
			continue
		}
		known := false
		for _, a := range allSections {
			known = known || a == s
		}
		if !known {
			return nil, fmt.Errorf("--sections: unknown section %q (known: %s)", s, strings.Join(allSections, ","))
		}
		c.sections[s] = true
	}
	if c.reportOnly != "" {
		return c, nil
	}
	for name, v := range map[string]string{"--kwait": c.kwait, "--kubectl": c.kubectl, "--cluster-dir": c.clusterDir} {
		if v == "" {
			return nil, fmt.Errorf("%s is required", name)
		}
	}
	for _, p := range []*string{&c.kwait, &c.kubectl, &c.clusterDir, &c.out} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return nil, err
		}
		*p = abs
	}
	if c.chartValues == "" {
		// The document lives in docs/ of the repository, the chart in charts/.
		c.chartValues = filepath.Join(filepath.Dir(filepath.Dir(c.out)), "charts", "kwait", "values.yaml")
	}
	return c, nil
}

func run(ctx context.Context, args []string) int {
	cfg, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	if cfg.reportOnly != "" {
		res, err := loadResults(cfg.reportOnly)
		if err == nil {
			err = writeReport(res, cfg.out)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		return 0
	}
	res, err := measure(ctx, cfg)
	if res != nil {
		if cfg.results != "" {
			if werr := saveResults(res, cfg.results); werr != nil {
				fmt.Fprintln(os.Stderr, "bench:", werr)
			}
		}
		if err == nil {
			err = writeReport(res, cfg.out)
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "bench: interrupted; waiters stopped, objects deleted, no document written")
		return 130
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	logf("wrote %s", cfg.out)
	return 0
}

// logf reports progress on stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
