package main

import (
	"bufio"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Machine is what the run ran on and with.
type Machine struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	Memory     int64  `json:"memory"`
	Kernel     string `json:"kernel"`
	OS         string `json:"os"`
	GoVersion  string `json:"goVersion"` // the bench's toolchain
	Kubernetes string `json:"kubernetes"`

	KwaitVersion string `json:"kwaitVersion"`
	KwaitGo      string `json:"kwaitGo"`
	Kwait        Binary `json:"kwait"`

	KubectlVersion string `json:"kubectlVersion"`
	Kubectl        Binary `json:"kubectl"`
}

// Binary describes an executable.
type Binary struct {
	Path     string `json:"path"`
	Size     int64  `json:"size"`
	Stripped bool   `json:"stripped"` // no symbol table
	Static   bool   `json:"static"`   // no program interpreter
}

func (b *bench) machine(ctx context.Context) (Machine, error) {
	m := Machine{
		CPU:       cpuModel(),
		Cores:     runtime.NumCPU(),
		Memory:    meminfo("MemTotal:"),
		Kernel:    strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")),
		OS:        osRelease(),
		GoVersion: runtime.Version(),
		Kwait:     binary(b.cfg.kwait),
		Kubectl:   binary(b.cfg.kubectl),
	}
	if v, err := b.c.kube.Discovery().ServerVersion(); err == nil {
		m.Kubernetes = v.GitVersion
	}
	if bi, err := buildinfo.ReadFile(b.cfg.kwait); err == nil {
		m.KwaitGo = bi.GoVersion
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, b.cfg.kwait, "version").Output(); err == nil {
		m.KwaitVersion = strings.TrimSpace(string(out))
	}
	if out, err := exec.CommandContext(ctx, b.cfg.kubectl, "version", "--client", "-o", "json").Output(); err == nil {
		var v struct {
			ClientVersion struct {
				GitVersion string `json:"gitVersion"`
			} `json:"clientVersion"`
		}
		if json.Unmarshal(out, &v) == nil {
			m.KubectlVersion = v.ClientVersion.GitVersion
		}
	}
	return m, nil
}

func readFile(path string) string {
	raw, _ := os.ReadFile(path)
	return string(raw)
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func osRelease() string {
	for _, line := range strings.Split(readFile("/etc/os-release"), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return runtime.GOOS
}

func binary(path string) Binary {
	b := Binary{Path: path}
	if fi, err := os.Stat(path); err == nil {
		b.Size = fi.Size()
	}
	f, err := elf.Open(path)
	if err != nil {
		return b
	}
	defer f.Close()
	b.Stripped = f.Section(".symtab") == nil
	b.Static = true
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b.Static = false
		}
	}
	return b
}

// machine writes the document's Machine section.
func (d *doc) machine(r *Results) {
	m := r.Machine
	d.p("## Machine")
	d.p("")
	bin := func(b Binary) string {
		var f []string
		if b.Static {
			f = append(f, "static")
		} else {
			f = append(f, "dynamically linked")
		}
		if b.Stripped {
			f = append(f, "stripped")
		} else {
			f = append(f, "not stripped")
		}
		return fmt.Sprintf("%s (%.1f MiB), %s", mb(b.Size), float64(b.Size)/(1<<20), strings.Join(f, ", "))
	}
	var load []string
	for _, l := range r.Load {
		load = append(load, fmt.Sprintf("%s %.2f", l.Label, l.Avg[0]))
	}
	d.table([]string{"", ""}, [][]string{
		{"CPU", fmt.Sprintf("%s, %d cores", m.CPU, m.Cores)},
		{"Memory", fmt.Sprintf("%.1f GiB", float64(m.Memory)/(1<<30))},
		{"OS, kernel", fmt.Sprintf("%s, Linux %s", m.OS, m.Kernel)},
		{"Go", fmt.Sprintf("%s (kwait built with %s)", m.GoVersion, m.KwaitGo)},
		{"Kubernetes", fmt.Sprintf("kube-apiserver %s, kubectl %s", m.Kubernetes, m.KubectlVersion)},
		{"kwait", fmt.Sprintf("%s, %s", m.KwaitVersion, bin(m.Kwait))},
		{"kubectl", bin(m.Kubectl) + "; built from source by e2e/cluster/build.sh, not the release binary"},
		{"Load average (1 min) at each section's start", strings.Join(load, ", ")},
	})
	d.p("The load average is read at the start, before each section and at the end. The bench's own waiters and the")
	d.p("control plane account for part of it; a value near or above the core count before a section means other work")
	d.p("competed for the CPU and its latencies and CPU times are inflated by it.")
	if r.Scale != nil {
		d.p("The end value follows the scale test, whose hundreds of processes the 1-minute average still counts.")
	}
	d.p("")
}
