package main

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// writeCharts draws the PNG charts into dir and returns their file names
// by chart ("latency", "scale", "many"); a chart without data is skipped.
func writeCharts(r *Results, dir string) (map[string]string, error) {
	out := map[string]string{}
	for _, c := range []struct {
		key  string
		draw func(*Results) (*plot.Plot, vg.Length, vg.Length, error)
	}{
		{"latency", latencyChart},
		{"scale", scaleChart},
		{"many", manyChart},
	} {
		p, w, h, err := c.draw(r)
		if err != nil {
			return nil, err
		}
		if p == nil {
			continue
		}
		name := "bench-" + c.key + ".png"
		if err := p.Save(w, h, filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		out[c.key] = name
	}
	return out, nil
}

var (
	kwaitColor   = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	kubectlColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	loopColor    = color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff}
	fastColor    = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
	targetColor  = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
)

func waiterColor(key string) color.Color {
	switch key {
	case "kwait":
		return kwaitColor
	case "kwait-fast":
		return fastColor
	case "loop":
		return loopColor
	}
	return kubectlColor
}

// msTicks labels a log axis in milliseconds and seconds.
type msTicks struct{}

func (msTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, v := range []float64{0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000} {
		if v < lo/1.01 || v > hi*1.01 {
			continue
		}
		label := fmt.Sprintf("%g ms", v)
		if v >= 1000 {
			label = fmt.Sprintf("%g s", v/1000)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

func toMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// floorMS is where the latency chart draws the trials that measured 0 or
// less (the bench's watch saw the change after the waiter had exited).
const floorMS = 0.1

// latencyChart: one row per scenario and waiter, every trial a dot on a log
// axis, the median a tall bar and p95 a short one; the goals for
// Kubernetes targets as dashed lines over their rows.
func latencyChart(r *Results) (*plot.Plot, vg.Length, vg.Length, error) {
	if r.Latency == nil || len(r.Latency.Scenarios) == 0 {
		return nil, 0, 0, nil
	}
	p := plot.New()
	p.Title.Text = "Detection latency: thing ready → waiter exits"
	p.X.Label.Text = "latency (log scale)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = msTicks{}
	type row struct {
		label string
		key   string
		kube  bool
		vals  []float64
	}
	var rows []row
	for _, sc := range r.Latency.Scenarios {
		for _, w := range sc.Runs {
			var vals []float64
			for _, d := range w.ok() {
				vals = append(vals, toMS(d))
			}
			rows = append(rows, row{label: kindLabel(sc.Key) + ": " + w.Name, key: w.Key, kube: sc.Key == "crd" || sc.Key == "deployment", vals: vals})
		}
	}
	n := len(rows)
	var ticks []plot.Tick
	var lowLegend plot.Thumbnailer     // the first ≤ 0 trial drawn, for the legend
	rng := rand.New(rand.NewPCG(1, 2)) // fixed: the chart of one result set is always the same
	lo, hi := math.Inf(1), math.Inf(-1)
	kubeTop, kubeBottom := math.Inf(-1), math.Inf(1)
	for i, rw := range rows {
		y := float64(n - i)
		ticks = append(ticks, plot.Tick{Value: y, Label: rw.label})
		if rw.kube {
			kubeTop, kubeBottom = math.Max(kubeTop, y+0.45), math.Min(kubeBottom, y-0.45)
		}
		if len(rw.vals) == 0 {
			continue
		}
		var pts, low plotter.XYs
		for _, v := range rw.vals {
			y := y + (rng.Float64()-0.5)*0.4
			if v <= floorMS {
				low = append(low, plotter.XY{X: floorMS, Y: y})
				lo = math.Min(lo, floorMS)
				continue
			}
			pts = append(pts, plotter.XY{X: v, Y: y})
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		c := waiterColor(rw.key)
		for _, set := range []struct {
			pts   plotter.XYs
			shape draw.GlyphDrawer
		}{{pts, draw.CircleGlyph{}}, {low, draw.TriangleGlyph{}}} {
			if len(set.pts) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(set.pts)
			if err != nil {
				return nil, 0, 0, err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(c, 0x90), Radius: vg.Points(2.2), Shape: set.shape}
			p.Add(sc)
			if set.shape == (draw.TriangleGlyph{}) && lowLegend == nil {
				lowLegend = sc
			}
		}
		for _, q := range []struct {
			p float64
			h float64
			w vg.Length
		}{{50, 0.42, vg.Points(2.5)}, {95, 0.25, vg.Points(1.5)}} {
			x := math.Max(percentile(rw.vals, q.p), floorMS)
			l, err := plotter.NewLine(plotter.XYs{{X: x, Y: y - q.h}, {X: x, Y: y + q.h}})
			if err != nil {
				return nil, 0, 0, err
			}
			l.LineStyle = draw.LineStyle{Color: c, Width: q.w}
			p.Add(l)
		}
	}
	if math.IsInf(lo, 1) {
		return nil, 0, 0, nil
	}
	if !math.IsInf(kubeTop, -1) {
		goals := kwaitGoals()
		for _, g := range []struct {
			x     float64
			label string
		}{{toMS(goals.LatencyP50), "goal p50 ≤ " + ms(goals.LatencyP50)}, {toMS(goals.LatencyP95), "goal p95 ≤ " + ms(goals.LatencyP95)}} {
			l, err := plotter.NewLine(plotter.XYs{{X: g.x, Y: kubeBottom}, {X: g.x, Y: kubeTop}})
			if err != nil {
				return nil, 0, 0, err
			}
			l.LineStyle = draw.LineStyle{Color: targetColor, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
			p.Add(l)
			lo, hi = math.Min(lo, g.x), math.Max(hi, g.x)
		}
	}
	p.X.Min, p.X.Max = math.Max(lo/1.5, floorMS/1.5), hi*1.5
	p.Y.Min, p.Y.Max = 0.4, float64(n)+0.6
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(plotter.NewGrid())
	legendLine := func(label string, c color.Color, w vg.Length, dashes []vg.Length) {
		l, _ := plotter.NewLine(plotter.XYs{})
		l.LineStyle = draw.LineStyle{Color: c, Width: w, Dashes: dashes}
		p.Legend.Add(label, l)
	}
	legendLine("median (tall bar), p95 (short bar)", color.Black, vg.Points(2), nil)
	legendLine("goals for Kubernetes targets", targetColor, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(3)})
	if lowLegend != nil {
		p.Legend.Add(fmt.Sprintf("≤ %g ms: the bench's watch saw it after the waiter exited", floorMS), lowLegend)
	}
	p.Legend.Top = false
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Legend.YOffs = vg.Points(8)
	return p, 11 * vg.Inch, vg.Length(float64(n)*0.32+1.6) * vg.Inch, nil
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// scaleChart: the share of waiters that had exited against the time since
// the Deployment was ready, for kwait and the kubectl loops.
func scaleChart(r *Results) (*plot.Plot, vg.Length, vg.Length, error) {
	if r.Scale == nil || len(r.Scale.Runs) == 0 {
		return nil, 0, 0, nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%d concurrent waiters on one Deployment: time from ready to exit", r.Scale.N)
	p.X.Label.Text = "time since the Deployment was ready (log scale)"
	p.Y.Label.Text = "share of waiters exited"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = msTicks{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, run := range r.Scale.Runs {
		if len(run.Latencies) == 0 {
			continue
		}
		vals := make([]float64, len(run.Latencies))
		for i, d := range run.Latencies {
			vals[i] = math.Max(toMS(d), floorMS)
		}
		slices.Sort(vals)
		var pts plotter.XYs
		prev := 0.0
		for i, v := range vals {
			pts = append(pts, plotter.XY{X: v, Y: prev}, plotter.XY{X: v, Y: float64(i+1) / float64(run.N)})
			prev = float64(i+1) / float64(run.N)
		}
		lo, hi = math.Min(lo, vals[0]), math.Max(hi, vals[len(vals)-1])
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, 0, 0, err
		}
		l.LineStyle = draw.LineStyle{Color: waiterColor(run.Key), Width: vg.Points(2)}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (%s requests)", run.Name, fmt.Sprint(run.Requests.Total)), l)
	}
	if math.IsInf(lo, 1) {
		return nil, 0, 0, nil
	}
	p.X.Min, p.X.Max = math.Max(lo/1.5, 0.1), hi*1.5
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = 2.2 * vg.Inch
	p.Legend.YOffs = -vg.Points(20)
	return p, 9 * vg.Inch, 4.5 * vg.Inch, nil
}

// manyChart: requests against N on log-log axes, with the line of linear
// growth from N = 1 for reference.
func manyChart(r *Results) (*plot.Plot, vg.Length, vg.Length, error) {
	if r.Many == nil || len(r.Many.Rows) < 2 {
		return nil, 0, 0, nil
	}
	p := plot.New()
	p.Title.Text = "Requests for N CRDs in one call"
	p.X.Label.Text = "N (CRDs)"
	p.Y.Label.Text = "apiserver requests"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	hi := 1.0
	for _, s := range []struct {
		key, state, label string
		c                 color.Color
		dashes            []vg.Length
	}{
		{"kwait", "ready", "kwait, already ready", kwaitColor, nil},
		{"kwait", "waiting", "kwait, waiting", kwaitColor, []vg.Length{vg.Points(5), vg.Points(3)}},
		{"kubectl", "ready", "kubectl wait, already ready", kubectlColor, nil},
		{"kubectl", "waiting", "kubectl wait, waiting", kubectlColor, []vg.Length{vg.Points(5), vg.Points(3)}},
		{"kubectl-loop", "waiting", "loop of kubectl wait, waiting", loopColor, []vg.Length{vg.Points(5), vg.Points(3)}},
	} {
		var pts plotter.XYs
		for _, row := range r.Many.Rows {
			if run := row.run(s.key, s.state); run != nil && run.Err == "" && len(run.Requests) > 0 {
				pts = append(pts, plotter.XY{X: float64(row.N), Y: math.Max(float64(run.medianRequests()), 1)})
				hi = math.Max(hi, float64(run.medianRequests()))
			}
		}
		if len(pts) < 2 {
			continue // a waiter that failed at most N is in the table only
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, 0, 0, err
		}
		l.LineStyle = draw.LineStyle{Color: s.c, Width: vg.Points(1.5), Dashes: s.dashes}
		sc.GlyphStyle = draw.GlyphStyle{Color: s.c, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		p.Add(l, sc)
		p.Legend.Add(s.label, l, sc)
	}
	if base := r.Many.Rows[0]; base.N == 1 {
		if run := base.run("kwait", "ready"); run != nil && len(run.Requests) > 0 {
			k := float64(run.medianRequests())
			last := float64(r.Many.Rows[len(r.Many.Rows)-1].N)
			l, err := plotter.NewLine(plotter.XYs{{X: 1, Y: k}, {X: last, Y: k * last}})
			if err != nil {
				return nil, 0, 0, err
			}
			l.LineStyle = draw.LineStyle{Color: targetColor, Width: vg.Points(2), Dashes: []vg.Length{vg.Points(2), vg.Points(4)}}
			p.Add(l)
			p.Legend.Add("linear growth from kwait's N = 1, already ready", l)
			hi = math.Max(hi, k*last)
		}
	}
	p.Y.Min, p.Y.Max = 1, hi*1.5
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	return p, 7 * vg.Inch, 5 * vg.Inch, nil
}
