package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/runner"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// fromManifests reports whether a spec of this kind names manifests
// (admission, apply, delete, the mixed form's -f) rather than one target.
func fromManifests(kind string) bool {
	return kind == spec.Admission || kind == spec.Apply || kind == spec.Delete || kind == spec.Objects
}

// readManifests replaces each spec naming manifests with one spec per
// object they hold, read before anything waits: a manifest that cannot be
// read or decoded is bad input. A source is a file, "-" for standard input
// (read once), an object inline ("{...}"), or a directory (see readDir).
//
// ctx bounds reading standard input, which may never end: its deadline or
// a signal ends the read and the run (exit 124, or 128+signal).
//
// namespace is -n, if given: an object naming another namespace is bad
// input, as kubectl says, and so is an object that apply or delete would
// meet twice (the result would depend on timing).
func readManifests(ctx context.Context, specs []spec.Spec, stdin io.Reader, namespace string) ([]spec.Spec, error) {
	out := make([]spec.Spec, 0, len(specs))
	stdinRead := false
	seen := map[string]string{} // object key -> where it was first
	for _, sp := range specs {
		if !fromManifests(sp.Kind) {
			out = append(out, sp)
			continue
		}
		objs, err := readSource(ctx, sp, stdin, &stdinRead)
		if err != nil {
			return nil, err
		}
		source := sp.Name
		switch {
		case source == "-":
			source = "standard input"
		case strings.HasPrefix(strings.TrimSpace(source), "{"):
			source = "inline object"
		}
		for i := range objs {
			place := fmt.Sprintf("%s: object %d", quote(source), i+1)
			if err := checkPlace(sp.Kind, objs[i], place, namespace, seen); err != nil {
				return nil, err
			}
			one := sp
			one.Object = &objs[i]
			out = append(out, one)
		}
	}
	return out, nil
}

// checkPlace refuses an object whose namespace is not -n's, and one that
// apply or delete already meets elsewhere in the manifests (waiting for
// one twice is harmless).
func checkPlace(kind string, obj manifest.Object, place, namespace string, seen map[string]string) error {
	ns := obj.Object.GetNamespace()
	if namespace != "" && ns != "" && ns != namespace {
		return usagef("%s: %s: %s names namespace %q, but -n %s was given: drop one of them", kind, place, obj.Name(ns), ns, namespace)
	}
	if kind == spec.Admission || kind == spec.Objects || obj.Object.GetName() == "" {
		return nil
	}
	if ns == "" {
		ns = namespace
	}
	key := obj.Object.GroupVersionKind().GroupKind().String() + "/" + ns + "/" + obj.Object.GetName()
	if first, ok := seen[key]; ok {
		return usagef("%s: %s is given twice: %s and %s", kind, obj.Name(ns), first, place)
	}
	seen[key] = place
	return nil
}

// quote keeps a source name on one line in a message.
func quote(s string) string { return target.Line(s) }

func readSource(ctx context.Context, sp spec.Spec, stdin io.Reader, stdinRead *bool) ([]manifest.Object, error) {
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
		data, err = readStdin(ctx, stdin)
		if errors.Is(err, errNotRead) {
			return nil, err
		}
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
		return nil, usagef("%s: %s", kind, target.Line(err.Error()))
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
		return nil, fmt.Errorf("%s", target.Line(err.Error()))
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
		return nil, fmt.Errorf("%s", target.Line(err.Error()))
	}
	return data, nil
}

var errNotRead = errors.New("standard input not read to its end")

// readStdin reads stdin as readAll does, giving up when ctx ends: its
// cause (a signal) or runner.ErrTimeout. The reading goroutine is left
// blocked; the run ends anyway.
func readStdin(ctx context.Context, stdin io.Reader) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := readAll(stdin)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		cause := context.Cause(ctx)
		if errors.Is(cause, context.DeadlineExceeded) {
			cause = runner.ErrTimeout
		}
		return nil, fmt.Errorf("%w: %w", errNotRead, cause)
	}
}

// objectTargets turns each object the mixed form's -f read into a
// resource target: TYPE/[NS/]NAME with the --for rules, else ready, as
// kwait TYPE/[NS/]NAME:ready would. An object without a name
// (generateName) cannot be waited for by name: bad input.
func objectTargets(specs []spec.Spec, o options) ([]spec.Spec, error) {
	text, rules := o.ruleText, o.rules
	if len(rules) == 0 {
		text, rules = []string{"ready"}, []readiness.Rule{readiness.Ready()}
	}
	out := make([]spec.Spec, 0, len(specs))
	for _, sp := range specs {
		if sp.Kind != spec.Objects {
			out = append(out, sp)
			continue
		}
		obj := sp.Object
		ns := obj.Object.GetNamespace()
		if obj.Object.GetName() == "" {
			return nil, usagef("-f %s: %s has no name (generateName): kwait waits for objects by name", quote(sp.Name), obj.Name(ns))
		}
		t := spec.Spec{Kind: spec.Resource, Type: obj.Type, Namespace: ns, Name: obj.Object.GetName()}
		named, err := t.WithRules(text, rules)
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, named)
	}
	return out, nil
}
