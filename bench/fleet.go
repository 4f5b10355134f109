package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/kube"
)

// FleetResults: a fleet of waiters on one thing at once, as the kwait init
// containers of a 1,000-replica Deployment on every rollout, or an operator
// suite's Jobs waiting for its CRD. kwait runs as many waiters inside the
// bench process, each with its own client and connection (1,000 kwait
// processes would not fit beside the control plane on this machine); the
// kubectl competitors run as real processes, as many as the machine holds.
type FleetResults struct {
	N      int           `json:"n"`
	Procs  int           `json:"procs"` // kubectl processes per competitor
	Spread time.Duration `json:"spread"`
	Runs   []FleetRun    `json:"runs"`
}

type FleetRun struct {
	Kind      string          `json:"kind"` // deployment or crd
	Name      string          `json:"name"`
	Command   string          `json:"command"`
	N         int             `json:"n"`
	Window    time.Duration   `json:"window"` // first start to last exit
	Requests  requests        `json:"requests"`
	APIServer CPUSample       `json:"apiserver"`
	RSSBefore int64           `json:"rssBefore"` // apiserver RSS before the first start
	RSSPeak   int64           `json:"rssPeak"`   // highest sampled during the run
	Latencies []time.Duration `json:"latencies"` // exit minus ready
	// Early exited before the bench's own watch saw the thing ready: in
	// one process with the waiters, that watch's goroutine competes with
	// theirs for the CPU. Their latency counts as 0.
	Early  int `json:"early"`
	Failed int `json:"failed"`
}

// The kubectl loop for a CRD at the deployment loop's period: the fleet
// compares like with like.
const crdLoop2 = `until kubectl get crd NAME -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' | grep -q True; do sleep 2; done`

