package kube

import (
	"context"
	"fmt"
	"slices"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// resource waits for any object to satisfy --for rules. A built-in type is
// addressed directly; any other type is the custom resource of the CRD
// named PLURAL.GROUP, which is waited for first, so a CR can be named before
// its operator's chart has installed the CRD.
type resource struct {
	c        *Client
	typeName string
	ns       string // as given; empty means the default namespace
	objName  string
	rules    []readiness.Rule

	static    apiType
	hasStatic bool
}

// Resource waits for the object typ/[ns/]name to satisfy every rule. typ is
// PLURAL, PLURAL.GROUP or PLURAL.VERSION.GROUP. The error is for a type that
// can be neither built in nor a custom resource.
func (c *Client) Resource(typ, ns, name string, rules []readiness.Rule) (target.Target, error) {
	static, ok, err := resolveStatic(typ)
	if err != nil {
		return nil, err
	}
	if ok && !static.namespaced && ns != "" {
		return nil, fmt.Errorf("%s is cluster-scoped: name it without a namespace", static.gvr.GroupResource())
	}
	return &resource{c: c, typeName: typ, ns: ns, objName: name, rules: rules, static: static, hasStatic: ok}, nil
}

func (r *resource) Name() string {
	if r.ns == "" && r.hasStatic && !r.static.namespaced {
		return r.typeName + "/" + r.objName
	}
	return r.typeName + "/" + r.c.namespace(r.ns) + "/" + r.objName
}

func (r *resource) Wait(ctx context.Context, report target.Report) error {
	t := r.static
	if !r.hasStatic {
		var absent bool
		var err error
		t, absent, err = r.fromCRD(ctx, report)
		if err != nil || absent {
			return err
		}
	}
	if !t.namespaced && r.ns != "" {
		return target.Failed("%s is cluster-scoped: name it without a namespace", t.gvr.GroupResource()).Err()
	}
	eval := func(objs []*unstructured.Unstructured) target.Status {
		var obj *unstructured.Unstructured
		if len(objs) > 0 {
			obj = objs[0]
		}
		return r.evaluate(obj)
	}
	return until(ctx, r.c.resourceFor(t, r.c.namespace(r.ns)), byName(r.objName), eval, report)
}

// evaluate applies every rule; the first one not satisfied decides.
func (r *resource) evaluate(obj *unstructured.Unstructured) target.Status {
	for _, rule := range r.rules {
		if st := rule.Evaluate(obj); st.Phase != target.PhaseReady {
			if len(r.rules) > 1 {
				st.Reason = rule.String() + ": " + st.Reason
			}
			return st
		}
	}
	return target.Ready()
}

// onlyDelete reports whether the rules ask for nothing but absence, which a
// custom resource whose CRD does not exist already satisfies.
func (r *resource) onlyDelete() bool {
	return !slices.ContainsFunc(r.rules, func(rule readiness.Rule) bool { return !rule.WantsAbsent() })
}

// fromCRD waits for the CRD that defines the type and picks the version:
// the one given, else the served version of highest priority, as discovery
// would prefer it. absent is true when the rules only ask for deletion and
// the CRD does not exist.
func (r *resource) fromCRD(ctx context.Context, report target.Report) (t apiType, absent bool, err error) {
	tn := parseTypeName(r.typeName)
	crdName := tn.crdName()
	def, err := r.c.established(ctx, crdName, "CRD "+crdName+": ", r.onlyDelete(), report)
	if err != nil || def == nil {
		return apiType{}, def == nil, err
	}
	v, err := pickVersion(def, tn.version)
	if err != nil {
		return apiType{}, false, err
	}
	return apiType{
		gvr:        schema.GroupVersionResource{Group: def.Spec.Group, Version: v, Resource: def.Spec.Names.Plural},
		namespaced: def.Spec.Scope == apiextensionsv1.NamespaceScoped,
	}, false, nil
}

func pickVersion(def *apiextensionsv1.CustomResourceDefinition, want string) (string, error) {
	var served []string
	for _, v := range def.Spec.Versions {
		if v.Served {
			served = append(served, v.Name)
		}
	}
	if want != "" {
		if !slices.Contains(served, want) {
			return "", target.Failed("CRD %s does not serve version %s (serves %v)", def.Name, want, served).Err()
		}
		return want, nil
	}
	if len(served) == 0 {
		return "", target.Failed("CRD %s serves no version", def.Name).Err()
	}
	slices.SortFunc(served, func(a, b string) int { return -version.CompareKubeAwareVersionStrings(a, b) })
	return served[0], nil
}
