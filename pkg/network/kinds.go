package network

import (
	"errors"
	"slices"
	"strings"

	"github.com/kwait-dev/kwait/pkg/target"
)

// Kind is one kind of network target as the command line sees it: a
// read-only row of the table Kinds returns. kwait's subcommands, the target
// grammar, which flags apply, the target builder, completion and the
// library chart's list of schemes all read these rows, so a new database
// or queue protocol is its own file here plus its row in protocols.
type Kind struct {
	// Name is the subcommand and the kind of the targets.
	Name string
	// Schemes start the kind's targets in the mixed form (SCHEME://...);
	// the first is Name.
	Schemes []string
	// Port is the default port; empty when the address must name one.
	Port string
	// Form is how the mixed form writes a target ("tcp://HOST:PORT").
	Form string
	// Args, Usage and Example are the subcommand's help; Example is one
	// command line.
	Args, Usage, Example string
	// PasswordEnv is the environment variable a password comes from when
	// the URL holds none; empty for kinds that never send one.
	PasswordEnv string
	// URL says a target is named by its whole URL (http, the database and
	// queue servers); otherwise by what follows "SCHEME://" (tcp's
	// HOST:PORT, dns's NAME).
	URL bool
	// HTTP says the kind sends HTTP requests, so the request flags
	// (--status, --header, --method, ...) apply to it.
	HTTP bool
	// TLS says some targets of the kind speak TLS, so the TLS flags
	// (--ca-file, --cert-file, ...) may apply to them: UsesTLS says which.
	TLS bool

	parse func(arg string) (string, error)
	// usesTLS says whether the target of a name Parse returned speaks
	// TLS; nil for every target of a TLS kind.
	usesTLS func(name string) bool
	build   func(name string, o Options) (target.Target, error)
}

// Options are the settings a network target is built with, from the flags.
type Options struct {
	Poll Poll
	// HTTP are the request settings of http targets, without URL.
	HTTP HTTPOptions
	// Passwords are the password variables that are set (PasswordEnvs).
	Passwords Passwords
	// TLS is how every TLS target verifies servers and presents itself
	// (HTTP.TLS holds the same for http targets).
	TLS TLSOptions
}

// Kinds returns the table of network target kinds, in the order --help
// shows them: tcp, http, dns, then the protocols of protocols. It is built
// on each call, so no caller can change another's copy.
func Kinds() []Kind {
	out := []Kind{{
		Name: "tcp", Schemes: []string{"tcp"}, Form: "tcp://HOST:PORT",
		Args: "HOST:PORT...", Usage: "wait for TCP ports to accept connections", Example: "kwait tcp postgres:5432",
		parse: address(checkHostPort),
		build: func(name string, o Options) (target.Target, error) { return NewTCP(name, o.Poll) },
	}, {
		Name: "http", Schemes: []string{"http", "https"}, Form: "http(s)://URL", URL: true, HTTP: true,
		// Every http target may speak TLS: http:// may redirect to https://.
		TLS:  true,
		Args: "URL...", Usage: "wait for HTTP endpoints to answer as expected",
		Example: "kwait http http://mlflow:5000/health --status 200",
		parse: func(arg string) (string, error) {
			_, err := parseURL(arg)
			return arg, err
		},
		build: func(name string, o Options) (target.Target, error) {
			h := o.HTTP
			h.URL = name
			return NewHTTP(h, o.Poll)
		},
	}, {
		Name: "dns", Schemes: []string{"dns"}, Form: "dns://NAME",
		Args: "NAME...", Usage: "wait for DNS names to resolve", Example: "kwait dns minio.minio.svc.cluster.local",
		parse: address(checkHost),
		build: func(name string, o Options) (target.Target, error) { return NewDNS(name, o.Poll, nil) },
	}}
	for _, p := range protocols {
		out = append(out, p.kind())
	}
	return out
}

// KindOf returns the row of the kind named name.
func KindOf(name string) (Kind, bool) {
	for _, k := range Kinds() {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// KindOfScheme returns the row of the kind a scheme (in any case) starts.
func KindOfScheme(scheme string) (Kind, bool) {
	scheme = strings.ToLower(scheme)
	for _, k := range Kinds() {
		for _, s := range k.Schemes {
			if s == scheme {
				return k, true
			}
		}
	}
	return Kind{}, false
}

// Parse checks what a target of the kind names, a subcommand's argument or
// (for a URL kind) the mixed form's whole URL, and returns the target's
// name as New takes it. Its error never shows a password.
func (k Kind) Parse(arg string) (string, error) {
	if k.parse == nil {
		return "", errors.New("kind " + k.Name + " has no grammar")
	}
	return k.parse(arg)
}

// New returns the target of a name Parse returned.
func (k Kind) New(name string, o Options) (target.Target, error) {
	if k.build == nil {
		return nil, errors.New("kind " + k.Name + " has no target")
	}
	return k.build(name, o)
}

// UsesTLS reports whether the target of a name Parse returned speaks TLS,
// so that the TLS flags apply to it.
func (k Kind) UsesTLS(name string) bool {
	if k.usesTLS == nil {
		return k.TLS
	}
	return k.TLS && k.usesTLS(name)
}

// Complete reports whether the row has every piece the command line needs.
func (k Kind) Complete() bool {
	return k.Name != "" && len(k.Schemes) > 0 && k.Schemes[0] == k.Name && k.Form != "" && k.Args != "" &&
		k.Usage != "" && k.Example != "" && k.parse != nil && k.build != nil
}

// address checks the address of a tcp or dns target.
func address(check func(string) error) func(string) (string, error) {
	return func(addr string) (string, error) {
		if err := check(addr); err != nil {
			if strings.Contains(addr, "@") {
				// The checks quote the part they refuse, which may hold a
				// password ("user:secret@db").
				return "", errors.New("an address takes no USER:PASSWORD@")
			}
			return "", err
		}
		return addr, nil
	}
}

// kind is the row of a database or queue protocol.
func (p protocol) kind() Kind {
	name := p.schemes[0]
	scheme, rest, _ := strings.Cut(p.form, "://")
	return Kind{
		Name: name, Schemes: slices.Concat(p.schemes, p.tlsSchemes), Port: p.port, Form: p.form, URL: true,
		PasswordEnv: p.passwordEnv, TLS: p.speaksTLS(),
		Args: "[" + scheme + "://]" + rest + "...", Usage: p.usage, Example: p.example,
		parse:   func(arg string) (string, error) { return serverURL(name, arg) },
		usesTLS: ServerTLS,
		build: func(raw string, o Options) (target.Target, error) {
			return NewServer(raw, o.Poll, o.Passwords, o.TLS)
		},
	}
}

// serverURL reads the URL of a database or queue target; a subcommand's
// argument may leave out the scheme ("kwait postgres db:5432"). The scheme
// is kept in lower case.
func serverURL(name, arg string) (string, error) {
	scheme, rest, ok := strings.Cut(arg, "://")
	if !ok || strings.Contains(scheme, "/") || strings.Contains(scheme, "@") {
		scheme, rest = name, arg
	}
	scheme = strings.ToLower(scheme)
	raw := scheme + "://" + rest
	if k, ok := KindOfScheme(scheme); !ok || k.Name != name {
		return "", errors.New("not a " + name + " URL")
	}
	if _, _, err := parseServer(raw, nil, false); err != nil {
		return "", err
	}
	return raw, nil
}
