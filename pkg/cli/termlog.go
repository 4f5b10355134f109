package cli

import (
	"os"
)

// terminationLogLimit is the most the kubelet keeps of a termination
// message.
const terminationLogLimit = 4096

// writeTerminationLog writes msg where Kubernetes shows it as the
// container's termination message. An explicitly given path is created; the
// default path is written only if it exists (the kubelet creates it), so
// running kwait outside a container never litters /dev. Failing to write
// is not worth failing the run for.
func writeTerminationLog(path string, explicit bool, msg string) {
	if path == "" {
		return
	}
	if !explicit {
		if _, err := os.Stat(path); err != nil {
			return
		}
	}
	if len(msg) > terminationLogLimit {
		msg = msg[:terminationLogLimit-3] + "..."
	}
	_ = os.WriteFile(path, []byte(msg+"\n"), 0o644)
}