func (b *bench) fleet(ctx context.Context) error {
	res := &FleetResults{N: b.cfg.fleet, Spread: 2 * time.Second}
	b.res.Fleet = res
	// A kubectl process holds up to 80 MB; keep 2 GB free on a shared
	// machine, and the count to what 2 cores can start in the spread.
	procs := min(b.cfg.fleet, b.cfg.fleetProcs)
	const perProc = 80 << 20
	if avail := memAvailable(); avail > 0 && int64(procs)*perProc+2<<30 > avail {
		procs = max(1, int((avail-2<<30)/perProc))
	}
	res.Procs = procs
	for _, k := range []string{"deployment", "crd"} {
		loop := deploymentLoop
		if k == "crd" {
			loop = crdLoop2
		}
		competitors := []struct {
			w waiter
			n int
		}{
			{b.waiter(k, "kwait"), b.cfg.fleet},
			{b.waiter(k, "kubectl-wait"), procs},
			{waiter{Key: "loop", Name: "kubectl get every 2 s", UA: kubectlUA, Show: loop, argv: shell(loop)}, procs},
		}
		if k == "crd" {
			competitors[1].w = b.waiter(k, "kubectl-wait-create")
		}
		for _, c := range competitors {
			if err := trial(ctx, b, &res.Runs, func() (*FleetRun, error) { return b.fleetRun(ctx, k, c.w, c.n, res.Spread) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// fleetRun starts n waiters of w on one fresh thing of kind k over spread,
// makes it ready after the window, and measures until the last exit.
func (b *bench) fleetRun(ctx context.Context, k string, w waiter, n int, spread time.Duration) (*FleetRun, error) {
	var s subject = &deploymentSubject{b: b, section: "fleet"}
	if k == "crd" {
		s = &crdSubject{b: b, section: "fleet"}
	}
	th, err := s.next(ctx)
	if err != nil {
		return nil, err
	}
	run := &FleetRun{Kind: k, Name: w.Name, Command: w.Show, N: n}
	if w.Key == "kwait" {
		run.Name = "kwait (in one process)"
	}
	pid, err := b.c.apiserverPID()
	if err != nil {
		return nil, err
	}
	run.RSSBefore = rssOf(pid)
	peak := make(chan int64, 1)
	sampleCtx, stopSampling := context.WithCancel(ctx)
	go func() { peak <- samplePeakRSS(sampleCtx, pid) }()
	defer stopSampling()
	cpuBefore, err := b.c.apiserverCPU()
	if err != nil {
		return nil, err
	}
	// The ready moment comes from a process of its own watching the object
	// (kwait as a spare user, so its requests are not counted): the bench's
	// own watch competes with the in-process waiters for the CPU, and a
	// thousand of them starve it.
	observer, err := b.procs.start(fmt.Sprintf("fleet-%s-observer", k), b.c.users[len(b.c.users)-1], b.observerArgv(th))
	if err != nil {
		return nil, err
	}
	defer observer.kill()
	start := time.Now()
	var exits func(ready time.Time) ([]time.Time, int)
	if w.Key == "kwait" {
		exits, err = b.fleetInProcess(ctx, th, n, spread)
	} else {
		exits, err = b.fleetProcs(ctx, w, th, n, spread)
	}
	if err != nil {
		return nil, err
	}
	logf("fleet %s %s: %d started in %s", k, w.Name, n, time.Since(start).Round(time.Millisecond))
	if err := kube.Sleep(ctx, time.Until(start.Add(b.cfg.window))); err != nil {
		return nil, err
	}
	if _, err := s.trigger(ctx, th); err != nil {
		return nil, err
	}
	if err := observer.wait(ctx, time.Minute); err != nil || observer.Code != 0 {
		return nil, fmt.Errorf("fleet %s observer: %s", k, observer.outcome(err))
	}
	ready, err := readyLogged(observer.logFile)
	if err != nil {
		return nil, fmt.Errorf("fleet %s observer: %w", k, err)
	}
	times, failed := exits(ready)
	last := ready
	for _, t := range times {
		if t.Before(ready) {
			run.Early++
		}
		run.Latencies = append(run.Latencies, max(0, t.Sub(ready)))
		if t.After(last) {
			last = t
		}
	}
	run.Failed = failed
	cpuAfter, err := b.c.apiserverCPU()
	if err != nil {
		return nil, err
	}
	stopSampling()
	run.RSSPeak = <-peak
	run.Window = last.Sub(start)
	run.APIServer = CPUSample{Span: time.Since(start), CPU: cpuAfter - cpuBefore}
	if err := b.c.sync(ctx, b.audit); err != nil {
		return nil, err
	}
	run.Requests = b.audit.count(reqFilter{UA: w.UA, User: b.c.admin.User, From: start, To: last})
	lat := summarize(run.Latencies)
	logf("fleet %s %s: %s requests, apiserver %s CPU, RSS %s → peak %s, latency p50 %s p99 %s, %d early, %d failed",
		k, w.Name, run.Requests, ms(run.APIServer.CPU), mb(run.RSSBefore), mb(run.RSSPeak), ms(lat.P50), ms(p99(run.Latencies)), run.Early, run.Failed)
	if failed > 0 {
		b.res.note("fleet: %d of %d %s waiters on a %s failed or were killed 90 s after ready", failed, n, w.Name, k)
	}
	return run, nil
}

// observerArgv is a kwait process that exits once th is ready by the rule
// the bench's own watch applies: a Deployment rolled out, a CRD
// Established (without the discovery check the waiters add).
func (b *bench) observerArgv(th thing) []string {
	if th.Kind == "crd" {
		return []string{b.cfg.kwait, "customresourcedefinitions/" + th.Name + ":condition=Established", "--timeout", "5m"}
	}
	return []string{b.cfg.kwait, th.Kind + "/" + th.NS + "/" + th.Name, "--timeout", "5m"}
}

// readyLogged is the time of the first "ready" entry in a kwait JSON log:
// when that process saw its target ready, by its own clock (milliseconds).
func readyLogged(logFile string) (time.Time, error) {
	data, err := os.ReadFile(logFile)
	if err != nil {
		return time.Time{}, err
	}
	for line := range strings.Lines(string(data)) {
		var e struct {
			Msg string `json:"msg"`
			TS  string `json:"ts"`
		}
		if json.Unmarshal([]byte(line), &e) != nil || e.Msg != "ready" {
			continue
		}
		return time.Parse("2006-01-02T15:04:05.000Z0700", e.TS)
	}
	return time.Time{}, fmt.Errorf("no ready entry in %s", logFile)
}

// fleetInProcess starts n kwait waiters on th in this process, each with a
// kube.Client of its own and so a connection of its own (a custom dialer
// keeps client-go from sharing one transport between equal configs). It
// returns a function that waits for them and gives their exit times.
func (b *bench) fleetInProcess(ctx context.Context, th thing, n int, spread time.Duration) (func(time.Time) ([]time.Time, int), error) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.window+3*time.Minute)
	var mu sync.Mutex
	var times []time.Time
	failed := 0
	var wg sync.WaitGroup
	k, _ := kind.Lookup(th.Kind)
	start := time.Now()
	for i := range n {
		if err := kube.Sleep(ctx, time.Until(start.Add(spread*time.Duration(i)/time.Duration(n)))); err != nil {
			cancel()
			return nil, err
		}
		cfg, err := clientcmd.BuildConfigFromFlags("", b.c.admin.Kubeconfig)
		if err != nil {
			cancel()
			return nil, err
		}
		cfg.UserAgent = kwaitUA + "fleet"
		cfg.QPS, cfg.Burst = -1, 0
		cfg.Dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		c, err := kube.NewClient(cfg, th.NS, nil)
		if err != nil {
			cancel()
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.Kind(k, th.NS, th.Name, kind.Params{}).Wait(ctx, func(string) {})
			at := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				return
			}
			times = append(times, at)
		}()
	}
	return func(ready time.Time) ([]time.Time, int) {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Until(ready.Add(90 * time.Second))):
		}
		cancel()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return times, failed
	}, nil
}

