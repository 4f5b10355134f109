package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// procs starts the waiters as child processes and makes sure none outlives
// the bench: each runs in its own process group (a shell loop and the
// kubectl it runs die together), gets SIGKILL if the bench dies
// (Pdeathsig), and killAll ends every group still running.
type procs struct {
	dir    string // logs and HOMEs
	binDir string // first on PATH: kubectl
	mu     sync.Mutex
	live   map[*proc]struct{}
	seq    int
}

func newProcs(work, kubectl string) (*procs, error) {
	p := &procs{dir: work, binDir: filepath.Join(work, "bin"), live: map[*proc]struct{}{}}
	for _, d := range []string{p.binDir, filepath.Join(work, "logs"), filepath.Join(work, "home")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.Symlink(kubectl, filepath.Join(p.binDir, "kubectl")); err != nil {
		return nil, fmt.Errorf("kubectl on PATH: %w", err)
	}
	return p, nil
}

// proc is one waiter process.
type proc struct {
	Label   string
	Started time.Time // just before fork
	Exited  time.Time // as soon as wait4 returned
	Code    int       // exit code; -1 when killed by a signal
	Usage   syscall.Rusage
	// PeakRSS is the peak resident set in bytes, for processes started with
	// startRSS (0 otherwise).
	PeakRSS int64
	done    chan struct{}
	pgid    int
	rssFile string
	logFile string
}

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// start runs argv as id, with a fresh HOME (a cold kubectl discovery cache,
// as in a new init container or hook Job) and output to a log file.
func (p *procs) start(label string, id identity, argv []string) (*proc, error) {
	return p.spawn(label, id, argv, false)
}

// startRSS is start under GNU time, which reports the peak RSS.
//
// The rusage Go gets for its own children cannot be used for that: Go
// starts children with clone(CLONE_VFORK|CLONE_VM), so until exec the child
// shares the bench's memory, and the kernel keeps that memory's high-water
// mark as the child's ru_maxrss at exec. Every child would show at least
// the bench's own RSS. GNU time forks for real from a process of about
// 1 MB, so its figure is the waiter's own (or its largest child's).
func (p *procs) startRSS(label string, id identity, argv []string) (*proc, error) {
	return p.spawn(label, id, argv, true)
}

func (p *procs) spawn(label string, id identity, argv []string, rss bool) (*proc, error) {
	p.mu.Lock()
	p.seq++
	seq := p.seq
	p.mu.Unlock()
	base := fmt.Sprintf("%05d-%s", seq, unsafeChars.ReplaceAllString(label, "_"))
	home := filepath.Join(p.dir, "home", base)
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	logFile := filepath.Join(p.dir, "logs", base+".log")
	out, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	pr := &proc{Label: label, done: make(chan struct{}), logFile: logFile}
	if rss {
		pr.rssFile = filepath.Join(p.dir, "logs", base+".rss")
		argv = append([]string{timeBin, "-f", "%M", "-o", pr.rssFile}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = []string{
		"PATH=" + p.binDir + ":/usr/local/bin:/usr/bin:/bin",
		"HOME=" + home,
		"KUBECONFIG=" + id.Kubeconfig,
		"KWAIT_LOG_FORMAT=json",
	}
	cmd.Stdout, cmd.Stderr = out, out // files: Wait returns right at exit, no copying goroutines
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	pr.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", label, err)
	}
	pr.pgid = cmd.Process.Pid
	p.mu.Lock()
	p.live[pr] = struct{}{}
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		pr.Exited = time.Now()
		var exit *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exit):
			pr.Code = exit.ExitCode()
		default:
			pr.Code = -2
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			pr.Usage = *ru
		}
		if pr.rssFile != "" {
			pr.PeakRSS = readRSS(pr.rssFile)
		}
		// The group may still hold a child the waiter left behind.
		_ = syscall.Kill(-pr.pgid, syscall.SIGKILL)
		p.mu.Lock()
		delete(p.live, pr)
		p.mu.Unlock()
		close(pr.done)
	}()
	return pr, nil
}

// kill ends the waiter's process group and waits for it.
func (pr *proc) kill() {
	_ = syscall.Kill(-pr.pgid, syscall.SIGKILL)
	<-pr.done
}

// wait waits for the waiter to exit, at most d; past that it is killed and
// wait reports so.
func (pr *proc) wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-pr.done:
		return nil
	case <-t.C:
		pr.kill()
		return fmt.Errorf("%s still running after %s, killed", pr.Label, d)
	case <-ctx.Done():
		pr.kill()
		return ctx.Err()
	}
}

// cpu is the user+system time of the waiter and every child it waited
// for (wait4 reports both), so a shell loop's figure includes its kubectls.
func (pr *proc) cpu() time.Duration {
	return time.Duration(pr.Usage.Utime.Nano() + pr.Usage.Stime.Nano())
}

// failure describes why a waiter failed: its exit code and the last line
// it printed.
func (pr *proc) failure() string {
	msg := fmt.Sprintf("exit code %d", pr.Code)
	raw, _ := os.ReadFile(pr.logFile)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "" {
		if len(last) > 160 {
			last = last[:160] + "…"
		}
		msg += ": " + last
	}
	return msg
}

// outcome is "" when the waiter exited 0, else why not; err is what
// wait returned.
func (pr *proc) outcome(err error) string {
	switch {
	case err != nil:
		return err.Error()
	case pr.Code != 0:
		return pr.failure()
	}
	return ""
}

// timeBin is GNU time (Debian package "time").
const timeBin = "/usr/bin/time"

// readRSS reads the kilobytes GNU time wrote on the last line of file.
func readRSS(file string) int64 {
	raw, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	lines := strings.Fields(strings.TrimSpace(string(raw)))
	if len(lines) == 0 {
		return 0
	}
	kb, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	if err != nil {
		return 0
	}
	return kb * 1024
}

func (pr *proc) wall() time.Duration { return pr.Exited.Sub(pr.Started) }

// killAll ends every waiter still running.
func (p *procs) killAll() {
	p.mu.Lock()
	live := make([]*proc, 0, len(p.live))
	for pr := range p.live {
		live = append(live, pr)
	}
	p.mu.Unlock()
	for _, pr := range live {
		_ = syscall.Kill(-pr.pgid, syscall.SIGKILL)
	}
	for _, pr := range live {
		<-pr.done
	}
}
