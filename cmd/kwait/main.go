// Command kwait waits until Kubernetes objects and network endpoints are
// ready, under one deadline, and exits with a code that says what happened.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kwait-dev/kwait/pkg/cli"
	"github.com/kwait-dev/kwait/pkg/memlimit"
)

// Set at build time by the Makefile: -ldflags "-X main.version=v0.2.0
// -X main.commit=<full hash>". A plain `go build` says v0.0.0-dev.
var (
	version = "v0.0.0-dev"
	commit  = ""
)

func main() {
	memlimit.Set("/sys/fs/cgroup", os.Getenv)
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	// A reader of stdout or stderr that went away must not end a wait:
	// with SIGPIPE notified (and never read), a write there fails with
	// EPIPE instead of killing the process.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	go func() {
		s := <-signals
		cancel(&cli.SignalError{Signal: s})
	}()
	info, err := os.Stderr.Stat()
	terminal := err == nil && info.Mode()&os.ModeCharDevice != 0
	os.Exit(cli.Main(ctx, os.Args, cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, ErrIsTerminal: terminal, Exec: syscall.Exec},
		cli.Build{Version: version, Commit: commit}))
}
