package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Results is everything one run measured; the document is written from it
// alone (and can be rewritten from its JSON with --report-only).
type Results struct {
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
	Quick    bool          `json:"quick"`
	Trials   int           `json:"trials"`
	Window   time.Duration `json:"window"`
	Machine  Machine       `json:"machine"`
	Load     []LoadSample  `json:"load"`
	Notes    []string      `json:"notes"`

	Latency *LatencyResults `json:"latency,omitempty"`
	APICost *APICostResults `json:"apiCost,omitempty"`
	Process *ProcessResults `json:"process,omitempty"`
	Scale   *ScaleResults   `json:"scale,omitempty"`
	Many    *ManyResults    `json:"many,omitempty"`
	Fleet   *FleetResults   `json:"fleet,omitempty"`
	Memory  *MemoryResults  `json:"memory,omitempty"`
}

// LoadSample is the load average when a section started.
type LoadSample struct {
	Label string     `json:"label"`
	At    time.Time  `json:"at"`
	Avg   [3]float64 `json:"avg"` // 1, 5, 15 minutes
}

func loadAvg() [3]float64 {
	var avg [3]float64
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return avg
	}
	f := strings.Fields(string(raw))
	for i := 0; i < 3 && i < len(f); i++ {
		avg[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return avg
}

func (r *Results) sampleLoad(label string) {
	r.Load = append(r.Load, LoadSample{Label: label, At: time.Now(), Avg: loadAvg()})
}

func (r *Results) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	logf("note: %s", msg)
	r.Notes = append(r.Notes, msg)
}

func saveResults(r *Results, path string) error {
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o644)
}

func loadResults(path string) (*Results, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}
