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

// Streams are where kwait reads and writes, and how it becomes another
// program.
type Streams struct {
	// In is standard input, read by an admission target whose manifest
	// is "-"; nil reads nothing.
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// ErrIsTerminal selects console logs for format "auto".
	ErrIsTerminal bool
	// Exec replaces the process with a program (syscall.Exec), for the
	// command after "--"; nil refuses to run one.
	Exec func(path string, argv, env []string) error
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
	in := invocation{given: scan.given, termLog: terminationLogOf(scan), command: scan.command}
	app.Action = func(c *cli.Context) error { return rootAction(c, s, in) }
	for _, cmd := range app.Commands {
		if k, ok := kind.Lookup(cmd.Name); ok && cmd.Name == k.Name {
			cmd.Action = func(c *cli.Context) error { return kindAction(c, s, k.Name, in) }
		}
	}
	for _, name := range append([]string{spec.Resource, spec.TCP, spec.HTTP, spec.DNS}, spec.Servers...) {
		cmd := app.Command(name)
		cmd.Action = func(c *cli.Context) error { return kindAction(c, s, name, in) }
	}
	for _, name := range []string{spec.Admission, spec.Apply, spec.Delete} {
		app.Command(name).Action = func(c *cli.Context) error { return manifestAction(c, s, name, in) }
	}
	err := app.RunContext(ctx, scan.args)
	if err != nil && !isReported(err) {
		msg := clipWords(oneLine(err.Error()))
		fmt.Fprintf(s.Err, "kwait: %s\n", msg)
		_ = in.termLog.write(msg) // bad input already has its one line on stderr
	}
	return ExitCode(err)
}

// newApp builds the command line without its actions.
func newApp(s Streams, build Build) *cli.App {
	a := &cli.App{
		Name:      "kwait",
		Usage:     "wait until CRDs, workloads, pods, services, custom resources and network endpoints are ready",
		UsageText: "kwait [flags] TARGET... [-- PROGRAM [ARG...]]\n   kwait -f FILE|DIR|- [--for RULE] [TARGET...]\n   kwait COMMAND [flags] NAME... [-- PROGRAM [ARG...]]\n   kwait help [COMMAND]",
		Description: "TARGET mixes kinds and namespaces in one call, under one deadline:\n" +
			kindLines() +
			"  TYPE/[NS/]NAME:RULE                       any resource, TYPE as kubectl takes it: Kind, plural,\n" +
			"                                            singular or short name, optionally .VERSION and .GROUP\n" +
			"                                            (NetworkPolicy, netpol, flowschemas.flowcontrol.apiserver.k8s.io)\n" +
			"  tcp://HOST:PORT  http(s)://URL  dns://NAME\n" +
			"  postgres://[USER@]HOST[:PORT][/DB][?sslmode=MODE]  mysql://HOST[:PORT]  redis[s]://[:PASSWORD@]HOST[:PORT]\n" +
			"  amqp[s]://HOST[:PORT]  memcached://HOST[:PORT]  mongodb://HOST[:PORT][?readPreference=MODE&tls=true]\n" +
			"  kafka://HOST[:PORT]  grpc[s]://HOST:PORT[/SERVICE]\n" +
			"                                            a database or queue that accepts clients, by its protocol\n" +
			"  admission:FILE                            a server-side dry-run create of each object of FILE\n" +
			"                                            (- for stdin, or one object inline: admission:{\"apiVersion\":...})\n" +
			"                                            is admitted: its type served, its webhooks answering and allowing it\n" +
			"Any Kubernetes target but admission may end in :RULE (a --for rule: ready, condition=TYPE[=STATUS],\n" +
			"jsonpath={EXPR}[=VALUE], create or delete) instead of its built-in readiness;\n" +
			"--for gives the rule of every Kubernetes target without one. ready is the kind's own\n" +
			"rule; on any other built-in type its row of kwait's table (README: ready on each\n" +
			"built-in type; a PVC Bound, a ReplicaSet available, Events refused with exit 2); on a\n" +
			"custom resource kstatus's Current (Ready, Reconciling, Stalled, observedGeneration),\n" +
			"waiting for a status where its CRD has a status subresource.\n" +
			"-f FILE makes every object of the manifest a target, TYPE/[NS/]NAME with the --for\n" +
			"rules, else ready (kubectl wait -f); - reads stdin, a directory its *.yaml, *.yml, *.json.\n" +
			"--fail-for RULE fails every Kubernetes target whose object meets RULE\n" +
			"(kwait deployment/web --fail-for condition=ReplicaFailure).\n" +
			"Any target may end in #timeout=DURATION, its own deadline inside --timeout's\n" +
			"(tcp://db:5432#timeout=30s); when it passes the run ends, exit 124.\n" +
			"Every DURATION, and every duration flag, may be a bare number of seconds (--timeout 90).\n" +
			"After \"--\", PROGRAM replaces kwait (same PID) once every target is ready;\n" +
			"it never runs after a timeout or a failure.\n" +
			"Flags may come before or after targets; every flag is also a KWAIT_* variable\n" +
			"(--log-level is KWAIT_LOG_LEVEL).\n" +
			"Examples:\n" +
			"  kwait crd/tenants.minio.min.io deployment/cnpg-system/cnpg-controller-manager tcp://postgres:5432\n" +
			"  kwait validatingwebhookconfiguration/cert-manager-webhook apiservice/v1beta1.metrics.k8s.io\n" +
			"  kwait admission:issuer-probe.yaml --timeout 2m",
		Version:               build.Version,
		HideVersion:           true,
		Writer:                s.Out,
		ErrWriter:             s.Err,
		Flags:                 rootFlags(),
		OnUsageError:          onUsageError,
		ExitErrHandler:        func(*cli.Context, error) {}, // Main decides the exit code
		HideHelpCommand:       true,
		CustomAppHelpTemplate: cli.AppHelpTemplate + exitCodesHelp,
		Commands:              append(commands(), versionCommand(s, build), completionCmd(s)),
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

// example is a command's description: one example command line.
func example(line string) string { return "Example: " + line }

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
	return join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag(), minFlag(), forFlag(), objectsFlag()}, failFlags(), networkFlags(), httpFlags(),
		tlsFlags(), hidden(applyFlags()))
}

