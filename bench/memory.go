package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// MemoryResults: kwait's peak memory at a thousand things, beside the
// memory limit the chart gives its containers.
type MemoryResults struct {
	N          int         `json:"n"`
	ChartLimit int64       `json:"chartLimit"` // bytes, from charts/kwait/values.yaml
	Runs       []MemoryRun `json:"runs"`
}

type MemoryRun struct {
	Case       string  `json:"case"`
	Command    string  `json:"command"`
	GoMemLimit int64   `json:"goMemLimit"` // 0: none
	RSS        []int64 `json:"rss"`        // bytes, peak of each run
	Failed     int     `json:"failed"`
}

// memoryShare is pkg/memlimit.Share: the part of the container's limit kwait
// gives the Go runtime in a pod.
const memoryShare = 0.9

// memory holds N pods and N pending targets in kwait for a window each, a
// few times, with no GOMEMLIMIT and with the one kwait sets itself under
// the chart's limit, and records the peak RSS of each run.
func (b *bench) memory(ctx context.Context) error {
	limit, err := chartMemoryLimit(b.cfg.chartValues)
	if err != nil {
		return err
	}
	n := b.cfg.memory
	res := &MemoryResults{N: n, ChartLimit: limit}
	b.res.Memory = res
	label := "bench-memory-" + b.c.runID
	if err := b.c.createPods(ctx, label, n); err != nil {
		return err
	}
	ns := b.c.namespace
	// Every pod Ready first: kwait itself is the wait.
	p, err := b.procs.start("memory-pods-ready", b.c.admin, []string{b.cfg.kwait, "pods", "-n", ns, "-l", "app=" + label,
		"--min", fmt.Sprint(n), "--timeout", "5m"})
	if err != nil {
		return err
	}
	if err := p.wait(ctx, 6*time.Minute); err != nil || p.Code != 0 {
		return fmt.Errorf("%d pods not ready: %s", n, p.outcome(err))
	}
	window := fmt.Sprintf("%ds", int(b.cfg.window.Seconds()/3)+1)
	pending := []string{b.cfg.kwait}
	for i := range n {
		pending = append(pending, fmt.Sprintf("cm/%s/pending-%d", ns, i))
	}
	cases := []struct {
		name, show string
		argv       []string
	}{{
		"pods -l, " + fmt.Sprint(n) + " pods",
		fmt.Sprintf("kwait pods -l app=… --min %d --timeout %s", n+1, window),
		[]string{b.cfg.kwait, "pods", "-n", ns, "-l", "app=" + label, "--min", fmt.Sprint(n + 1), "--timeout", window},
	}, {
		fmt.Sprint(n) + " pending targets",
		fmt.Sprintf("kwait cm/pending-0 … cm/pending-%d --for create --timeout %s", n-1, window),
		append(pending, "--for", "create", "--timeout", window),
	}}
	soft := int64(float64(limit) * memoryShare)
	for _, c := range cases {
		for _, gml := range []int64{0, soft} {
			run := MemoryRun{Case: c.name, Command: c.show, GoMemLimit: gml}
			argv := c.argv
			if gml > 0 {
				argv = append([]string{"env", fmt.Sprintf("GOMEMLIMIT=%d", gml)}, argv...)
			}
			for i := range 3 {
				p, err := b.procs.startRSS(fmt.Sprintf("memory-%d", i), b.c.admin, argv)
				if err != nil {
					return err
				}
				if err := p.wait(ctx, 2*time.Minute); err != nil || p.Code != 124 || p.PeakRSS == 0 {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					run.Failed++
					b.res.note("memory: %s run %d: %s", c.name, i, p.outcome(err))
					continue
				}
				run.RSS = append(run.RSS, p.PeakRSS)
			}
			logf("memory %-24s GOMEMLIMIT %-9s peak %s (failed %d)", c.name, mbOrNone(gml), mb(maxOf(run.RSS)), run.Failed)
			res.Runs = append(res.Runs, run)
		}
	}
	return nil
}

// chartMemoryLimit is resources.limits.memory of the chart's values.
func chartMemoryLimit(path string) (int64, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("chart values: %w", err)
	}
	var v struct {
		Resources struct {
			Limits struct {
				Memory string `json:"memory"`
			} `json:"limits"`
		} `json:"resources"`
	}
	if err := yaml.Unmarshal(raw, &v); err != nil {
		return 0, fmt.Errorf("chart values %s: %w", path, err)
	}
	q, err := resource.ParseQuantity(v.Resources.Limits.Memory)
	if err != nil {
		return 0, fmt.Errorf("chart values %s: resources.limits.memory: %w", path, err)
	}
	return q.Value(), nil
}

// createPods creates n pods labelled app=label in the bench's namespace,
// 20 at a time; kwok runs them.
func (c *cluster) createPods(ctx context.Context, label string, n int) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(20)
	for i := range n {
		g.Go(func() error {
			pod := &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{
					Name:   fmt.Sprintf("%s-%d", label, i),
					Labels: map[string]string{"app": label, labelKey: c.runID},
				},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: "registry.invalid/app:1",
					Env: []corev1.EnvVar{{Name: "MODE", Value: "bench"}},
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse("1m"), corev1.ResourceMemory: resource.MustParse("1Mi"),
					}},
				}}},
			}
			_, err := c.kube.CoreV1().Pods(c.namespace).Create(ctx, pod, metav1.CreateOptions{})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("create %d pods: %w", n, err)
	}
	return nil
}

func maxOf(xs []int64) int64 {
	var m int64
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func mbOrNone(b int64) string {
	if b == 0 {
		return "none"
	}
	return mb(b)
}

func (d *doc) memory(r *Results) {
	m := r.Memory
	if !d.section("7. Memory: a thousand pods, a thousand targets", m != nil) {
		return
	}
	d.p("One kwait holds %d pods (`pods -l`, waiting for one more than there are) or waits for %d ConfigMaps that", m.N, m.N)
	d.p("are never created, for a third of the window, three times each. Peak RSS is GNU time's maximum resident set")
	d.p("(the binary's mapped pages included). Each case runs without `GOMEMLIMIT` and with the one kwait sets itself")
	d.p("in a container under the chart's limit (%s: %.0f%% of it), which makes the garbage collector work", mb(m.ChartLimit), memoryShare*100)
	d.p("harder near the limit. Headroom is the chart's limit (`resources.limits.memory` in `charts/kwait/values.yaml`)")
	d.p("minus the highest peak.")
	d.p("")
	head := []string{"case", "command", "GOMEMLIMIT", "peak RSS (max of runs)", "chart limit", "headroom", "failed"}
	var rows [][]string
	for _, x := range m.Runs {
		peak := maxOf(x.RSS)
		rows = append(rows, []string{x.Case, code(x.Command), mbOrNone(x.GoMemLimit), mb(peak), mb(m.ChartLimit),
			mb(m.ChartLimit - peak), fmt.Sprint(x.Failed)})
	}
	d.table(head, rows)
	per := int64(0)
	for _, x := range m.Runs {
		if strings.Contains(x.Case, "targets") && x.GoMemLimit == 0 {
			per = maxOf(x.RSS) / int64(max(m.N, 1))
		}
	}
	if per > 0 {
		d.p("A pending Kubernetes target costs at most %.0f KB (the whole peak divided by %d: its watch, with a goroutine", float64(per)/1e3, m.N)
		d.p("of kwait's, one of client-go's decoder and one of the HTTP/2 stream, and their buffers), so the chart's")
		d.p("limit holds at least %d of them.", m.ChartLimit/per)
		d.p("")
	}
}
