package cli

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"time"
	"unicode"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap/zapcore"

	"github.com/kwait-dev/kwait/pkg/kube"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// options is every flag and KWAIT_* variable of a run, read and validated
// once, before any target is built and whatever the targets are: a bad
// value is exit 2 even when no target would use it.
type options struct {
	// start is when the run began: --timeout counts from here.
	start time.Time
	// timeout is the run's deadline; zero means none.
	timeout        time.Duration
	statusInterval time.Duration
	logLevel       zapcore.Level
	logFormat      string
	quiet          bool
	// events says whether to record Events on the pod kwait runs in.
	events bool

	kubeconfig, context, namespace string
	selector                       string
	min                            int
	// rules are the --for rules, parsed once, for Kubernetes targets
	// without their own; ruleText is how they were written, which names
	// the targets that take them.
	rules    []readiness.Rule
	ruleText []string
	// failure holds the --fail-for rules of every Kubernetes target.
	failure kube.Failure

	// network is what every network target is built with: the polling
	// flags, the request flags of http targets (without URL), how every
	// TLS target (https, rediss://, postgres with an sslmode...) verifies
	// servers and presents itself, and the password environment variables
	// that are set (network.PasswordEnvs), for URLs without a password.
	network network.Options

	// fieldManager and forceConflicts say how kwait apply applies.
	fieldManager   string
	forceConflicts bool

	// command replaces kwait once every target is ready; nil for none.
	command *command
}

// Lower bounds that keep a typo from flooding the log or spinning a core.
const (
	minStatusInterval = time.Second
	minPollInterval   = 10 * time.Millisecond
)

// readOptions reads and checks the flags and variables of the command that
// runs. Every waiting command defines every flag of the root command (those
// that do not apply hidden), and -l only where a selector is taken; a flag
// a command does not define keeps its zero value.
func readOptions(c *cli.Context, in invocation) (options, error) {
	o := options{
		start:          time.Now(),
		timeout:        duration(c, flagTimeout),
		statusInterval: duration(c, flagStatusInterval),
		logFormat:      c.String(flagLogFormat),
		quiet:          c.Bool(flagQuiet),
		events:         c.Bool(flagEvents),
		kubeconfig:     c.String(flagKubeconfig),
		context:        c.String(flagContext),
		namespace:      c.String(flagNamespace),
		min:            c.Int(flagMin),
		ruleText:       c.StringSlice(flagFor),
		network: network.Options{Poll: network.Poll{AttemptTimeout: duration(c, flagAttemptTimeout),
			MaxInterval: duration(c, flagMaxInterval), Gone: c.Bool(flagGone)}},
	}
	if o.timeout < 0 {
		return o, usagef("--timeout must be 0 (no deadline) or positive, got %s", o.timeout)
	}
	if o.statusInterval < 0 || o.statusInterval > 0 && o.statusInterval < minStatusInterval {
		return o, usagef("--status-interval must be 0 (off) or at least %s, got %s", minStatusInterval, o.statusInterval)
	}
	level := c.String(flagLogLevel)
	switch level {
	case "debug", "info", "warn", "error":
		o.logLevel, _ = zapcore.ParseLevel(level)
	default:
		return o, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	switch o.logFormat {
	case formatJSON, formatConsole, formatPlain, formatAuto:
	default:
		return o, usagef("--log-format %q: want json, console, plain or auto", o.logFormat)
	}
	if err := o.readKube(c); err != nil {
		return o, err
	}
	if err := o.readNetwork(c); err != nil {
		return o, err
	}
	if err := o.readApply(c); err != nil {
		return o, err
	}
	cmd, err := readCommand(in.command)
	if err != nil {
		return o, err
	}
	o.command = cmd
	return o, nil
}

func (o *options) readKube(c *cli.Context) error {
	if o.kubeconfig != "" {
		if err := regularFile(o.kubeconfig); err != nil {
			return usagef("--kubeconfig: %s", err)
		}
	}
	if o.namespace != "" {
		if err := spec.ValidateNamespace(o.namespace); err != nil {
			return usagef("--namespace: %s", err)
		}
	}
	if c.IsSet(flagMin) && o.min < 1 {
		return usagef("--min must be at least 1, got %d", o.min)
	}
	if o.min < 1 {
		o.min = 1
	}
	if s := c.String(flagSelector); s != "" || c.IsSet(flagSelector) {
		sel, err := spec.ParseSelector(s)
		if err != nil {
			return usagef("--selector: %s", err)
		}
		o.selector = sel
	}
	for _, text := range o.ruleText {
		r, err := readiness.ParseRule(text)
		if err != nil {
			return usageError{err}
		}
		o.rules = append(o.rules, r)
	}
	for _, s := range c.StringSlice(flagFailFor) {
		r, err := readiness.ParseFailRule(s)
		if err != nil {
			return usageError{err}
		}
		o.failure.Rules = append(o.failure.Rules, r)
	}
	o.failure.After = duration(c, flagFailAfter)
	switch {
	case o.failure.After < 0:
		return usagef("--fail-after must not be negative, got %s", o.failure.After)
	case c.IsSet(flagFailAfter) && len(o.failure.Rules) == 0:
		return usagef("--fail-after applies to --fail-for rules, and none was given")
	}
	return nil
}

func (o *options) readNetwork(c *cli.Context) error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{flagAttemptTimeout, o.network.Poll.AttemptTimeout}, {flagMaxInterval, o.network.Poll.MaxInterval}} {
		if c.IsSet(f.name) && f.d <= 0 {
			return usagef("--%s must be positive, got %s", f.name, f.d)
		}
		if c.IsSet(f.name) && f.d < minPollInterval {
			return usagef("--%s must be at least %s, got %s", f.name, minPollInterval, f.d)
		}
	}
	o.network.Passwords = network.Passwords{}
	for _, name := range network.PasswordEnvs() {
		if v, ok := os.LookupEnv(name); ok && v != "" {
			o.network.Passwords[name] = v
		}
	}
	if err := o.readTLS(c); err != nil {
		return err
	}
	h := network.HTTPOptions{
		Method:       c.String(flagMethod),
		BodyContains: c.String(flagBodyContains),
		BodyRegexp:   c.String(flagBodyRegex),
		TLS:          o.network.TLS,
		Headers:      http.Header{},
	}
	if s := c.String(flagStatus); s != "" {
		set, err := network.ParseStatuses(s)
		if err != nil {
			return usagef("--status: %s", err)
		}
		h.Statuses = set
	}
	for _, v := range c.StringSlice(flagHeader) {
		name, value, err := network.ParseHeader(v)
		if err != nil {
			return usagef("--header: %s", err)
		}
		h.Headers.Add(name, value)
	}
	if h.BodyRegexp != "" {
		if _, err := regexp.Compile(h.BodyRegexp); err != nil {
			return usagef("--body-regex: invalid body regexp: %s", err)
		}
	}
	// The remaining checks (method, TLS settings) are the ones every http
	// target makes; make them once here for a placeholder URL.
	if _, err := network.NewHTTP(withURL(h, "http://127.0.0.1/"), o.network.Poll); err != nil {
		return usageError{err}
	}
	o.network.HTTP = h
	return nil
}

