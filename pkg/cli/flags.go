package cli

import (
	"time"

	"github.com/urfave/cli/v2"
)

// Flag names, shared by the commands that take them.
const (
	flagTimeout        = "timeout"
	flagLogLevel       = "log-level"
	flagLogFormat      = "log-format"
	flagQuiet          = "quiet"
	flagTerminationLog = "termination-log"
	flagStatusInterval = "status-interval"
	flagEvents         = "events"
	flagKubeconfig     = "kubeconfig"
	flagContext        = "context"
	flagNamespace      = "namespace"
	flagSelector       = "selector"
	flagMin            = "min"
	flagFor            = "for"
	flagFailFor        = "fail-for"
	flagFailAfter      = "fail-after"
	flagAttemptTimeout = "attempt-timeout"
	flagMaxInterval    = "max-interval"
	flagGone           = "gone"
	flagStatus         = "status"
	flagHeader         = "header"
	flagMethod         = "method"
	flagBodyContains   = "body-contains"
	flagBodyRegex      = "body-regex"
	flagCAFile         = "ca-file"
	flagInsecure       = "insecure"
	flagCertFile       = "cert-file"
	flagKeyFile        = "key-file"
	flagServerName     = "server-name"
	flagFilename       = "filename"
	flagFieldManager   = "field-manager"
	flagForceConflicts = "force-conflicts"
)

// defaultTerminationLog is where Kubernetes reads a container's
// termination message from.
const defaultTerminationLog = "/dev/termination-log"

func env(name string) []string { return []string{"KWAIT_" + envName(name)} }

func envName(flag string) string {
	b := []byte(flag)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = '_'
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// commonFlags are taken by every waiting command.
func commonFlags() []cli.Flag {
	return []cli.Flag{
		durationFlag(flagTimeout, 5*time.Minute,
			"give up after this long, for all targets together (exit 124); 0 waits without a deadline; a bare number is seconds (90)"),
		&cli.StringFlag{Name: flagLogLevel, Value: "info", EnvVars: env(flagLogLevel),
			Usage: "debug, info, warn or error"},
		&cli.StringFlag{Name: flagLogFormat, Value: "auto", EnvVars: env(flagLogFormat),
			Usage: "json; console (reads like kubectl: crd/NAME: not found); plain (one line of text per entry, for logs printed inside other logs); auto: console on a terminal, JSON otherwise"},
		&cli.BoolFlag{Name: flagQuiet, Aliases: []string{"q"}, EnvVars: env(flagQuiet),
			Usage: "log only the final error"},
		&cli.StringFlag{Name: flagTerminationLog, Value: defaultTerminationLog, EnvVars: env(flagTerminationLog),
			Usage: "write the final error here, shown by kubectl describe pod; the default is used only if it exists, empty disables"},
		durationFlag(flagStatusInterval, 15*time.Second,
			"log a summary of what is still pending this often, at least 1s (0 disables)"),
		&cli.BoolFlag{Name: flagEvents, Value: true, EnvVars: env(flagEvents),
			Usage: "in a pod, record Events on it (kubectl describe pod): the start, reason changes, each target ready, a Warning on timeout or failure (--events=false disables)"},
	}
}

// kubeFlags are taken by commands that talk to the Kubernetes API.
func kubeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagKubeconfig, EnvVars: env(flagKubeconfig),
			Usage: "kubeconfig file (default: in-cluster service account, else $KUBECONFIG or ~/.kube/config)"},
		&cli.StringFlag{Name: flagContext, EnvVars: env(flagContext),
			Usage: "kubeconfig context to use"},
	}
}

func namespaceFlag() cli.Flag {
	return &cli.StringFlag{Name: flagNamespace, Aliases: []string{"n"}, EnvVars: env(flagNamespace),
		Usage: "namespace of targets given without one (default: the pod's or the kubeconfig context's)"}
}

func minFlag() cli.Flag {
	return &cli.IntFlag{Name: flagMin, Value: 1, EnvVars: env(flagMin),
		Usage: "wait for at least this many matching pods"}
}

func forFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: flagFor, EnvVars: env(flagFor),
		Usage: "ready, condition=TYPE[=STATUS], jsonpath={EXPR}[=VALUE], create or delete: replaces the readiness rule of " +
			"Kubernetes targets without a :RULE of their own (repeatable: all must hold)"}
}

// failFlags are the failure rules of Kubernetes targets.
func failFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: flagFailFor, EnvVars: env(flagFailFor),
			Usage: "condition=TYPE[=STATUS], jsonpath={EXPR}[=VALUE], create or delete: when it holds for a Kubernetes " +
				"target's object, the target failed for good (exit 1) (repeatable: any one fails)"},
		durationFlag(flagFailAfter, 0,
			"a --fail-for rule fails a target only once it has held this long without a break (0: at once)"),
	}
}

func selectorFlag() cli.Flag {
	return &cli.StringFlag{Name: flagSelector, Aliases: []string{"l"}, EnvVars: env(flagSelector),
		Usage: "label selector (required unless --for names pods by name)"}
}

// networkFlags are taken by the network commands (tcp, http, dns and the
// database and queue ones).
func networkFlags() []cli.Flag {
	return []cli.Flag{
		durationFlag(flagAttemptTimeout, 5*time.Second,
			"give up on one connection attempt or request after this long (at least 10ms)"),
		durationFlag(flagMaxInterval, 250*time.Millisecond,
			"longest pause between attempts (they start at 50ms and double; at least 10ms)"),
		&cli.BoolFlag{Name: flagGone, EnvVars: env(flagGone),
			Usage: "wait for network targets to stop answering instead: a port that refuses, a URL without the expected answer, a name that does not resolve"},
	}
}

// httpFlags are taken by the http command and the root command.
func httpFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagStatus, EnvVars: env(flagStatus),
			Usage: "expected status codes: 200, 200-299, 2xx, or a comma-separated list (default 200-399)"},
		&cli.StringSliceFlag{Name: flagHeader, Aliases: []string{"H"}, EnvVars: env(flagHeader),
			Usage: "request header 'Name: value' (repeatable; values are never logged)"},
		&cli.StringFlag{Name: flagMethod, Value: "GET", EnvVars: env(flagMethod),
			Usage: "request method"},
		&cli.StringFlag{Name: flagBodyContains, EnvVars: env(flagBodyContains),
			Usage: "the response body must contain this text"},
		&cli.StringFlag{Name: flagBodyRegex, EnvVars: env(flagBodyRegex),
			Usage: "the response body must match this regular expression (RE2)"},
	}
}

// tlsFlags are taken by the commands of targets that may speak TLS (http,
// the database and queue ones) and the root command: one setting for every
// TLS target of the run.
func tlsFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagCAFile, EnvVars: env(flagCAFile),
			Usage: "PEM file of CA certificates to trust, added to the system's, for every TLS target"},
		&cli.BoolFlag{Name: flagInsecure, EnvVars: env(flagInsecure),
			Usage: "do not verify TLS certificates (verified by default)"},
		&cli.StringFlag{Name: flagCertFile, EnvVars: env(flagCertFile),
			Usage: "PEM client certificate sent to TLS servers that ask for one (needs --key-file)"},
		&cli.StringFlag{Name: flagKeyFile, EnvVars: env(flagKeyFile),
			Usage: "PEM private key of --cert-file (never logged)"},
		&cli.StringFlag{Name: flagServerName, EnvVars: env(flagServerName),
			Usage: "name TLS servers' certificates must hold, also sent as SNI (default: each target's host)"},
	}
}

// filenameFlag is -f, with the usage of the command that takes it.
func filenameFlag(usage string) cli.Flag {
	return &cli.StringSliceFlag{Name: flagFilename, Aliases: []string{"f"}, EnvVars: env(flagFilename),
		Usage: usage}
}

// objectsFlag is the mixed form's -f, kubectl wait's: every object of the
// manifests is a target, waited for by its type and name with the --for
// rules. The manifests are read as kwait apply reads them (readManifests).
func objectsFlag() cli.Flag {
	return filenameFlag("wait for every object of a manifest (kubectl wait -f): a file, a directory, or - for stdin (repeatable); " +
		"each by its type and name with the --for rules, else ready")
}

