package kube

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// apiType is a resource kwait can address without asking discovery.
type apiType struct {
	gvr        schema.GroupVersionResource
	namespaced bool
}

func builtin(group, version, resource string, namespaced bool) apiType {
	return apiType{gvr: schema.GroupVersionResource{Group: group, Version: version, Resource: resource}, namespaced: namespaced}
}

// The types the wait kinds use.
var (
	crdType           = builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions", false)
	deploymentType    = builtin("apps", "v1", "deployments", true)
	statefulSetType   = builtin("apps", "v1", "statefulsets", true)
	daemonSetType     = builtin("apps", "v1", "daemonsets", true)
	jobType           = builtin("batch", "v1", "jobs", true)
	podType           = builtin("", "v1", "pods", true)
	endpointSliceType = builtin("discovery.k8s.io", "v1", "endpointslices", true)
)

// builtins are the built-in types a resource target may name, by plural and
// group. Anything else is looked up as a CustomResourceDefinition named
// PLURAL.GROUP, so neither needs a discovery round trip.
var builtins = []apiType{
	crdType, deploymentType, statefulSetType, daemonSetType, jobType, podType, endpointSliceType,
	builtin("", "v1", "services", true),
	builtin("", "v1", "configmaps", true),
	builtin("", "v1", "secrets", true),
	builtin("", "v1", "serviceaccounts", true),
	builtin("", "v1", "persistentvolumeclaims", true),
	builtin("", "v1", "endpoints", true),
	builtin("", "v1", "replicationcontrollers", true),
	builtin("", "v1", "namespaces", false),
	builtin("", "v1", "nodes", false),
	builtin("", "v1", "persistentvolumes", false),
	builtin("apps", "v1", "replicasets", true),
	builtin("batch", "v1", "cronjobs", true),
	builtin("networking.k8s.io", "v1", "ingresses", true),
	builtin("networking.k8s.io", "v1", "ingressclasses", false),
	builtin("policy", "v1", "poddisruptionbudgets", true),
	builtin("autoscaling", "v2", "horizontalpodautoscalers", true),
	builtin("coordination.k8s.io", "v1", "leases", true),
	builtin("rbac.authorization.k8s.io", "v1", "roles", true),
	builtin("rbac.authorization.k8s.io", "v1", "rolebindings", true),
	builtin("rbac.authorization.k8s.io", "v1", "clusterroles", false),
	builtin("rbac.authorization.k8s.io", "v1", "clusterrolebindings", false),
	builtin("storage.k8s.io", "v1", "storageclasses", false),
	builtin("scheduling.k8s.io", "v1", "priorityclasses", false),
	builtin("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", false),
	builtin("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", false),
	builtin("apiregistration.k8s.io", "v1", "apiservices", false),
}

// typeName is a parsed resource type: PLURAL, PLURAL.GROUP or
// PLURAL.VERSION.GROUP.
type typeName struct {
	plural, version, group string
}

var versionPattern = regexp.MustCompile(`^v[0-9]+((alpha|beta)[0-9]+)?$`)

func parseTypeName(s string) typeName {
	plural, rest, _ := strings.Cut(s, ".")
	t := typeName{plural: plural, group: rest}
	if v, group, ok := strings.Cut(rest, "."); ok && versionPattern.MatchString(v) {
		t.version, t.group = v, group
	} else if versionPattern.MatchString(rest) {
		t.version, t.group = rest, ""
	}
	return t
}

// crdName is the name of the CustomResourceDefinition that would define t.
func (t typeName) crdName() string { return t.plural + "." + t.group }

// lookupBuiltin finds t among the built-in types, accepting the singular
// form ("deployment.apps") as kubectl does.
func lookupBuiltin(t typeName) (apiType, bool) {
	for _, b := range builtins {
		if b.gvr.Group != t.group || (t.version != "" && t.version != b.gvr.Version) {
			continue
		}
		if t.plural == b.gvr.Resource || t.plural+"s" == b.gvr.Resource || t.plural+"es" == b.gvr.Resource ||
			strings.TrimSuffix(b.gvr.Resource, "ies")+"y" == t.plural {
			return b, true
		}
	}
	return apiType{}, false
}

// resolveStatic resolves a type without the API when it can: a built-in
// type, or nothing and whether a CRD could define it.
func resolveStatic(s string) (apiType, bool, error) {
	t := parseTypeName(s)
	if b, ok := lookupBuiltin(t); ok {
		return b, true, nil
	}
	if t.group == "" || !strings.Contains(t.group, ".") {
		return apiType{}, false, fmt.Errorf("unknown resource type %q: not a built-in type, and custom resources are named PLURAL.GROUP", s)
	}
	return apiType{}, false, nil
}
