// Package memlimit gives the Go runtime a soft memory limit derived from
// the container's: under the chart's 128Mi limit, the garbage collector then
// works harder as the heap nears it instead of letting the kernel kill the
// pod. An explicit GOMEMLIMIT always wins.
package memlimit

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// Share is the part of the container's limit given to the Go runtime; the
// rest is for what the runtime does not count (stacks of the OS, the
// binary's mapped text) and for the collector to catch up.
const Share = 0.9

// The files holding a cgroup's memory limit, under the cgroup mount.
const (
	v2File = "memory.max"
	v1File = "memory/memory.limit_in_bytes"
)

// noLimit is the value above which a cgroup v1 limit means none: v1 says
// "no limit" with the largest page-aligned int64.
const noLimit = 1 << 60

// Set sets the runtime's memory limit to Share of the container's memory
// limit found under cgroupRoot (/sys/fs/cgroup), unless GOMEMLIMIT is set
// (getenv) or no limit is set. It returns the limit set, 0 for none.
func Set(cgroupRoot string, getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return 0
	}
	limit := Container(cgroupRoot)
	if limit <= 0 {
		return 0
	}
	soft := int64(float64(limit) * Share)
	debug.SetMemoryLimit(soft)
	return soft
}

// Container is the memory limit of the cgroup mounted at root, cgroup v2
// or v1, in bytes; 0 when none is set or none can be read.
func Container(root string) int64 {
	for _, name := range []string{v2File, v1File} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || n >= noLimit {
			return 0
		}
		return n
	}
	return 0
}
