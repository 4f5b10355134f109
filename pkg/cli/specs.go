package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/spec"
)

// The parse stage: a command's arguments, with the options already read,
// become specs; each is checked here, before anything is read or built.

// mixedSpecs reads the root command's targets: every argument in the mixed
// form, and a spec for each manifest -f names.
func mixedSpecs(c *cli.Context, o options) ([]spec.Spec, error) {
	files := c.StringSlice(flagFilename)
	if c.NArg() == 0 && len(files) == 0 {
		return nil, usagef("no targets given (see kwait --help)")
	}
	specs := make([]spec.Spec, 0, c.NArg()+len(files))
	for _, f := range files {
		specs = append(specs, spec.Spec{Kind: spec.Objects, Name: f})
	}
	for _, arg := range c.Args().Slice() {
		sp, err := spec.Parse(arg)
		if err != nil {
			return nil, suggestTarget(c.App, arg, usageError{err})
		}
		if sp, err = withRules(sp, o, false); err != nil {
			return nil, suggestTarget(c.App, arg, err)
		}
		specs = append(specs, sp)
	}
	return specs, nil
}

// argSpecs reads a command whose arguments each name a target of the kind
// kindName.
func argSpecs(kindName string) func(*cli.Context, options, invocation) ([]spec.Spec, error) {
	return func(c *cli.Context, o options, in invocation) ([]spec.Spec, error) {
		if in.given[flagFilename] {
			return nil, usagef("%s: -f does not apply: give the manifests to wait for without a command (kwait -f FILE --for RULE)", kindName)
		}
		if c.NArg() == 0 {
			return nil, usagef("%s: missing what to wait for (see kwait %s --help)", kindName, kindName)
		}
		specs := make([]spec.Spec, 0, c.NArg())
		for _, arg := range c.Args().Slice() {
			sp, err := spec.ParseKind(kindName, arg)
			if err != nil {
				return nil, usageError{err}
			}
			if sp, err = withRules(sp, o, true); err != nil {
				return nil, err
			}
			specs = append(specs, sp)
		}
		return specs, nil
	}
}

// selectorSpecs reads the command of a kind picked by a label selector
// (pods): the objects -l selects, or with --for rules, objects by name.
func selectorSpecs(k kind.Kind) func(*cli.Context, options, invocation) ([]spec.Spec, error) {
	byName := argSpecs(k.Name)
	return func(c *cli.Context, o options, in invocation) ([]spec.Spec, error) {
		if len(o.rules) > 0 {
			return byName(c, o, in)
		}
		if in.given[flagFilename] {
			return nil, usagef("%s: -f does not apply: give the manifests to wait for without a command (kwait -f FILE --for RULE)", k.Name)
		}
		if c.NArg() > 0 {
			return nil, usagef("%s: unexpected argument %q; give the label selector with -l (or a rule with --for to name pods)", k.Name, c.Args().First())
		}
		if o.selector == "" {
			return nil, usagef("--selector: required (-l app=web)")
		}
		return []spec.Spec{{Kind: k.Name, Selector: o.selector}}, nil
	}
}

// manifestSpecs reads the command of a manifest verb: the manifests -f
// names (for admission, the arguments too), after check, the verb's own
// refusals.
func manifestSpecs(verb string, check func(options, invocation) error) func(*cli.Context, options, invocation) ([]spec.Spec, error) {
	return func(c *cli.Context, o options, in invocation) ([]spec.Spec, error) {
		files := c.StringSlice(flagFilename)
		switch {
		case verb == spec.Admission:
			files = append(files, c.Args().Slice()...)
		case c.NArg() > 0:
			return nil, usagef("%s: unexpected argument %q: give manifests with -f FILE, -f DIRECTORY or -f - (stdin)", verb, c.Args().First())
		}
		if len(files) == 0 {
			return nil, usagef("%s: missing what to wait for: give manifests with -f FILE, -f DIRECTORY or -f - (stdin)", verb)
		}
		if check != nil {
			if err := check(o, in); err != nil {
				return nil, err
			}
		}
		specs := make([]spec.Spec, 0, len(files))
		for _, f := range files {
			sp := spec.Spec{Kind: verb, Name: f}
			if verb == spec.Admission {
				var err error
				if sp, err = spec.ParseKind(verb, f); err != nil {
					return nil, usageError{err}
				}
			}
			specs = append(specs, sp)
		}
		return specs, nil
	}
}

// checkApply refuses what kwait apply cannot do: the delete and create
// rules (an applied object exists), and --fail-for without a --for rule to
// wait with.
func checkApply(o options, _ invocation) error {
	for _, r := range o.rules {
		if r.WantsAbsent() || r.String() == "create" {
			return usagef("apply: --for %s does not apply: an applied object exists (use kwait delete to delete objects)", r)
		}
	}
	if len(o.failure.Rules) > 0 && len(o.rules) == 0 {
		return usagef("apply: --fail-for applies while waiting with --for, and none was given")
	}
	return nil
}

// checkDelete refuses rules: kwait delete waits until each object is gone.
func checkDelete(_ options, in invocation) error {
	for _, name := range []string{flagFor, flagFailFor, flagFailAfter} {
		if in.given[name] {
			return usagef("delete: --%s does not apply: kwait delete waits until each object is gone", name)
		}
	}
	return nil
}

// withRules gives a Kubernetes target without a rule of its own the --for
// rules, and parses the rules it has, once. exclusive says a target's own
// rule and --for may not both be given (a subcommand's --for is meant for
// every name after it).
func withRules(sp spec.Spec, o options, exclusive bool) (spec.Spec, error) {
	if sp.Family() != spec.Kube {
		return sp, nil // judged by no rule
	}
	switch {
	case len(sp.For) > 0 && len(o.rules) > 0 && exclusive:
		return sp, usagef("%s: give rules either with --for or after ':', not both", sp)
	case len(sp.For) == 0 && len(o.rules) > 0:
		named, err := sp.WithRules(o.ruleText, o.rules)
		if err != nil {
			return sp, usageError{err}
		}
		sp = named
	}
	sp, err := sp.ParseRules()
	if err != nil {
		return sp, usageError{err}
	}
	if sp.Kind == spec.Resource && len(sp.Rules) == 0 {
		return sp, usagef("%s: a resource needs a rule: TYPE/[NS/]NAME:ready, TYPE/[NS/]NAME:condition=Ready, or --for (ready, condition=TYPE[=STATUS], jsonpath={EXPR}[=VALUE], create or delete)", sp)
	}
	return sp, nil
}

// checkApplies refuses flags that no target would use, so nothing a user
// asked for is silently ignored: a flag of a group none of the specs'
// members applies (appliesTo). Only flags on the command line count: a
// KWAIT_* variable set for a whole pod is not a request to this call (its
// value is still checked).
func checkApplies(given map[string]bool, specs []spec.Spec) error {
	var used groups
	for _, sp := range specs {
		used |= appliesTo(sp)
	}
	for _, g := range flagGroups() {
		if used&g.group != 0 {
			continue
		}
		for _, f := range g.flags() {
			if name := f.Names()[0]; given[name] {
				return usagef("--%s applies to %s, and none was given", name, g.what)
			}
		}
	}
	return nil
}