// readCommand checks the command after "--": it must name a program that
// exists and may be executed, found in PATH as execvp would.
func readCommand(argv []string) (*command, error) {
	if argv == nil {
		return nil, nil
	}
	if len(argv) == 0 || argv[0] == "" {
		return nil, usagef("\"--\" must be followed by a command to run once every target is ready")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, usagef("command after \"--\": %s", target.Line(err.Error()))
	}
	return &command{path: path, argv: argv}, nil
}

// maxFieldManager is the apiserver's limit on a field manager's length.
const maxFieldManager = 128

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

// readTLS reads the TLS flags and loads what they name once, so that a
// missing file or a key that does not match its certificate is exit 2
// before any target runs. Errors name files, never what they hold.
func (o *options) readTLS(c *cli.Context) error {
	o.network.TLS = network.TLSOptions{
		CAFile:     c.String(flagCAFile),
		CertFile:   c.String(flagCertFile),
		KeyFile:    c.String(flagKeyFile),
		ServerName: c.String(flagServerName),
		Insecure:   c.Bool(flagInsecure),
	}
	for _, f := range []struct{ flag, path string }{
		{flagCAFile, o.network.TLS.CAFile}, {flagCertFile, o.network.TLS.CertFile}, {flagKeyFile, o.network.TLS.KeyFile},
	} {
		if f.path == "" {
			continue
		}
		if err := regularFile(f.path); err != nil {
			return usagef("--%s: %s", f.flag, err)
		}
	}
	switch {
	case o.network.TLS.CertFile != "" && o.network.TLS.KeyFile == "":
		return usagef("--cert-file needs --key-file, the certificate's private key")
	case o.network.TLS.KeyFile != "" && o.network.TLS.CertFile == "":
		return usagef("--key-file needs --cert-file, the key's certificate")
	case o.network.TLS.Insecure && o.network.TLS.CAFile != "":
		return usagef("--insecure and --ca-file exclude each other")
	case c.IsSet(flagServerName) && network.CheckServerName(o.network.TLS.ServerName) != nil:
		return usagef("--server-name %q: %s", o.network.TLS.ServerName, network.CheckServerName(o.network.TLS.ServerName))
	}
	if _, err := o.network.TLS.Config(""); err != nil {
		return usagef("%s", err)
	}
	return nil
}

func withURL(h network.HTTPOptions, url string) network.HTTPOptions {
	h.URL = url
	return h
}

// regularFile accepts only a regular file: a FIFO or a device given where a
// file is read would block or never end.
func regularFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s", target.Line(err.Error()))
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	return nil
}
