package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kwait-dev/kwait/pkg/kube"
)

// LatencyResults: detection latency, the time from the moment a thing
// becomes ready to the moment the waiter exits.
type LatencyResults struct {
	Scenarios []LatencyScenario `json:"scenarios"`
}

type LatencyScenario struct {
	Key   string          `json:"key"`
	Title string          `json:"title"`
	Ready string          `json:"ready"` // how the ready moment is taken
	Lag   *summary        `json:"lag,omitempty"`
	Runs  []LatencyWaiter `json:"waiters"`
}

type LatencyWaiter struct {
	Key      string  `json:"key"`
	Name     string  `json:"name"`
	Command  string  `json:"command"`
	Parallel int     `json:"parallel"` // trials run at once
	Trials   []Trial `json:"trials"`
}

// Trial is one waiter waiting for one thing.
type Trial struct {
	Thing   string        `json:"thing"`
	Delay   time.Duration `json:"delay"`   // from armed to the trigger
	Ready   time.Time     `json:"ready"`   // the moment it became ready
	Latency time.Duration `json:"latency"` // from Ready to the waiter's exit
	Err     string        `json:"err,omitempty"`
}

// ok is the latencies of the trials that succeeded.
func (w LatencyWaiter) ok() []time.Duration {
	var out []time.Duration
	for _, t := range w.Trials {
		if t.Err == "" {
			out = append(out, t.Latency)
		}
	}
	return out
}

func (w LatencyWaiter) failed() int { return len(w.Trials) - len(w.ok()) }

func (s LatencyScenario) run(key string) *LatencyWaiter {
	for i := range s.Runs {
		if s.Runs[i].Key == key {
			return &s.Runs[i]
		}
	}
	return nil
}

// scenarioSpec says how one latency scenario is run.
type scenarioSpec struct {
	kind, title, ready string
	subject            subject
	kube               bool
}

func (b *bench) latency(ctx context.Context) error {
	res := &LatencyResults{}
	b.res.Latency = res
	specs := []scenarioSpec{
		{kind: "crd", title: "A CRD that does not exist yet becomes Established", kube: true,
			ready:   "the bench creates the CRD; ready is when the bench's own watch sees Established=True",
			subject: &crdSubject{b: b, section: "latency"}},
		{kind: "deployment", title: "A Deployment finishes its rollout", kube: true,
			ready:   "the Deployment exists paused; the bench unpauses it; ready is when the bench's own watch sees the rollout finished (kubectl rollout status rules)",
			subject: &deploymentSubject{b: b, section: "latency"}},
		{kind: "tcp", title: "A TCP port opens",
			ready:   "the bench starts listening on the port; ready is when listen(2) returned",
			subject: newTCPSubject()},
		{kind: "http", title: "An HTTP endpoint turns 200",
			ready:   "the bench's server answers 503 until it flips to 200; ready is the flip",
			subject: newHTTPSubject()},
		{kind: "postgres", title: "A PostgreSQL server accepts connections",
			ready:   "the bench's fake server answers 57P03 (starting up) until it flips to asking for a password; ready is the flip",
			subject: newProtoSubject("postgres")},
		{kind: "redis", title: "A Redis server has loaded its data set",
			ready:   "the bench's fake server answers -LOADING until it flips to +PONG; ready is the flip",
			subject: newProtoSubject("redis")},
		{kind: "mysql", title: "A MySQL server takes connections",
			ready:   "the bench's fake server sends ERR 1040 (too many connections) until it flips to a handshake; ready is the flip",
			subject: newProtoSubject("mysql")},
		{kind: "amqp", title: "A RabbitMQ broker starts connections",
			ready:   "the bench's fake server accepts and closes until it flips to Connection.Start; ready is the flip (nc -z calls the port open at once, before the flip: its trials fail)",
			subject: newProtoSubject("amqp")},
	}
	for _, sp := range specs {
		sc := LatencyScenario{Key: sp.kind, Title: sp.title, Ready: sp.ready}
		var seq, batched []waiter
		for _, w := range b.waiters(sp.kind) {
			if w.Existing {
				continue
			}
			if sp.kube && w.Period < time.Second {
				seq = append(seq, w)
			} else {
				batched = append(batched, w)
			}
		}
		runs := map[string]*LatencyWaiter{}
		order := []string{}
		for _, w := range append(append([]waiter{}, seq...), batched...) {
			runs[w.Key] = &LatencyWaiter{Key: w.Key, Name: w.Name, Command: w.Show, Parallel: 1}
			order = append(order, w.Key)
		}
		// Waiters that react within a second run one trial at a time, taking
		// turns, so none competes for the CPU with another and drift in the
		// machine's load is shared out evenly.
		for i := 0; i < b.cfg.trials; i++ {
			for _, w := range seq {
				t := b.trial(ctx, sp, w, b.c.admin)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				runs[w.Key].Trials = append(runs[w.Key].Trials, t)
			}
		}
		// Pollers with seconds between attempts, and the network waiters,
		// run several trials at once: each has its own thing and trigger
		// time, and what they cost the CPU is small next to what is measured.
		for _, w := range batched {
			par := b.cfg.trials
			if sp.kube {
				par = min(5, b.cfg.trials)
			}
			runs[w.Key].Parallel = par
			runs[w.Key].Trials = b.trials(ctx, sp, w, par)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		for _, k := range order {
			r := runs[k]
			s := summarize(r.ok())
			logf("latency %s %-28s p50 %-8s p95 %-8s (%d ok, %d failed)", sp.kind, r.Name, ms(s.P50), ms(s.P95), s.N, r.failed())
			sc.Runs = append(sc.Runs, *r)
		}
		if sp.kube {
			if err := b.c.sync(ctx, b.audit); err != nil {
				return err
			}
			sc.Lag = b.observerLag(sc)
		}
		res.Scenarios = append(res.Scenarios, sc)
	}
	return b.c.deleteCRDs(ctx, "section", "latency")
}

// trials runs n trials of w, par at a time.
func (b *bench) trials(ctx context.Context, sp scenarioSpec, w waiter, par int) []Trial {
	out := make([]Trial, b.cfg.trials)
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i := range out {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = b.trial(ctx, sp, w, b.c.admin)
		}()
		// Space the starts a little so a batch does not start in lockstep.
		if kube.Sleep(ctx, 100*time.Millisecond) != nil {
			break
		}
	}
	wg.Wait()
	return out
}

