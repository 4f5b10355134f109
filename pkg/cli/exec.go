package cli

import (
	"fmt"
	"os"
	"os/exec"

	"go.uber.org/zap"

	"github.com/kwait-dev/kwait/pkg/target"
)

// invocation is what Main reads off the command line before urfave/cli
// does: the flags given, the termination log, and the command after "--".
type invocation struct {
	given   map[string]bool
	termLog termLog
	// command is what follows "--", nil when there was no "--".
	command []string
}

// command is what kwait becomes once every target is ready: "kwait
// TARGET... -- COMMAND [ARG...]" replaces the kwait process with COMMAND
// (same PID), so that signals, the exit code and the termination log are
// the command's, as with wait-for-it, dockerize and wait4x.
type command struct {
	path string   // resolved before any wait, so a typo is exit 2 at once
	argv []string // argv[0] as given
}

// readCommand checks the command after "--": it must name a program that
// exists and may be executed, found in PATH as execvp would.
func readCommand(argv []string) (*command, error) {
	if argv == nil {
		return nil, nil
	}
	if len(argv) == 0 || argv[0] == "" {
		return nil, usagef("\"--\" must be followed by a command to run once every target is ready")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, usagef("command after \"--\": %s", target.Line(err.Error()))
	}
	return &command{path: path, argv: argv}, nil
}

// ExitCannotRun is the exit code when every target was ready but the
// command after "--" could not be started, as a shell says 126.
const ExitCannotRun = 126

// cannotRunError is a command that could not replace kwait: exit 126.
type cannotRunError struct{ err error }

func (e cannotRunError) Error() string { return e.err.Error() }
func (e cannotRunError) Unwrap() error { return e.err }

// run replaces the process with the command. It returns only when that
// failed.
func (cmd *command) run(s Streams, log *zap.Logger) error {
	if s.Exec == nil {
		return cannotRunError{fmt.Errorf("running a command after \"--\" is not supported here")}
	}
	log.Info("all ready, running the command", zap.String("command", cmd.argv[0]))
	_ = log.Sync()
	err := s.Exec(cmd.path, cmd.argv, os.Environ())
	return cannotRunError{fmt.Errorf("every target is ready, but %s did not start: %w", cmd.argv[0], err)}
}
