package kube

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"

	"k8s.io/client-go/rest"
)

// maxPluginLine is the longest line of a plugin's stderr kwait logs; the
// rest of a longer line is dropped, and said to be.
const maxPluginLine = 4096

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
	go forwardLines(r, out)
	return err
}

// forwardLines hands out each line of r, cut to maxPluginLine bytes, and
// reads r to its end however long a line is: a plugin writing to a pipe
// nobody reads would block, and with it every request needing a token.
func forwardLines(r io.Reader, out func(line string)) {
	br := bufio.NewReaderSize(r, maxPluginLine)
	for {
		chunk, err := br.ReadSlice('\n')
		line := strings.TrimRight(string(chunk), "\r\n")
		if errors.Is(err, bufio.ErrBufferFull) {
			line += " [cut]"
			for errors.Is(err, bufio.ErrBufferFull) { // the rest of the line
				_, err = br.ReadSlice('\n')
			}
		}
		if line != "" {
			out(line)
		}
		if err != nil {
			return
		}
	}
}
