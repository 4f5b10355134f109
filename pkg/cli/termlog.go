package cli

import (
	"fmt"
	"os"

	"github.com/kwait-dev/kwait/pkg/target"
)

// terminationLogLimit is the most the kubelet keeps of a termination
// message.
const terminationLogLimit = 4096

// termLog is where the final message goes, decided once per run from the
// command line and KWAIT_TERMINATION_LOG before anything else is parsed,
// so that bad input is written there too.
type termLog struct {
	path string
	// explicit is set when the user named the path: it is created. The
	// default path is written only if it exists (the kubelet creates it),
	// so running kwait outside a container never litters /dev.
	explicit bool
}

func terminationLogOf(s scanned) termLog {
	if v, ok := s.values[flagTerminationLog]; ok {
		return termLog{path: v, explicit: true}
	}
	if v, ok := os.LookupEnv(env(flagTerminationLog)[0]); ok {
		return termLog{path: v, explicit: true}
	}
	return termLog{path: defaultTerminationLog}
}

// write writes msg as the container's termination message: control
// characters and bidirectional-text controls from object status become
// "?", and the whole fits the kubelet's limit. A path that exists and is
// not a regular file (a FIFO would block) is not written.
func (t termLog) write(msg string) error {
	if t.path == "" {
		return nil
	}
	fi, err := os.Stat(t.path)
	switch {
	case err != nil && !t.explicit:
		return nil
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", t.path)
	}
	// With the newline, the message fits the limit.
	msg = target.Clip(target.Printable(msg), terminationLogLimit-1)
	return os.WriteFile(t.path, []byte(msg+"\n"), 0o644)
}
