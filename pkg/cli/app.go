// Package cli is kwait's command line: it turns flags, KWAIT_* environment
// variables and target arguments into one validated options value and
// targets, runs them under one deadline, and maps the outcome to an exit
// code. It is one pipeline, a stage to a file, in this order:
//
//	args.go       the command line read before urfave/cli reads it
//	flags.go      the flags, and the groups that say which targets use them
//	options.go    flags and KWAIT_* variables into one validated options value
//	specs.go      arguments into checked specs
//	manifests.go  the manifests the specs name, read into one spec per object
//	build.go      specs into targets
//	wait.go       the targets run under one deadline; the final report
//	exit.go       the error into an exit code
//
// families.go is the table of every family's members (kinds, resource,
// network kinds, manifest verbs), from which commands.go builds one command
// each with its action (actions.go: every action is the same pipeline).
package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/target"
)

// Main runs kwait with args (args[0] is the program name) and returns the
// exit code. ctx ends when the process is told to stop; its cause should be
// a *SignalError then.
func Main(ctx context.Context, args []string, s Streams, build Build) int {
	if printVersionFlag(args, s, build) {
		return 0
	}
	// The actions read the invocation, which reorder reads off the
	// command line with the app's own flag definitions.
	in := &invocation{}
	app := newApp(s, build, in)
	scan := reorder(args, app)
	*in = invocation{given: scan.given, termLog: terminationLogOf(scan), command: scan.command}
	err := app.RunContext(ctx, scan.args)
	if err != nil && !isReported(err) {
		msg := clipWords(target.Line(err.Error()))
		fmt.Fprintf(s.Err, "kwait: %s\n", msg)
		_ = in.termLog.write(msg) // bad input already has its one line on stderr
	}
	return ExitCode(err)
}

// newApp builds the command line: the root command (the mixed form) and a
// command for each family member, each with its action.
func newApp(s Streams, build Build, in *invocation) *cli.App {
	a := &cli.App{
		Name:      "kwait",
		Usage:     "wait until CRDs, workloads, pods, services, custom resources and network endpoints are ready",
		UsageText: "kwait [flags] TARGET... [-- PROGRAM [ARG...]]\n   kwait -f FILE|DIR|- [--for RULE] [TARGET...]\n   kwait COMMAND [flags] NAME... [-- PROGRAM [ARG...]]\n   kwait help [COMMAND]",
		Description: "TARGET mixes kinds and namespaces in one call, under one deadline:\n" +
			kindLines() +
			"  TYPE/[NS/]NAME:RULE                       any resource, TYPE as kubectl takes it: Kind, plural,\n" +
			"                                            singular or short name, optionally .VERSION and .GROUP\n" +
			"                                            (NetworkPolicy, netpol, flowschemas.flowcontrol.apiserver.k8s.io)\n" +
			networkLines() +
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
		Action:                rootAction(s, in),
		OnUsageError:          onUsageError,
		ExitErrHandler:        func(*cli.Context, error) {}, // Main decides the exit code
		HideHelpCommand:       true,
		CustomAppHelpTemplate: cli.AppHelpTemplate + exitCodesHelp,
		Commands:              append(commands(s, in), versionCommand(s, build), completionCmd(s)),
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

// networkLines are the help lines of the mixed form for package network's
// kinds: their forms, a few to a line.
func networkLines() string {
	var b strings.Builder
	line := ""
	for _, k := range network.Kinds() {
		if line != "" && len(line)+2+len(k.Form) > 104 {
			b.WriteString(line + "\n")
			line = ""
		}
		line += "  " + k.Form
	}
	b.WriteString(line + "\n")
	fmt.Fprintf(&b, "  %-40s  %s\n", "", "a port, URL or name that answers; a database or queue that accepts clients")
	return b.String()
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
	msg := target.Line(err.Error())
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return unknownFlag(c, name)
	}
	return usagef("%s", msg)
}
