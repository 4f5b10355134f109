// Package apitype knows Kubernetes resource types: the built-in types kwait
// addresses without asking the apiserver, kubectl's grammar for naming a
// type (kind, singular, plural, short name, each optionally with a version
// and group), and how a name resolves against the types a cluster serves.
// It does no I/O; package kube fetches discovery documents and hands their
// types in.
package apitype

import (
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Type is one resource type as discovery describes it.
type Type struct {
	Group    string
	Version  string
	Resource string // plural, lower case: "deployments"
	Singular string // "deployment"
	Kind     string // "Deployment"
	// ShortNames are kubectl's abbreviations ("deploy").
	ShortNames []string
	Namespaced bool
	// Verbs the apiserver allows on the type; empty when not known (the
	// built-in table leaves it empty: every type in it can be listed and
	// watched).
	Verbs []string
}

// GVR is the group, version and resource clients address.
func (t Type) GVR() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: t.Group, Version: t.Version, Resource: t.Resource}
}

// String names the type as PLURAL.GROUP (PLURAL for the core group), the
// way kubectl and RBAC spell it.
func (t Type) String() string {
	if t.Group == "" {
		return t.Resource
	}
	return t.Resource + "." + t.Group
}

// Watchable reports whether the type can be listed and watched, which
// every kwait wait needs. A type whose verbs are not known is assumed to be.
func (t Type) Watchable() bool {
	if len(t.Verbs) == 0 {
		return true
	}
	var list, watch bool
	for _, v := range t.Verbs {
		list = list || v == "list"
		watch = watch || v == "watch"
	}
	return list && watch
}

// answersTo reports whether token names t: its plural, singular, a short
// name, or its kind in any case.
func (t Type) answersTo(token string) bool {
	token = strings.ToLower(token)
	if token == t.Resource || token == t.singular() || strings.EqualFold(token, t.Kind) {
		return true
	}
	for _, s := range t.ShortNames {
		if token == s {
			return true
		}
	}
	return false
}

// singular falls back to the lower-case kind, as kubectl does for
// discovery documents that leave the singular name out.
func (t Type) singular() string {
	if t.Singular != "" {
		return t.Singular
	}
	return strings.ToLower(t.Kind)
}
