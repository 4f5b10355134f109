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
//	SCHEME://...                     a network target of package network's table
//	                                 (network.Kinds): tcp://HOST:PORT, http(s)://URL,
//	                                 dns://NAME, and database and queue servers
//	                                 judged by their protocol (postgres://HOST, ...)
//	admission:FILE                   the objects of a manifest (FILE, "-" for standard
//	                                 input, or one object inline as JSON: admission:{...}),
//	                                 each admitted by a server-side dry-run create
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
	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// The target kinds outside the tables of packages kind and network.
const (
	Resource = "resource"
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

// Family is the table a target's kind is a row of.
type Family int

const (
	// Unknown is a kind of no family: a programming error.
	Unknown Family = iota
	// Kube is a kind of package kind's table, or Resource: one object,
	// or the objects a selector picks, judged by a rule.
	Kube
	// Network is a kind of package network's table (network.Kinds).
	Network
	// Manifest is a verb on the objects of manifests: Admission, Apply,
	// Delete, or Objects (the mixed form's -f).
	Manifest
)

// Spec is one parsed target.
type Spec struct {
	// Kind is the name of a kind of package kind or of package network,
	// or Resource, or a manifest verb (see Family).
	Kind string
	// Type is the resource type of a Resource target.
	Type apitype.Name
	// Namespace is the namespace given with the target; empty means the
	// one of --namespace or the default (and none for cluster-scoped types).
	Namespace string
	// Name is the object name for Kubernetes targets, HOST:PORT for tcp,
	// what a network kind's Parse returns (HOST:PORT for tcp, the URL
	// for http and the servers, the host name for dns), and for
	// admission, apply and delete the manifest: a file, a directory, "-"
	// for standard input, or an object inline.
	Name string
	// Selector is the label selector of a pods target without a rule.
	Selector string
	// For holds the --for rules replacing the kind's own readiness rule,
	// as written: the target's name shows them.
	For []string
	// Rules are For, parsed once (WithRules, ParseRules): what the target
	// is judged by.
	Rules []readiness.Rule
	// Timeout is the target's own deadline ("#timeout=30s"), inside the
	// run's; zero means none.
	Timeout time.Duration
	// Object is the one object of an admission, apply or delete target,
	// once its manifest is read (a manifest of several objects gives a
	// spec each).
	Object *manifest.Object
}

// Family is the table the spec's kind is a row of.
func (s Spec) Family() Family {
	switch s.Kind {
	case Resource:
		return Kube
	case Admission, Apply, Delete, Objects:
		return Manifest
	}
	if _, ok := network.KindOf(s.Kind); ok {
		return Network
	}
	if k, ok := kind.Lookup(s.Kind); ok && k.Name == s.Kind {
		return Kube
	}
	return Unknown
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
	if k, ok := network.KindOf(s.Kind); ok {
		if k.URL {
			return network.Redact(s.Name)
		}
		return network.Redact(s.Kind + "://" + s.Name)
	}
	switch s.Kind {
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
		shown = target.Cut(shown, maxEcho) + "..."
	}
	return &Error{Arg: shown, Reason: fmt.Sprintf(format, args...)}
}

// WithRules returns the spec judged by rules, written as text, instead of
// its kind's own rule. A rule judges one object by name, so a pods target's
// selector must be a pod's name ("pod/web-0" with --for condition=Ready, as
// kubectl reads it).
func (s Spec) WithRules(text []string, rules []readiness.Rule) (Spec, error) {
	if s.Selector != "" {
		if err := validateName(s.Selector); err != nil {
			return s, errorf(s.String(), "a rule judges one pod by name, and %s", err)
		}
		s.Name, s.Selector = s.Selector, ""
	}
	s.For, s.Rules = text, rules
	return s, nil
}

// ParseRules parses the rules the target was given after ":" (For), once,
// into Rules. The error is readiness.ParseRule's.
func (s Spec) ParseRules() (Spec, error) {
	if len(s.Rules) == len(s.For) {
		return s, nil
	}
	s.Rules = make([]readiness.Rule, 0, len(s.For))
	for _, text := range s.For {
		r, err := readiness.ParseRule(text)
		if err != nil {
			return s, err
		}
		s.Rules = append(s.Rules, r)
	}
	return s, nil
}
