// Package cli is kwait's command line: it turns flags, KWAIT_* environment
// variables and target arguments into validated targets, runs them under
// one deadline, and maps the outcome to an exit code.
package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/spec"
)

// Streams are where kwait writes.
type Streams struct {
	Out io.Writer
	Err io.Writer
	// ErrIsTerminal selects console logs for format "auto".
	ErrIsTerminal bool
}

// Main runs kwait with args (args[0] is the program name) and returns the
// exit code. ctx ends when the process is told to stop; its cause should be
// a *SignalError then.
func Main(ctx context.Context, args []string, s Streams, build Build) int {
	if printVersionFlag(args, s, build) {
		return 0
	}
	given := map[string]bool{}
	app := newApp(s, build, given)
	err := app.RunContext(ctx, reorder(args, app, given))
	if err != nil && !isReported(err) {
		msg := oneLine(err.Error())
		fmt.Fprintf(s.Err, "kwait: %s\n", msg)
		writeTerminationLog(defaultTerminationLog, false, msg)
	}
	return ExitCode(err)
}

// newApp builds the command line. given holds the names of the flags found
// on the command line, filled in by reorder before the app runs.
func newApp(s Streams, build Build, given map[string]bool) *cli.App {
	a := &cli.App{
		Name:      "kwait",
		Usage:     "wait until CRDs, workloads, pods, services, custom resources and network endpoints are ready",
		UsageText: "kwait [flags] TARGET...\n   kwait COMMAND [flags] NAME...",
		Description: "TARGET mixes kinds and namespaces in one call, under one deadline:\n" +
			"  crd/PLURAL.GROUP                          CRD Established, names accepted, served in discovery\n" +
			"  deployment/[NS/]NAME                      also statefulset/, daemonset/, job/, service/\n" +
			"  pods/[NS/]SELECTOR                        every matching pod Ready, at least --min\n" +
			"  TYPE/[NS/]NAME:RULE                       any resource; TYPE is PLURAL[.VERSION][.GROUP]\n" +
			"  tcp://HOST:PORT  http(s)://URL  dns://NAME\n" +
			"Any Kubernetes target may end in :RULE (a --for rule: condition=TYPE[=STATUS],\n" +
			"jsonpath={EXPR}[=VALUE], create or delete) instead of its built-in readiness.\n" +
			"Flags may come before or after targets; every flag is also a KWAIT_* variable\n" +
			"(--log-level is KWAIT_LOG_LEVEL).",
		Version:               build.Version,
		HideVersion:           true,
		Writer:                s.Out,
		ErrWriter:             s.Err,
		Flags:                 rootFlags(),
		Action:                func(c *cli.Context) error { return rootAction(c, s, given) },
		OnUsageError:          onUsageError,
		ExitErrHandler:        func(*cli.Context, error) {}, // Main decides the exit code
		HideHelpCommand:       true,
		CustomAppHelpTemplate: cli.AppHelpTemplate + exitCodesHelp,
		Commands:              append(commands(s), versionCommand(s, build)),
	}
	// Header values and --for rules may hold commas: one flag, one value
	// (and one value per KWAIT_HEADER or KWAIT_FOR variable).
	a.DisableSliceFlagSeparator = true
	return a
}

func rootFlags() []cli.Flag {
	return join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag(), minFlag()}, networkFlags(), httpFlags())
}

// commands are the one-kind forms: kwait KIND NAME...
func commands(s Streams) []*cli.Command {
	kubeNamed := func(kind spec.Kind, aliases []string, usage string) *cli.Command {
		return &cli.Command{
			Name: string(kind), Aliases: aliases, Usage: usage, ArgsUsage: "[NAMESPACE/]NAME...",
			Flags:  join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag()}),
			Action: func(c *cli.Context) error { return kindAction(c, s, kind) },
		}
	}
	network := func(kind spec.Kind, usage, argsUsage string, extra []cli.Flag) *cli.Command {
		return &cli.Command{
			Name: string(kind), Usage: usage, ArgsUsage: argsUsage,
			Flags:  join(commonFlags(), networkFlags(), extra),
			Action: func(c *cli.Context) error { return kindAction(c, s, kind) },
		}
	}
	cmds := []*cli.Command{
		{
			Name: string(spec.CRD), Aliases: []string{"crds"}, ArgsUsage: "PLURAL.GROUP...",
			Usage:  "wait for CRDs to be Established, their names accepted and their resources served",
			Flags:  join(commonFlags(), kubeFlags()),
			Action: func(c *cli.Context) error { return kindAction(c, s, spec.CRD) },
		},
		kubeNamed(spec.Deployment, []string{"deploy", "deployments"}, "wait for Deployments to finish rolling out (as kubectl rollout status)"),
		kubeNamed(spec.StatefulSet, []string{"sts", "statefulsets"}, "wait for StatefulSets to finish rolling out"),
		kubeNamed(spec.DaemonSet, []string{"ds", "daemonsets"}, "wait for DaemonSets to finish rolling out"),
		kubeNamed(spec.Job, []string{"jobs"}, "wait for Jobs to complete; a failed Job fails the wait"),
		kubeNamed(spec.Service, []string{"svc", "services"}, "wait for Services to have a ready endpoint"),
		{
			Name: string(spec.Pods), Aliases: []string{"pod", "po"}, ArgsUsage: " ",
			Usage: "wait for every pod matching -l to be Ready, and at least --min of them",
			Flags: join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag(),
				&cli.StringFlag{Name: flagSelector, Aliases: []string{"l"}, EnvVars: env(flagSelector), Usage: "label selector (required)"},
				minFlag()}),
			Action: func(c *cli.Context) error { return podsAction(c, s) },
		},
		{
			Name: string(spec.Resource), Aliases: []string{"resources"}, ArgsUsage: "TYPE/[NAMESPACE/]NAME...",
			Usage: "wait for any resource to meet every --for rule; TYPE is PLURAL[.VERSION][.GROUP]",
			Flags: join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag(),
				&cli.StringSliceFlag{Name: flagFor, EnvVars: env(flagFor),
					Usage: "condition=TYPE[=STATUS], jsonpath={EXPR}[=VALUE], create or delete (required, repeatable: all must hold)"}}),
			Action: func(c *cli.Context) error { return kindAction(c, s, spec.Resource) },
		},
		network(spec.TCP, "wait for TCP ports to accept connections", "HOST:PORT...", nil),
		network(spec.HTTP, "wait for HTTP endpoints to answer as expected", "URL...", httpFlags()),
		network(spec.DNS, "wait for DNS names to resolve", "NAME...", nil),
	}
	for _, c := range cmds {
		// Without this urfave/cli gives every command a "help" (alias "h")
		// subcommand, so "kwait deployment h" would print help and exit 0
		// instead of waiting for the Deployment named h.
		c.HideHelpCommand = true
		c.OnUsageError = onUsageError
		c.CustomHelpTemplate = cli.CommandHelpTemplate + exitCodesHelp
	}
	return cmds
}

const exitCodesHelp = `
EXIT CODES:
   0    every target is ready
   1    a target failed for good (Job failed, progress deadline exceeded, CRD names rejected) or internal error
   2    bad usage, input or configuration
   124  --timeout reached; the final message names every target not ready and why
   130  interrupted (SIGINT); 143 terminated (SIGTERM)
`

func onUsageError(_ *cli.Context, err error, _ bool) error {
	return usagef("%s", oneLine(err.Error()))
}
