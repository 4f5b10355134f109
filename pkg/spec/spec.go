// Package spec parses the targets a user names on the command line into
// typed, validated descriptions. It knows the grammar and nothing about how
// to wait; package cli turns specs into targets.
//
// Grammar of one target in the mixed form (the root command):
//
//	KIND/[NS/]NAME                   a kind with a rule of its own (package kind):
//	                                 crd/, deployment/, statefulset/, daemonset/, job/,
//	                                 service/, or any spelling of their types
//	                                 (deploy/, Deployment/, deployments.apps/)
//	pods/[NS/]SELECTOR               pods matching a label selector
//	TYPE/[NS/]NAME[:RULE]            any resource, TYPE in kubectl's grammar
//	                                 (package apitype); judged by RULE or --for
//	tcp://HOST:PORT                  a TCP port accepting connections
//	http://URL, https://URL          an HTTP endpoint answering as expected
//	dns://NAME                       a DNS name that resolves
//	admission:FILE                   the objects of a manifest (FILE, "-" for standard
//	                                 input, or one object inline as JSON: admission:{...}),
//	                                 each admitted by a server-side dry-run create
//	postgres://, postgresql://,      a database or queue server that accepts
//	mysql://, mariadb://, redis://,  connections, judged by its protocol:
//	rediss://, amqp://, amqps://,    [USER[:PASSWORD]@]HOST[:PORT][/PATH][?QUERY]
//	memcached://, mongodb://,        (package network)
//	kafka://, grpc://, grpcs://
//
// Any target may end in "#timeout=DURATION", its own deadline inside the
// run's: when it passes first, the run ends with that target timed out.
//
// Every Kubernetes form may end in ":RULE" (a kubectl-style --for rule such
// as condition=Ready) to replace its kind's rule; a pods target with a rule
// names one pod instead of a selector.
package spec

import (
	"fmt"
	"strings"
	"time"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/network"
)

// The target kinds outside package kind's table.
const (
	Resource = "resource"
	TCP      = "tcp"
	HTTP     = "http"
	DNS      = "dns"
	Postgres = "postgres"
	MySQL    = "mysql"
	Redis    = "redis"
	AMQP     = "amqp"
	// Memcached, MongoDB, Kafka and GRPC are network protocols too.
	Memcached = "memcached"
	MongoDB   = "mongodb"
	Kafka     = "kafka"
	GRPC      = "grpc"
	// Admission is a server-side dry-run create of the objects of a
	// manifest, ready once the apiserver admits them.
	Admission = "admission"
	// Apply is a server-side apply of the objects of manifests, and
	// Delete their deletion until they are gone (kwait apply, kwait
	// delete; not in the mixed form).
	Apply  = "apply"
	Delete = "delete"
	// Objects are the objects of manifests the mixed form's -f names,
	// each waited for as a resource by its type and name (kubectl wait
	// -f); read, they become Resource specs.
	Objects = "objects"
)

// Servers are the kinds of database and queue targets, whose Name is a
// URL (package network's protocols).
var Servers = []string{Postgres, MySQL, Redis, AMQP, Memcached, MongoDB, Kafka, GRPC}

// Spec is one parsed target.
type Spec struct {
	// Kind is the name of a kind of package kind, or Resource, TCP, HTTP,
	// DNS or one of Servers.
	Kind string
	// Type is the resource type of a Resource target.
	Type apitype.Name
	// Namespace is the namespace given with the target; empty means the
	// one of --namespace or the default (and none for cluster-scoped types).
	Namespace string
	// Name is the object name for Kubernetes targets, HOST:PORT for tcp,
	// the URL for http and Servers, the host name for dns, and for
	// admission, apply and delete the manifest: a file, a directory, "-"
	// for standard input, or an object inline.
	Name string
	// Selector is the label selector of a pods target without a rule.
	Selector string
	// For holds --for rules replacing the kind's own readiness rule.
	For []string
	// Timeout is the target's own deadline ("#timeout=30s"), inside the
	// run's; zero means none.
	Timeout time.Duration
	// Object is the one object of an admission, apply or delete target,
	// once its manifest is read (a manifest of several objects gives a
	// spec each).
	Object *manifest.Object
}

// Kube reports whether the spec names something in the Kubernetes API.
func (s Spec) Kube() bool {
	switch s.Kind {
	case TCP, HTTP, DNS, Postgres, MySQL, Redis, AMQP, Memcached, MongoDB, Kafka, GRPC:
		return false
	}
	return true
}

// String renders the spec in the mixed form, the way messages name it,
// without any password it holds.
func (s Spec) String() string {
	if s.Timeout > 0 {
		return s.named() + deadlineKey + s.Timeout.String()
	}
	return s.named()
}

func (s Spec) named() string {
	var b strings.Builder
	switch s.Kind {
	case TCP, DNS:
		return network.Redact(s.Kind + "://" + s.Name)
	case HTTP, Postgres, MySQL, Redis, AMQP, Memcached, MongoDB, Kafka, GRPC:
		return network.Redact(s.Name)
	case Admission:
		return admissionPrefix + s.Name
	case Apply, Delete:
		return s.Kind + " -f " + s.Name
	case Objects:
		return "-f " + s.Name
	case Resource:
		b.WriteString(s.Type.String())
	default:
		b.WriteString(s.Kind)
	}
	b.WriteByte('/')
	if s.Namespace != "" {
		b.WriteString(s.Namespace)
		b.WriteByte('/')
	}
	if s.Selector != "" {
		b.WriteString(s.Selector)
	} else {
		b.WriteString(s.Name)
	}
	if len(s.For) > 0 {
		b.WriteByte(':')
		b.WriteString(strings.Join(s.For, ","))
	}
	return b.String()
}

// Error is a malformed target; its message names the argument.
type Error struct {
	Arg    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("invalid target %q: %s", e.Arg, e.Reason) }

// maxEcho bounds how much of an argument an error repeats.
const maxEcho = 256

func errorf(arg, format string, args ...any) error {
	shown := network.Redact(arg)
	if len(shown) > maxEcho {
		shown = strings.ToValidUTF8(shown[:maxEcho], "") + "..."
	}
	return &Error{Arg: shown, Reason: fmt.Sprintf(format, args...)}
}

// WithRules returns the spec judged by rules instead of its kind's own rule.
// A rule judges one object by name, so a pods target's selector must be a
// pod's name ("pod/web-0" with --for condition=Ready, as kubectl reads it).
func (s Spec) WithRules(rules []string) (Spec, error) {
	if s.Selector != "" {
		if err := validateName(s.Selector); err != nil {
			return s, errorf(s.String(), "a rule judges one pod by name, and %s", err)
		}
		s.Name, s.Selector = s.Selector, ""
	}
	s.For = rules
	return s, nil
}
