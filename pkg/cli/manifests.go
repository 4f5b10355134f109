package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/spec"
)

// fromManifests reports whether a spec of this kind names manifests
// (admission, apply, delete) rather than one target.
func fromManifests(kind string) bool {
	return kind == spec.Admission || kind == spec.Apply || kind == spec.Delete
}

// readManifests replaces each spec naming manifests with one spec per
// object they hold, read before anything waits: a manifest that cannot be
// read or decoded is bad input. A source is a file, "-" for standard input
// (read once), an object inline ("{...}"), or a directory (see readDir).
func readManifests(specs []spec.Spec, stdin io.Reader) ([]spec.Spec, error) {
	out := make([]spec.Spec, 0, len(specs))
	stdinRead := false
	for _, sp := range specs {
		if !fromManifests(sp.Kind) {
			out = append(out, sp)
			continue
		}
		objs, err := readSource(sp, stdin, &stdinRead)
		if err != nil {
			return nil, err
		}
		for i := range objs {
			one := sp
			one.Object = &objs[i]
			out = append(out, one)
		}
	}
	return out, nil
}

func readSource(sp spec.Spec, stdin io.Reader, stdinRead *bool) ([]manifest.Object, error) {
	var data []byte
	var err error
	source := sp.Name
	switch {
	case sp.Name == "-":
		if *stdinRead {
			return nil, usagef("%s: standard input can be read only once", sp)
		}
		*stdinRead = true
		source = "standard input"
		data, err = readAll(stdin)
	case strings.HasPrefix(strings.TrimSpace(sp.Name), "{"):
		source = "inline object"
		data = []byte(sp.Name)
	default:
		if fi, serr := os.Stat(sp.Name); serr == nil && fi.IsDir() {
			return readDir(sp.Kind, sp.Name)
		}
		data, err = readFile(sp.Name)
	}
	if err != nil {
		return nil, usagef("%s: %s", sp.Kind, err)
	}
	objs, err := manifest.Decode(data)
	if err != nil {
		return nil, usagef("%s: %s: %s", sp.Kind, source, err)
	}
	return objs, nil
}

// readDir reads the manifests of a directory: its regular files (or links
// to them) named *.yaml, *.yml or *.json, in name order, not recursing.
// Names starting with "." are skipped: a mounted ConfigMap or Secret holds
// "..data" and "..2026_..." entries besides its keys, which link into
// them. A file without objects is skipped; a directory without any is bad
// input, as are files larger than manifest.MaxSize together.
func readDir(kind, dir string) ([]manifest.Object, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, usagef("%s: %s", kind, oneLine(err.Error()))
	}
	var out []manifest.Object
	total := 0
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !manifestFile(name) {
			continue
		}
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			continue
		}
		data, err := readFile(path)
		if err != nil {
			return nil, usagef("%s: %s", kind, err)
		}
		if total += len(data); total > manifest.MaxSize {
			return nil, usagef("%s: %s: its manifests are larger than %d MiB together", kind, dir, manifest.MaxSize>>20)
		}
		objs, err := manifest.Decode(data)
		if errors.Is(err, manifest.ErrNoObjects) {
			continue
		}
		if err != nil {
			return nil, usagef("%s: %s: %s", kind, path, err)
		}
		out = append(out, objs...)
	}
	if len(out) == 0 {
		return nil, usagef("%s: %s: no objects in its *.yaml, *.yml or *.json files", kind, dir)
	}
	return out, nil
}

func manifestFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
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
