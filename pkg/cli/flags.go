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

func filenameFlag(usage string) cli.Flag {
	return &cli.StringSliceFlag{Name: flagFilename, Aliases: []string{"f"}, EnvVars: env(flagFilename),
		Usage: usage}
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

func join(groups ...[]cli.Flag) []cli.Flag {
	var out []cli.Flag
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}
