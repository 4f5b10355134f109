package kube

import (
	"bufio"
	"os"

	"k8s.io/client-go/rest"
)

// withPluginOutput runs build, which creates cfg's transport, so that an
// exec credential plugin the transport will run writes its stderr to out,
// a line at a time, instead of to kwait's stderr: kwait's log stays in one
// format (one JSON object a line with --log-format json). client-go hands
// such a plugin the process's os.Stderr of the moment it builds the
// transport, so it is swapped for a pipe for exactly that moment.
func withPluginOutput(cfg *rest.Config, out func(line string), build func() error) error {
	if cfg.ExecProvider == nil || out == nil {
		return build()
	}
	r, w, err := os.Pipe()
	if err != nil {
		return build()
	}
	saved := os.Stderr
	os.Stderr = w
	err = build()
	os.Stderr = saved
	go func() {
		lines := bufio.NewScanner(r)
		for lines.Scan() {
			if line := lines.Text(); line != "" {
				out(line)
			}
		}
	}()
	return err
}