// trial starts w waiting for a fresh thing, waits until it is armed (it
// has asked the apiserver about the thing, or for network targets, it has
// started), lets a random delay pass, makes the thing ready, and measures
// until the waiter exits.
//
// The delay is random over the waiter's polling period so a poller is
// caught at a random phase, as it would be in life. Kubernetes waiters get
// 300 ms plus up to max(500 ms, period): enough for a watcher to have its
// watch open after the first request. Network waiters get 2 s plus up to
// max(2 s, period), past kwait's start-up backoff (50 ms doubling to 1 s).
func (b *bench) trial(ctx context.Context, sp scenarioSpec, w waiter, id identity) Trial {
	th, err := sp.subject.next(ctx)
	if err != nil {
		return Trial{Err: err.Error()}
	}
	defer sp.subject.release(th)
	tr := Trial{Thing: th.Name}
	fail := func(format string, args ...any) Trial {
		tr.Err = fmt.Sprintf(format, args...)
		return tr
	}
	pos := b.audit.len()
	p, err := b.procs.start(w.Key+"-"+th.Kind, id, w.argv(th))
	if err != nil {
		return fail("%v", err)
	}
	defer p.kill()
	armed := p.Started
	tr.Delay = 2*time.Second + jitter(max(2*time.Second, w.Period))
	if sp.kube {
		actx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := b.audit.await(actx, pos, func(e *auditEvent) bool {
			return strings.HasPrefix(e.UA, w.UA) && e.User == id.User && strings.Contains(e.URI, th.Name)
		})
		cancel()
		if err != nil {
			return fail("no request about %s seen from the waiter: %v", th.Name, err)
		}
		armed = time.Now()
		tr.Delay = 300*time.Millisecond + jitter(max(500*time.Millisecond, w.Period))
	}
	select {
	case <-p.done:
		return fail("exited with code %d before the thing was ready", p.Code)
	case <-ctx.Done():
		return fail("%v", ctx.Err())
	case <-time.After(time.Until(armed.Add(tr.Delay))):
	}
	if tr.Ready, err = sp.subject.trigger(ctx, th); err != nil {
		return fail("%v", err)
	}
	if err := p.wait(ctx, 2*time.Minute); err != nil {
		return fail("%v", err)
	}
	if p.Code != 0 {
		return fail("exit code %d", p.Code)
	}
	tr.Latency = p.Exited.Sub(tr.Ready)
	return tr
}

// observerLag compares, for every trial of a Kubernetes scenario, the
// moment the bench's watch saw the object ready with the audit log's
// timestamp of the status write nearest to it (the write that made it
// ready). A positive lag is how much later the bench's watch delivered the
// change than the apiserver finished writing it, i.e. by how much the
// measured latencies may be too short.
func (b *bench) observerLag(sc LatencyScenario) *summary {
	type match struct {
		ready time.Time
		lag   time.Duration
		found bool
	}
	wants := map[string]*match{} // "/NAME/status"
	for _, r := range sc.Runs {
		for _, t := range r.Trials {
			if t.Err == "" {
				wants["/"+t.Thing+"/status"] = &match{ready: t.Ready}
			}
		}
	}
	b.audit.each(func(e *auditEvent) {
		uri, _, _ := strings.Cut(e.URI, "?")
		if e.Verb != "update" && e.Verb != "patch" || !strings.HasSuffix(uri, "/status") {
			return
		}
		i := strings.LastIndex(uri[:len(uri)-len("/status")], "/")
		w, ok := wants[uri[i:]]
		if !ok {
			return
		}
		lag := w.ready.Sub(e.At)
		if !w.found || abs(lag) < abs(w.lag) {
			w.lag, w.found = lag, true
		}
	})
	var lags []time.Duration
	for _, w := range wants {
		if w.found {
			lags = append(lags, w.lag)
		}
	}
	if len(lags) == 0 {
		return nil
	}
	s := summarize(lags)
	return &s
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// latency writes section 1 of the document: detection latency.
func (d *doc) latency(r *Results, chart string) {
	if !d.section("1. Detection latency", r.Latency != nil) {
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
