package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/spec"
)

// objectsFlag is the mixed form's -f, kubectl wait's: every object of the
// manifests is a target, waited for by its type and name with the --for
// rules. The manifests are read as kwait apply reads them (readManifests).
func objectsFlag() cli.Flag {
	return filenameFlag("wait for every object of a manifest (kubectl wait -f): a file, a directory, or - for stdin (repeatable); " +
		"each by its type and name with the --for rules, else ready")
}

// objectTargets turns each object the mixed form's -f read into a
// resource target: TYPE/[NS/]NAME with the --for rules (rules), else
// ready, as kwait TYPE/[NS/]NAME:ready would. An object without a name
// (generateName) cannot be waited for by name: bad input.
func objectTargets(specs []spec.Spec, rules []string) ([]spec.Spec, error) {
	if len(rules) == 0 {
		rules = []string{"ready"}
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
		named, err := t.WithRules(rules)
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, named)
	}
	return out, nil
}
