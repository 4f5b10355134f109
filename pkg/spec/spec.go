// Package spec parses the targets a user names on the command line into
// typed, validated descriptions. It knows the grammar and nothing about how
// to wait; package cli turns specs into targets.
//
// Grammar of one target in the mixed form (the root command):
//
//	crd/NAME                              a CustomResourceDefinition
//	deployment/[NS/]NAME                  also statefulset, daemonset, job, service
//	pods/[NS/]SELECTOR                    pods matching a label selector
//	TYPE/[NS/]NAME:FOR                    any resource; TYPE is PLURAL[.VERSION][.GROUP]
//	tcp://HOST:PORT                       a TCP port accepting connections
//	http://URL, https://URL               an HTTP endpoint answering as expected
//	dns://NAME                            a DNS name that resolves
//
// Every Kubernetes form may end in ":FOR" (a kubectl-style --for rule such as
// condition=Ready) to replace its built-in readiness rule.
package spec

import (
	"fmt"
	"strings"
)

// Kind is the family of a target.
type Kind string

// The kinds of target kwait knows.
const (
	CRD         Kind = "crd"
	Deployment  Kind = "deployment"
	StatefulSet Kind = "statefulset"
	DaemonSet   Kind = "daemonset"
	Job         Kind = "job"
	Service     Kind = "service"
	Pods        Kind = "pods"
	Resource    Kind = "resource"
	TCP         Kind = "tcp"
	HTTP        Kind = "http"
	DNS         Kind = "dns"
)

// aliases maps every accepted spelling of a built-in kind to the kind.
var aliases = map[string]Kind{
	"crd": CRD, "crds": CRD, "customresourcedefinition": CRD, "customresourcedefinitions": CRD,
	"deployment": Deployment, "deployments": Deployment, "deploy": Deployment,
	"statefulset": StatefulSet, "statefulsets": StatefulSet, "sts": StatefulSet,
	"daemonset": DaemonSet, "daemonsets": DaemonSet, "ds": DaemonSet,
	"job": Job, "jobs": Job,
	"service": Service, "services": Service, "svc": Service,
	"pods": Pods, "pod": Pods, "po": Pods,
}

// Spec is one parsed target.
type Spec struct {
	Kind Kind
	// Namespace is the namespace given with the target; empty means the
	// default namespace (cluster-scoped kinds never have one).
	Namespace string
	// Name is the object name for Kubernetes kinds, HOST:PORT for tcp,
	// the URL for http and the host name for dns.
	Name string
	// Type is the resource type as given, for Resource: PLURAL[.VERSION][.GROUP].
	Type string
	// Selector is the label selector for Pods.
	Selector string
	// For holds --for rules replacing the kind's built-in readiness rule.
	For []string
}

// Kube reports whether the spec names something in the Kubernetes API.
func (s Spec) Kube() bool {
	switch s.Kind {
	case TCP, HTTP, DNS:
		return false
	}
	return true
}

// String renders the spec in the mixed form, the way messages name it.
func (s Spec) String() string {
	var b strings.Builder
	switch s.Kind {
	case TCP, DNS:
		return string(s.Kind) + "://" + s.Name
	case HTTP:
		return s.Name
	case Resource:
		b.WriteString(s.Type)
	default:
		b.WriteString(string(s.Kind))
	}
	b.WriteByte('/')
	if s.Namespace != "" {
		b.WriteString(s.Namespace)
		b.WriteByte('/')
	}
	if s.Kind == Pods {
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

func errorf(arg, format string, args ...any) error {
	return &Error{Arg: arg, Reason: fmt.Sprintf(format, args...)}
}