// commands are the one-kind forms, kwait KIND NAME..., their actions set by
// Main. Every waiting command takes every flag of the root command, so that
// every KWAIT_* variable is read and checked whatever the command; those
// that do not apply to the command are hidden from its help and refused on
// its command line.
func commands() []*cli.Command {
	var cmds []*cli.Command
	for _, k := range kind.All() {
		shown := join(commonFlags(), kubeFlags(), []cli.Flag{forFlag(), namespaceFlag()}, failFlags())
		if k.Select == kind.BySelector {
			shown = append(shown, selectorFlag(), minFlag())
		}
		flags := withRoot(shown)
		cmds = append(cmds, &cli.Command{Name: k.Name, Aliases: k.Aliases(), ArgsUsage: k.Args, Usage: k.Usage,
			Description: example(k.Example), Flags: flags})
	}
	network := func(name, usage, argsUsage, ex string, shown []cli.Flag) *cli.Command {
		return &cli.Command{Name: name, Usage: usage, ArgsUsage: argsUsage, Description: example(ex),
			Flags: withRoot(join(commonFlags(), networkFlags(), shown))}
	}
	cmds = append(cmds,
		&cli.Command{
			Name: spec.Resource, Aliases: []string{"resources"}, ArgsUsage: "TYPE/[NAMESPACE/]NAME...",
			Usage:       "wait for any resource to meet every --for rule; TYPE as kubectl takes it (Kind, plural, singular, short name[.VERSION][.GROUP])",
			Description: example("kwait resource knativeservings.operator.knative.dev/knative-serving -n knative-serving --for condition=Ready"),
			Flags:       withRoot(join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag(), forFlag()}, failFlags())),
		},
		network(spec.TCP, "wait for TCP ports to accept connections", "HOST:PORT...", "kwait tcp postgres:5432", nil),
		network(spec.HTTP, "wait for HTTP endpoints to answer as expected", "URL...", "kwait http http://mlflow:5000/health --status 200", join(httpFlags(), tlsFlags())),
		network(spec.DNS, "wait for DNS names to resolve", "NAME...", "kwait dns minio.minio.svc.cluster.local", nil),
		&cli.Command{
			Name: spec.Admission, ArgsUsage: "-f FILE...",
			Usage: "wait until the apiserver admits a server-side dry-run create of every object in the manifests " +
				"(YAML or JSON, - for stdin): type served, webhooks answering and allowing it; a denial or Invalid fails the wait",
			Description: example("kwait admission -f issuer-probe.yaml -n cert-manager") +
				"\n   Nothing is created. RBAC: create on each object's resource; a denial fails at once (exit 1).",
			Flags: withRoot(join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag(),
				filenameFlag("manifest whose objects to dry-run create: a file, a directory, or - for stdin (repeatable; also as arguments)")})),
		},
		network(spec.Postgres, "wait for PostgreSQL servers to accept connections, as pg_isready says (no password needed; TLS with ?sslmode=)",
			"[postgres://][USER@]HOST[:PORT][/DB][?sslmode=MODE]...", "kwait postgres 'postgres://db.data.svc?sslmode=verify-full' --ca-file /tls/ca.crt", tlsFlags()),
		network(spec.MySQL, "wait for MySQL or MariaDB servers to greet clients with a handshake", "[mysql://]HOST[:PORT]...", "kwait mysql mariadb:3306", nil),
		network(spec.Redis, "wait for Redis servers to answer PING (AUTH first with a password: the URL's, else $REDISCLI_AUTH's; rediss:// for TLS)", "[redis[s]://][[USER]:PASSWORD@]HOST[:PORT]...", "kwait redis redis-master:6379", tlsFlags()),
		network(spec.AMQP, "wait for AMQP 0-9-1 brokers (RabbitMQ) to start connections (amqps:// for TLS)", "[amqp[s]://]HOST[:PORT]...", "kwait amqp rabbitmq:5672", tlsFlags()),
		network(spec.Memcached, "wait for memcached servers to answer version", "[memcached://]HOST[:PORT]...", "kwait memcached memcached:11211", nil),
		network(spec.MongoDB, "wait for MongoDB servers to say hello as a writable primary (or as ?readPreference= asks; ?tls=true for TLS)",
			"[mongodb://]HOST[:PORT][/DB][?readPreference=MODE&replicaSet=NAME&tls=true]...", "kwait mongodb 'mongodb://mongo-0.mongo:27017/?replicaSet=rs0'", tlsFlags()),
		network(spec.Kafka, "wait for Kafka brokers to answer ApiVersions and list at least one broker in their metadata", "[kafka://]HOST[:PORT]...", "kwait kafka kafka-0.kafka:9092", nil),
		network(spec.GRPC, "wait for gRPC servers' health service to say SERVING (grpc.health.v1; grpcs:// for TLS)", "[grpc[s]://]HOST:PORT[/SERVICE]...", "kwait grpc api:50051/my.package.Service", tlsFlags()),
	)
	cmds = append(cmds, manifestCommands()...)
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
   1    a target failed for good (Job failed, progress deadline exceeded, CRD names rejected, Stalled=True,
        a --fail-for rule holds, an admission webhook denied the object or it is Invalid,
        kwait apply conflicts with another field manager, a Redis password refused, a gRPC server
        without the health service) or internal error
   2    bad usage, input or configuration (also: the kubeconfig's CA does not verify the apiserver, or
        the apiserver still rejects the credentials 3s after the first 401)
   124  --timeout or a target's own #timeout reached; the final message names every target not ready and why
   126  every target was ready but the PROGRAM after "--" could not be started
   130  interrupted (SIGINT); 143 terminated (SIGTERM)
`

func onUsageError(c *cli.Context, err error, _ bool) error {
	msg := oneLine(err.Error())
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return unknownFlag(c, name)
	}
	return usagef("%s", msg)
}