// defaultFieldManager owns the fields kwait apply sets.
const defaultFieldManager = "kwait"

// applyFlags are taken by kwait apply alone (hidden elsewhere).
func applyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagFieldManager, Value: defaultFieldManager, EnvVars: env(flagFieldManager),
			Usage: "field manager owning the fields applied"},
		&cli.BoolFlag{Name: flagForceConflicts, EnvVars: env(flagForceConflicts),
			Usage: "take over fields another field manager owns instead of failing (exit 1) on the conflict"},
	}
}

// groups is a set of flag groups: the flags that apply to the targets of
// a family member (member.applies). A command shows in its help the common
// flags and its member's groups; a flag of a group no target uses is
// refused on the command line (checkApplies).
type groups uint

const (
	groupKube      groups = 1 << iota // --kubeconfig, --context
	groupNamespace                    // -n
	groupRules                        // --for
	groupFailure                      // --fail-for, --fail-after
	groupSelector                     // -l, --min: pods picked by a label selector
	groupNetwork                      // --attempt-timeout, --max-interval, --gone
	groupHTTP                         // the request flags of http targets
	groupTLS                          // --ca-file, --cert-file, ...: targets that speak TLS
	groupApply                        // --field-manager, --force-conflicts
)

// flagGroup is one group's flags, and the targets it applies to, as the
// refusal names them.
type flagGroup struct {
	group groups
	flags func() []cli.Flag
	what  string
}

// flagGroups are the groups in the order help shows them, and in which
// checkApplies names the first flag refused. -f is not among them: each
// command that takes it says what it reads (member.files), and shows it
// after -n.
func flagGroups() []flagGroup {
	return []flagGroup{
		{groupKube, kubeFlags, "Kubernetes targets"},
		{groupNamespace, func() []cli.Flag { return []cli.Flag{namespaceFlag()} }, "Kubernetes targets"},
		{groupRules, func() []cli.Flag { return []cli.Flag{forFlag()} }, "Kubernetes targets other than admission and delete"},
		{groupFailure, failFlags, "Kubernetes targets other than admission and delete"},
		{groupSelector, func() []cli.Flag { return []cli.Flag{selectorFlag(), minFlag()} }, "pods targets picked by a label selector"},
		{groupNetwork, networkFlags, "network targets (tcp, http, dns, databases and queues)"},
		{groupHTTP, httpFlags, "http targets"},
		{groupTLS, tlsFlags, "TLS targets (http, rediss://, amqps://, grpcs://, postgres://...?sslmode=, mongodb://...?tls=true)"},
		{groupApply, applyFlags, "kwait apply"},
	}
}

// hide keeps f out of a command's help.
func hide(f cli.Flag) cli.Flag {
	switch f := f.(type) {
	case *cli.StringFlag:
		f.Hidden = true
	case *cli.StringSliceFlag:
		f.Hidden = true
	case *cli.GenericFlag:
		f.Hidden = true
	case *cli.BoolFlag:
		f.Hidden = true
	case *cli.IntFlag:
		f.Hidden = true
	}
	return f
}

// hidden hides every flag of flags.
func hidden(flags []cli.Flag) []cli.Flag {
	for _, f := range flags {
		hide(f)
	}
	return flags
}

func join(lists ...[]cli.Flag) []cli.Flag {
	var out []cli.Flag
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// rootFlags are the mixed form's: every flag (those of kwait apply hidden).
func rootFlags() []cli.Flag {
	return join(commonFlags(), kubeFlags(), []cli.Flag{namespaceFlag(), minFlag(), forFlag(), objectsFlag()}, failFlags(), networkFlags(), httpFlags(),
		tlsFlags(), hidden(applyFlags()))
}

// withRoot adds to a command's flags, hidden, the root command's flags it
// lacks: every waiting command defines every flag, so that every KWAIT_*
// variable is read and checked whatever the command.
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
