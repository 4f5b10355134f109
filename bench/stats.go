package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// percentile is the p-th percentile (0..100) of xs by linear interpolation
// between order statistics (numpy's default). With 20 samples p95 lies
// between the two largest.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
}

// summary of a sample of durations.
type summary struct {
	N             int
	P50, P95      time.Duration
	Min, Max, Avg time.Duration
}

func summarize(ds []time.Duration) summary {
	if len(ds) == 0 {
		return summary{}
	}
	xs := make([]float64, len(ds))
	var sum time.Duration
	for i, d := range ds {
		xs[i] = float64(d)
		sum += d
	}
	return summary{
		N:   len(ds),
		P50: time.Duration(percentile(xs, 50)),
		P95: time.Duration(percentile(xs, 95)),
		Min: time.Duration(slices.Min(xs)),
		Max: time.Duration(slices.Max(xs)),
		Avg: sum / time.Duration(len(ds)),
	}
}

func medianInt(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	f := make([]float64, len(xs))
	for i, x := range xs {
		f[i] = float64(x)
	}
	return int(math.Round(percentile(f, 50)))
}

func medianInt64(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	f := make([]float64, len(xs))
	for i, x := range xs {
		f[i] = float64(x)
	}
	return int64(math.Round(percentile(f, 50)))
}

// ms formats a duration for a table: "4.2 ms", "123 ms", "2.35 s", "41 s".
func ms(d time.Duration) string {
	switch {
	case d < 0:
		return "−" + ms(-d)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

// mb formats bytes as megabytes (10^6, as `du`/`ls -h` readers expect MB).
func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }
