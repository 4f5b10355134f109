package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/spec"
)

// readManifests replaces each admission spec with one spec per object of
// its manifest, read before anything waits: a manifest that cannot be read
// or decoded is bad input. Standard input ("-") is read once.
func readManifests(specs []spec.Spec, stdin io.Reader) ([]spec.Spec, error) {
	out := make([]spec.Spec, 0, len(specs))
	stdinRead := false
	for _, sp := range specs {
		if sp.Kind != spec.Admission {
			out = append(out, sp)
			continue
		}
		var data []byte
		var err error
		source := sp.Name
		switch {
		case sp.Name == "-":
			if stdinRead {
				return nil, usagef("%s: standard input can be read only once", sp)
			}
			stdinRead = true
			source = "standard input"
			data, err = readAll(stdin)
		case strings.HasPrefix(strings.TrimSpace(sp.Name), "{"):
			source = "inline object"
			data = []byte(sp.Name)
		default:
			data, err = readFile(sp.Name)
		}
		if err != nil {
			return nil, usagef("%s: %s", spec.Admission, err)
		}
		objs, err := manifest.Decode(data)
		if err != nil {
			return nil, usagef("%s: %s: %s", spec.Admission, source, err)
		}
		for i := range objs {
			one := sp
			one.Object = &objs[i]
			out = append(out, one)
		}
	}
	return out, nil
}

func readFile(path string) ([]byte, error) {
	if err := regularFile(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s", oneLine(err.Error()))
	}
	defer f.Close()
	data, err := readAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// readAll reads at most manifest.MaxSize bytes and one more, so that
// manifest.Decode can refuse a larger manifest.
func readAll(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, manifest.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s", oneLine(err.Error()))
	}
	return data, nil
}
