// Package cli is kwait's command line: it turns flags, KWAIT_* environment
// variables and target arguments into one validated options value and
// targets, runs them under one deadline, and maps the outcome to an exit
// code.
package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/kind"
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
	app := newApp(s, build)
	scan := reorder(args, app)
	termLog := terminationLogOf(scan)
	app.Action = func(c *cli.Context) error { return rootAction(c, s, scan.given, termLog) }
	for _, cmd := range app.Commands {
		if k, ok := kind.Lookup(cmd.Name); ok && cmd.Name == k.Name {
			cmd.Action = func(c *cli.Context) error { return kindAction(c, s, k.Name, scan.given, termLog) }
		}
	}
	for _, name := range append([]string{spec.Resource, spec.TCP, spec.HTTP, spec.DNS}, spec.Servers...) {
		cmd := app.Command(name)
		cmd.Action = func(c *cli.Context) error { return kindAction(c, s, name, scan.given, termLog) }
	}
	err := app.RunContext(ctx, scan.args)
	if err != nil && !isReported(err) {
		msg := oneLine(err.Error())
		fmt.Fprintf(s.Err, "kwait: %s\n", msg)
		_ = termLog.write(msg) // bad input already has its one line on stderr
	}
	return ExitCode(err)
}

// newApp builds the command line without its actions.
func newApp(s Streams, build Build) *cli.App {
	a := &cli.App{
		Name:      "kwait",
		Usage:     "wait until CRDs, workloads, pods, services, custom resources and network endpoints are ready",
		UsageText: "kwait [flags] TARGET...\n   kwait COMMAND [flags] NAME...\n   kwait help [COMMAND]",
		Description: "TARGET mixes kinds and namespaces in one call, under one deadline:\n" +
			kindLines() +
			"  TYPE/[NS/]NAME:RULE                       any resource, TYPE as kubectl takes it: Kind, plural,\n" +
			"                                            singular or short name, optionally .VERSION and .GROUP\n" +
			"                                            (NetworkPolicy, netpol, flowschemas.flowcontrol.apiserver.k8s.io)\n" +
			"  tcp://HOST:PORT  http(s)://URL  dns://NAME\n" +
			"  postgres://[USER@]HOST[:PORT][/DB]  mysql://HOST[:PORT]  redis://[:PASSWORD@]HOST[:PORT]  amqp://HOST[:PORT]\n" +
			"                                            a database or queue that accepts clients, by its protocol\n" +
			"Any Kubernetes target may end in :RULE (a --for rule: condition=TYPE[=STATUS],\n" +
			"jsonpath={EXPR}[=VALUE], create or delete) instead of its built-in readiness;\n" +
			"--for gives the rule of every Kubernetes target without one.\n" +
			"Flags may come before or after targets; every flag is also a KWAIT_* variable\n" +
			"(--log-level is KWAIT_LOG_LEVEL).",
		Version:               build.Version,
		HideVersion:           true,
		Writer:                s.Out,
		ErrWriter:             s.Err,
		Flags:                 rootFlags(),
		OnUsageError:          onUsageError,
		ExitErrHandler:        func(*cli.Context, error) {}, // Main decides the exit code
		HideHelpCommand:       true,
		CustomAppHelpTemplate: cli.AppHelpTemplate + exitCodesHelp,
		Commands:              append(commands(), versionCommand(s, build)),
	}
	// Header values and --for rules may hold commas: one flag, one value
	// (and one value per KWAIT_HEADER or KWAIT_FOR variable).
	a.DisableSliceFlagSeparator = true
	return a
}

// kindLines are the help lines of the mixed form for package kind's kinds.
func kindLines() string {
	var b strings.Builder
	for _, k := range kind.All() {
		form := k.Name + "/[NS/]NAME"
		switch {
		case k.Select == kind.BySelector:
			form = k.Name + "/[NS/]SELECTOR"
		case !k.Type.Namespaced:
			form = k.Name + "/NAME"
		}
		fmt.Fprintf(&b, "  %-40s  %s\n", form, strings.TrimPrefix(k.Usage, "wait for "))
	}
	return b.String()
}

// withRoot adds to a command's flags, hidden, the root command's flags it
// lacks.
func withRoot(shown []cli.Flag) []cli.Flag {
	has := map[string]bool{}
	for _, f := range shown {
		has[f.Names()[0]] = true
	}
	out := shown
	for _, f := range rootFlags() {
		if !has[f.Names()[0]] {
			out = append(out, hide(f))
		}
	}
	return out
}

func rootFlags() []cli.Flag {
	return join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag(), minFlag(), forFlag()}, networkFlags(), httpFlags())
}

// commands are the one-kind forms, kwait KIND NAME..., their actions set by
// Main. Every waiting command takes every flag of the root command, so that
// every KWAIT_* variable is read and checked whatever the command; those
// that do not apply to the command are hidden from its help and refused on
// its command line.
func commands() []*cli.Command {
	var cmds []*cli.Command
	for _, k := range kind.All() {
		shown := join(commonFlags(), kubeFlags(), []cli.Flag{forFlag(), namespaceFlag()})
		if k.Select == kind.BySelector {
			shown = append(shown, selectorFlag(), minFlag())
		}
		flags := withRoot(shown)
		cmds = append(cmds, &cli.Command{Name: k.Name, Aliases: k.Aliases(), ArgsUsage: k.Args, Usage: k.Usage, Flags: flags})
	}
	network := func(name, usage, argsUsage string, shown []cli.Flag) *cli.Command {
		return &cli.Command{Name: name, Usage: usage, ArgsUsage: argsUsage, Flags: withRoot(join(commonFlags(), networkFlags(), shown))}
	}
	cmds = append(cmds,
		&cli.Command{
			Name: spec.Resource, Aliases: []string{"resources"}, ArgsUsage: "TYPE/[NAMESPACE/]NAME...",
			Usage: "wait for any resource to meet every --for rule; TYPE as kubectl takes it (Kind, plural, singular, short name[.VERSION][.GROUP])",
			Flags: withRoot(join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag(), forFlag()})),
		},
		network(spec.TCP, "wait for TCP ports to accept connections", "HOST:PORT...", nil),
		network(spec.HTTP, "wait for HTTP endpoints to answer as expected", "URL...", httpFlags()),
		network(spec.DNS, "wait for DNS names to resolve", "NAME...", nil),
		network(spec.Postgres, "wait for PostgreSQL servers to accept connections, as pg_isready says (no password needed)",
			"[postgres://][USER@]HOST[:PORT][/DB]...", nil),
		network(spec.MySQL, "wait for MySQL or MariaDB servers to greet clients with a handshake", "[mysql://]HOST[:PORT]...", nil),
		network(spec.Redis, "wait for Redis servers to answer PING (AUTH first with a password)", "[redis://][[USER]:PASSWORD@]HOST[:PORT]...", nil),
		network(spec.AMQP, "wait for AMQP 0-9-1 brokers (RabbitMQ) to start connections", "[amqp://]HOST[:PORT]...", nil),
	)
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
   1    a target failed for good (Job failed, progress deadline exceeded, CRD names rejected, Redis password refused) or internal error
   2    bad usage, input or configuration
   124  --timeout reached; the final message names every target not ready and why
   130  interrupted (SIGINT); 143 terminated (SIGTERM)
`

func onUsageError(_ *cli.Context, err error, _ bool) error {
	return usagef("%s", oneLine(err.Error()))
}