// fleetProcs starts n processes of w on th.
func (b *bench) fleetProcs(ctx context.Context, w waiter, th thing, n int, spread time.Duration) (func(time.Time) ([]time.Time, int), error) {
	ps := make([]*proc, 0, n)
	start := time.Now()
	for i := range n {
		if err := kube.Sleep(ctx, time.Until(start.Add(spread*time.Duration(i)/time.Duration(n)))); err != nil {
			return nil, err
		}
		p, err := b.procs.start(fmt.Sprintf("fleet-%s-%s-%04d", th.Kind, w.Key, i), b.c.admin, w.argv(th))
		if err != nil {
			for _, p := range ps {
				p.kill()
			}
			return nil, err
		}
		ps = append(ps, p)
	}
	return func(ready time.Time) ([]time.Time, int) {
		deadline := ready.Add(90 * time.Second)
		var out []time.Time
		failed := 0
		for _, p := range ps {
			_ = p.wait(ctx, time.Until(deadline))
			if p.Code == 0 {
				out = append(out, p.Exited)
			} else {
				failed++
			}
			p.kill()
		}
		return out, failed
	}, nil
}

// apiserverPID is the kube-apiserver's pid, from cluster.sh's pid file.
func (c *cluster) apiserverPID() (string, error) {
	raw, err := os.ReadFile(filepath.Join(c.dir, "run", "kube-apiserver.pid"))
	if err != nil {
		return "", fmt.Errorf("apiserver pid: %w", err)
	}
	pid, _, _ := strings.Cut(strings.TrimSpace(string(raw)), " ")
	return pid, nil
}

// rssOf is VmRSS of pid in bytes (0 if unknown).
func rssOf(pid string) int64 {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 && fs[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(fs[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// samplePeakRSS reads pid's RSS every 100 ms until ctx ends and returns the
// highest value. (VmHWM would be the peak since the apiserver started, not
// during this run.)
func samplePeakRSS(ctx context.Context, pid string) int64 {
	var peak int64
	for {
		peak = max(peak, rssOf(pid))
		if kube.Sleep(ctx, 100*time.Millisecond) != nil {
			return peak
		}
	}
}

// p99 is the 99th percentile of ds (0 for none).
func p99(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = float64(d)
	}
	return time.Duration(percentile(xs, 99))
}

func (d *doc) fleet(r *Results) {
	f := r.Fleet
	if !d.section("6. Fleet: a thousand waiters at once", f != nil) {
		return
	}
	d.p("%d kwait waiters started evenly over %s on one Deployment that is then unpaused (the init containers of a", f.N, ms(f.Spread))
	d.p("%d-replica Deployment on a rollout), and on one CRD that is then created (an operator suite's hooks waiting for it),", f.N)
	d.p("%s after the first start. kwait runs them inside the bench process, each waiter with a `kube.Client` of its own and", r.Window)
	d.p("so a TCP connection of its own (1,000 kwait processes would not fit beside the control plane on this machine); the")
	d.p("kubectl competitors run as processes, %d each, as many as this machine holds beside the control plane.", f.Procs)
	d.p("Requests are counted in the audit log by user agent between the first start and the last exit; apiserver CPU is")
	d.p("utime + stime of kube-apiserver over that span; its memory is VmRSS from `/proc/PID/status`, sampled every 100 ms;")
	d.p("latency is from the moment an observer saw the thing ready to each waiter's exit. The observer is a kwait process")
	d.p("of its own, started before the waiters, watching the object by the bench's rule (a CRD Established, without the")
	d.p("discovery check the waiters add), and it logs that moment with millisecond precision; a waiter that exits in the")
	d.p("same millisecond or before counts 0 and is shown as early.")
	d.p("The runs follow each other on one apiserver, and a Go process seldom gives memory back: a run's RSS starts")
	d.p("where the runs before it left it, so compare the growth within a run (peak minus before), not the peaks.")
	d.p("")
	head := []string{"", "waiters", "requests", "per waiter", "apiserver CPU", "apiserver RSS before → peak", "p50", "p99", "early", "failed"}
	var rows [][]string
	for _, x := range f.Runs {
		rows = append(rows, []string{
			x.Kind + ": " + x.Name, fmt.Sprint(x.N), x.Requests.String(),
			fmt.Sprintf("%.2f", float64(x.Requests.Total)/float64(max(x.N, 1))),
			fmt.Sprintf("%.1f s", x.APIServer.CPU.Seconds()),
			mb(x.RSSBefore) + " → " + mb(x.RSSPeak),
			ms(summarize(x.Latencies).P50), ms(p99(x.Latencies)), fmt.Sprint(x.Early), fmt.Sprint(x.Failed),
		})
	}
	d.table(head, rows)
	d.p("")
}
