package cli

import (
	"context"
	"unicode"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/kube"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// defaultFieldManager owns the fields kwait apply sets.
const defaultFieldManager = "kwait"

// maxFieldManager is the apiserver's limit on a field manager's length.
const maxFieldManager = 128

// applyFlags are taken by kwait apply alone (hidden elsewhere).
func applyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagFieldManager, Value: defaultFieldManager, EnvVars: env(flagFieldManager),
			Usage: "field manager owning the fields applied"},
		&cli.BoolFlag{Name: flagForceConflicts, EnvVars: env(flagForceConflicts),
			Usage: "take over fields another field manager owns instead of failing (exit 1) on the conflict"},
	}
}

// hidden hides every flag of flags.
func hidden(flags []cli.Flag) []cli.Flag {
	for _, f := range flags {
		hide(f)
	}
	return flags
}

// manifestCommands are kwait apply and kwait delete.
func manifestCommands() []*cli.Command {
	shown := join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag()})
	return []*cli.Command{
		{
			Name: spec.Apply, ArgsUsage: "-f SOURCE...",
			Usage: "server-side apply the objects of manifests once their types are served and admission accepts them, " +
				"then wait for them with --for",
			Description: example("kwait apply -f /etc/kwait/manifests --for condition=Ready --timeout 10m") + `
   SOURCE is a file (YAML or JSON, several documents), - for stdin, or a directory: its
   *.yaml, *.yml and *.json files in name order, not recursing, names starting with "." skipped
   (a mounted ConfigMap works). Every object is applied on its own, concurrently: one whose type or
   namespace is not served yet, whose webhook does not answer, or that RBAC forbids, waits and is
   retried; a denial by a webhook or policy, an Invalid object, or a conflict with another field
   manager fails (exit 1). Objects removed from the manifests are not deleted (no pruning).
   RBAC: patch and create on each object by name (create for one that does not exist yet), and list,
   watch by name with --for; discovery needs nothing more, and no CRD is read.`,
			Flags: withRoot(join(shown, []cli.Flag{filenameFlag("manifest to apply: a file, a directory, or - for stdin (repeatable)"), forFlag()},
				failFlags(), applyFlags())),
		},
		{
			Name: spec.Delete, ArgsUsage: "-f SOURCE...",
			Usage: "delete the objects of manifests and wait until they are gone, their finalizers run",
			Description: example("kwait delete -f /etc/kwait/manifests --timeout 5m") + `
   SOURCE as for kwait apply. Every object is deleted (propagation Background) and waited for on its
   own, concurrently; one already gone, or whose type is not served, is done at once. While it waits
   the reason names the finalizers holding it. A denial by a webhook or policy fails (exit 1);
   RBAC Forbidden, 5xx and 429 are retried. RBAC: delete, get, list, watch on each object.`,
			Flags: withRoot(join(shown, []cli.Flag{filenameFlag("manifest whose objects to delete: a file, a directory, or - for stdin (repeatable)")})),
		},
	}
}

// manifestAction runs kwait admission, apply or delete (kindName) on the
// objects of the manifests -f names (for admission, the arguments too).
func manifestAction(c *cli.Context, s Streams, kindName string, in invocation) error {
	o, err := readOptions(c, in)
	if err != nil {
		return err
	}
	files := c.StringSlice(flagFilename)
	switch {
	case kindName == spec.Admission:
		files = append(files, c.Args().Slice()...)
	case c.NArg() > 0:
		return usagef("%s: unexpected argument %q: give manifests with -f FILE, -f DIRECTORY or -f - (stdin)", kindName, c.Args().First())
	}
	if len(files) == 0 {
		return usagef("%s: missing what to wait for: give manifests with -f FILE, -f DIRECTORY or -f - (stdin)", kindName)
	}
	if kindName == spec.Apply {
		if err := o.checkApply(); err != nil {
			return err
		}
	}
	for _, name := range []string{flagFor, flagFailFor, flagFailAfter} {
		if kindName == spec.Delete && in.given[name] {
			return usagef("delete: --%s does not apply: kwait delete waits until each object is gone", name)
		}
	}
	specs := make([]spec.Spec, 0, len(files))
	for _, f := range files {
		sp := spec.Spec{Kind: kindName, Name: f}
		if kindName == spec.Admission {
			if sp, err = spec.ParseKind(kindName, f); err != nil {
				return usageError{err}
			}
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
	return wait(c, s, o, specs, in.termLog)
}

// readApply reads and checks the flags of kwait apply, whatever the
// command (a KWAIT_* variable is checked everywhere).
func (o *options) readApply(c *cli.Context) error {
	o.fieldManager = c.String(flagFieldManager)
	o.forceConflicts = c.Bool(flagForceConflicts)
	switch {
	case o.fieldManager == "":
		return usagef("--field-manager must not be empty")
	case len(o.fieldManager) > maxFieldManager:
		return usagef("--field-manager must be at most %d bytes, got %d", maxFieldManager, len(o.fieldManager))
	}
	for _, r := range o.fieldManager {
		if !unicode.IsPrint(r) {
			return usagef("--field-manager %q: only printable characters", o.fieldManager)
		}
	}
	return nil
}

// checkApply refuses what kwait apply cannot do: the delete and create
// rules (an applied object exists), and --fail-for without a --for rule to
// wait with.
func (o *options) checkApply() error {
	for _, s := range o.rules {
		r, err := readiness.ParseRule(s)
		if err != nil {
			return usageError{err}
		}
		if r.WantsAbsent() || r.String() == "create" {
			return usagef("apply: --for %s does not apply: an applied object exists (use kwait delete to delete objects)", r)
		}
	}
	if len(o.failure.Rules) > 0 && len(o.rules) == 0 {
		return usagef("apply: --fail-for applies while waiting with --for, and none was given")
	}
	return nil
}

// apply builds the target applying one object of a manifest.
func (b *builder) apply(ctx context.Context, k *kube.Client, sp spec.Spec) (target.Target, error) {
	o := kube.ApplyOptions{FieldManager: b.o.fieldManager, Force: b.o.forceConflicts, Failure: b.o.failure}
	for _, s := range b.o.rules {
		r, err := readiness.ParseRule(s)
		if err != nil {
			return nil, usageError{err}
		}
		o.Rules = append(o.Rules, r)
	}
	t, err := k.Apply(ctx, *sp.Object, o)
	if err != nil {
		return nil, usagef("%s/%s: %s", spec.Apply, sp.Object.Name(sp.Object.Object.GetNamespace()), err)
	}
	return t, nil
}

// delete builds the target deleting one object of a manifest.
func (b *builder) delete(ctx context.Context, k *kube.Client, sp spec.Spec) (target.Target, error) {
	t, err := k.Delete(ctx, *sp.Object)
	if err != nil {
		return nil, usagef("%s/%s: %s", spec.Delete, sp.Object.Name(sp.Object.Object.GetNamespace()), err)
	}
	return t, nil
}
