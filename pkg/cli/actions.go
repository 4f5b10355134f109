package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/spec"
)

// Every action is the same pipeline: read the options, turn the arguments
// into specs (the mixed form's grammar, or the command's member), then the
// one tail, runSpecs.

// rootAction waits for targets in the mixed form.
func rootAction(s Streams, in *invocation) cli.ActionFunc {
	return func(c *cli.Context) error {
		o, err := readOptions(c, *in)
		if err != nil {
			return err
		}
		specs, err := mixedSpecs(c, o)
		if err != nil {
			return err
		}
		return runSpecs(c, s, o, *in, specs)
	}
}

// memberAction waits for the targets of one member's command.
func memberAction(m member, s Streams, in *invocation) cli.ActionFunc {
	return func(c *cli.Context) error {
		o, err := readOptions(c, *in)
		if err != nil {
			return err
		}
		specs, err := m.specs(c, o, *in)
		if err != nil {
			return err
		}
		return runSpecs(c, s, o, *in, specs)
	}
}

// runSpecs is the tail of every action: refuse flags no target uses, read
// the manifests the specs name (within the run's deadline), make the
// mixed form's -f objects resource targets, then build and wait.
func runSpecs(c *cli.Context, s Streams, o options, in invocation, specs []spec.Spec) error {
	if err := checkApplies(in.given, specs); err != nil {
		return err
	}
	ctx, cancel := o.runContext(c.Context)
	defer cancel()
	specs, err := readManifests(ctx, specs, s.In, o.namespace)
	if err != nil {
		return err
	}
	if specs, err = objectTargets(specs, o); err != nil {
		return err
	}
	return wait(c, s, o, specs, in.termLog)
}
