package cli

import (
	"io"
)

// Streams are where kwait reads and writes, and how it becomes another
// program.
type Streams struct {
	// In is standard input, read by an admission target whose manifest
	// is "-"; nil reads nothing.
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// ErrIsTerminal selects console logs for format "auto".
	ErrIsTerminal bool
	// Exec replaces the process with a program (syscall.Exec), for the
	// command after "--"; nil refuses to run one.
	Exec func(path string, argv, env []string) error
}

// invocation is what Main reads off the command line before urfave/cli
// does: the flags given, the termination log, and the command after "--".
type invocation struct {
	given   map[string]bool
	termLog termLog
	// command is what follows "--", nil when there was no "--".
	command []string
}
