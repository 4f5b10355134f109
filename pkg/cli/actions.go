package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/spec"
)

// rootAction waits for targets in the mixed form.
func rootAction(c *cli.Context, s Streams, given map[string]bool) error {
	if c.NArg() == 0 {
		return usagef("no targets given (see kwait --help)")
	}
	specs := make([]spec.Spec, 0, c.NArg())
	for _, arg := range c.Args().Slice() {
		sp, err := spec.Parse(arg)
		if err != nil {
			return usageError{err}
		}
		specs = append(specs, sp)
	}
	if err := checkApplies(given, specs); err != nil {
		return err
	}
	return wait(c, s, specs)
}

// kindAction waits for the targets of one kind named by the arguments.
func kindAction(c *cli.Context, s Streams, kind spec.Kind) error {
	if c.NArg() == 0 {
		return usagef("%s: missing what to wait for (see kwait %s --help)", kind, kind)
	}
	var rules []string
	if kind == spec.Resource {
		rules = c.StringSlice(flagFor)
		if len(rules) == 0 {
			return usagef("resource: --for is required (condition=TYPE[=STATUS], jsonpath={EXPR}[=VALUE], create or delete)")
		}
	}
	specs := make([]spec.Spec, 0, c.NArg())
	for _, arg := range c.Args().Slice() {
		sp, err := spec.ParseKind(kind, arg)
		if err != nil {
			return usageError{err}
		}
		if len(rules) > 0 {
			if len(sp.For) > 0 {
				return usagef("%s: give rules either with --for or after ':', not both", arg)
			}
			sp.For = rules
		}
		specs = append(specs, sp)
	}
	return wait(c, s, specs)
}

// podsAction waits for the pods -l selects.
func podsAction(c *cli.Context, s Streams) error {
	if c.NArg() > 0 {
		return usagef("pods: unexpected argument %q; give the label selector with -l", c.Args().First())
	}
	sel, err := spec.ParseSelector(c.String(flagSelector))
	if err != nil {
		return usagef("--selector: %s", err)
	}
	return wait(c, s, []spec.Spec{{Kind: spec.Pods, Selector: sel}})
}

// checkApplies refuses flags of the mixed form that no target would use, so
// nothing a user asked for is silently ignored. Only flags on the command
// line count: a KWAIT_* variable set for a whole pod is not a request to
// this call.
func checkApplies(given map[string]bool, specs []spec.Spec) error {
	has := map[spec.Kind]bool{}
	for _, sp := range specs {
		has[sp.Kind] = true
	}
	for _, f := range httpFlags() {
		if given[f.Names()[0]] && !has[spec.HTTP] {
			return usagef("--%s applies to http targets, and none was given", f.Names()[0])
		}
	}
	if given[flagMin] && !has[spec.Pods] {
		return usagef("--%s applies to pods targets, and none was given", flagMin)
	}
	return nil
}
