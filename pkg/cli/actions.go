package cli

import (
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/spec"
)

// rootAction waits for targets in the mixed form.
func rootAction(c *cli.Context, s Streams, in invocation) error {
	o, err := readOptions(c, in)
	if err != nil {
		return err
	}
	files := c.StringSlice(flagFilename)
	if c.NArg() == 0 && len(files) == 0 {
		return usagef("no targets given (see kwait --help)")
	}
	specs := make([]spec.Spec, 0, c.NArg()+len(files))
	for _, f := range files {
		specs = append(specs, spec.Spec{Kind: spec.Objects, Name: f})
	}
	for _, arg := range c.Args().Slice() {
		sp, err := spec.Parse(arg)
		if err != nil {
			return suggestTarget(c.App, arg, usageError{err})
		}
		if sp, err = withRules(sp, o.rules, false); err != nil {
			return suggestTarget(c.App, arg, err)
		}
		specs = append(specs, sp)
	}
	if err := checkApplies(in.given, specs); err != nil {
		return err
	}
	ctx, cancel := o.runContext(c.Context)
	defer cancel()
	specs, err = readManifests(ctx, specs, s.In, o.namespace)
	if err != nil {
		return err
	}
	if specs, err = objectTargets(specs, o.rules); err != nil {
		return err
	}
	return wait(c, s, o, specs, in.termLog)
}

// kindAction waits for the targets of one kind named by the arguments.
func kindAction(c *cli.Context, s Streams, kindName string, in invocation) error {
	o, err := readOptions(c, in)
	if err != nil {
		return err
	}
	if in.given[flagFilename] {
		return usagef("%s: -f does not apply: give the manifests to wait for without a command (kwait -f FILE --for RULE)", kindName)
	}
	if k, ok := kind.Lookup(kindName); ok && k.Select == kind.BySelector && len(o.rules) == 0 {
		return selectorAction(c, s, o, k, in)
	}
	if c.NArg() == 0 {
		return usagef("%s: missing what to wait for (see kwait %s --help)", kindName, kindName)
	}
	specs := make([]spec.Spec, 0, c.NArg())
	for _, arg := range c.Args().Slice() {
		sp, err := spec.ParseKind(kindName, arg)
		if err != nil {
			return usageError{err}
		}
		if sp, err = withRules(sp, o.rules, true); err != nil {
			return err
		}
		specs = append(specs, sp)
	}
	if err := checkApplies(in.given, specs); err != nil {
		return err
	}
	return wait(c, s, o, specs, in.termLog)
}

// selectorAction waits for the objects -l selects (pods).
func selectorAction(c *cli.Context, s Streams, o options, k kind.Kind, in invocation) error {
	if c.NArg() > 0 {
		return usagef("%s: unexpected argument %q; give the label selector with -l (or a rule with --for to name pods)", k.Name, c.Args().First())
	}
	if o.selector == "" {
		return usagef("--selector: required (-l app=web)")
	}
	specs := []spec.Spec{{Kind: k.Name, Selector: o.selector}}
	if err := checkApplies(in.given, specs); err != nil {
		return err
	}
	return wait(c, s, o, specs, in.termLog)
}

// withRules gives a Kubernetes target without a rule of its own the --for
// rules. exclusive says a target's own rule and --for may not both be
// given (a subcommand's --for is meant for every name after it).
func withRules(sp spec.Spec, rules []string, exclusive bool) (spec.Spec, error) {
	if !sp.Kube() || sp.Kind == spec.Admission {
		return sp, nil // judged by no rule
	}
	switch {
	case len(sp.For) > 0 && len(rules) > 0 && exclusive:
		return sp, usagef("%s: give rules either with --for or after ':', not both", sp)
	case len(sp.For) == 0 && len(rules) > 0:
		named, err := sp.WithRules(rules)
		if err != nil {
			return sp, usageError{err}
		}
		sp = named
	}
	if sp.Kind == spec.Resource && len(sp.For) == 0 {
		return sp, usagef("%s: a resource needs a rule: TYPE/[NS/]NAME:ready, TYPE/[NS/]NAME:condition=Ready, or --for (ready, condition=TYPE[=STATUS], jsonpath={EXPR}[=VALUE], create or delete)", sp)
	}
	return sp, nil
}

// checkApplies refuses flags of the mixed form that no target would use, so
// nothing a user asked for is silently ignored. Only flags on the command
// line count: a KWAIT_* variable set for a whole pod is not a request to
// this call (its value is still checked).
func checkApplies(given map[string]bool, specs []spec.Spec) error {
	var kube, ruled, onNet, http, tls, selector, apply bool
	for _, sp := range specs {
		kube = kube || sp.Kube()
		ruled = ruled || sp.Kube() && sp.Kind != spec.Admission && sp.Kind != spec.Delete
		apply = apply || sp.Kind == spec.Apply
		onNet = onNet || !sp.Kube()
		http = http || sp.Kind == spec.HTTP
		// http:// may redirect to https://.
		tls = tls || sp.Kind == spec.HTTP || slices.Contains(spec.Servers, sp.Kind) && network.ServerTLS(sp.Name)
		selector = selector || sp.Selector != ""
	}
	for _, group := range []struct {
		flags []cli.Flag
		used  bool
		what  string
	}{
		{httpFlags(), http, "http targets"},
		{tlsFlags(), tls, "TLS targets (http, rediss://, amqps://, grpcs://, postgres://...?sslmode=, mongodb://...?tls=true)"},
		{[]cli.Flag{minFlag()}, selector, "pods targets"},
		{networkFlags(), onNet, "network targets (tcp, http, dns, databases and queues)"},
		{join(kubeFlags(), []cli.Flag{namespaceFlag()}), kube, "Kubernetes targets"},
		{join([]cli.Flag{forFlag()}, failFlags()), ruled, "Kubernetes targets other than admission and delete"},
		{applyFlags(), apply, "kwait apply"},
	} {
		for _, f := range group.flags {
			if name := f.Names()[0]; given[name] && !group.used {
				return usagef("--%s applies to %s, and none was given", name, group.what)
			}
		}
	}
	return nil
}
