package kube

import (
	"context"
	"errors"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// resource waits for any object to satisfy --for rules. Its type is
// resolved as typeRef says: for a type not served yet that is written
// PLURAL[.VERSION].GROUP, through the CustomResourceDefinition
// PLURAL.GROUP, waited for by a watch, and discovery asked again now and
// then in case the type comes from an aggregated API instead; for any
// other form, discovery asked again with a backoff.
//
// A type that is not served is never taken for an absent object: --for
// delete holds only when the apiserver lists no such object, or when the
// CRD that would define the type does not exist.
type resource struct {
	c *Client
	typeRef
	ns    string // as given with the target; empty means the default
	name  string
	rules []readiness.Rule
	// meaning is what ready means for the resolved type (the zero Meaning
	// outside the built-in table), set when the wait starts.
	meaning readiness.Meaning
	failure Failure
}

// ResourceOptions name the object a resource target waits for.
type ResourceOptions struct {
	Type apitype.Name
	// Namespace is the one given with the target, empty for the default.
	Namespace string
	Name      string
	Rules     []readiness.Rule
	// Failure makes the target fail for good.
	Failure Failure
}

// Resource waits for an object to satisfy every rule. A type known without
// the API, or found in discovery now, is checked against the namespace at
// once: the error says that a cluster-scoped type was given a namespace, or
// that the type name is ambiguous. Any other type is resolved while waiting.
func (c *Client) Resource(ctx context.Context, o ResourceOptions) (target.Target, error) {
	r := &resource{c: c, ns: o.Namespace, name: o.Name, rules: o.Rules, failure: o.Failure}
	ref, err := c.refer(ctx, o.Type, func(t apitype.Type) error {
		if err := r.checkScope(t); err != nil {
			return err
		}
		return refusesReady(t, r.rules)
	})
	if err != nil {
		return nil, err
	}
	r.typeRef = ref
	return r, nil
}

// refusesReady is the error for a ready rule on a type whose row in the
// built-in table refuses it, naming the rules that do apply.
func refusesReady(t apitype.Type, rules []readiness.Rule) error {
	m := apitype.ReadyOf(t)
	if m.Refused == "" || !slices.ContainsFunc(rules, readiness.Rule.IsReady) {
		return nil
	}
	return errors.New("--for ready on " + t.String() + " is refused: " + m.Refused + "; use " + readiness.OtherRules)
}

func (r *resource) checkScope(t apitype.Type) error {
	if !t.Namespaced && r.ns != "" {
		return errors.New(t.String() + " is cluster-scoped: name it without a namespace")
	}
	if !t.Watchable() {
		return errors.New(t.String() + " cannot be listed and watched, which waiting needs")
	}
	return nil
}

func (r *resource) Name() string {
	return objectName(r.typeName.String(), r.namespaced(), r.c.namespaceOr(r.ns), r.name)
}

func (r *resource) Wait(ctx context.Context, report target.Report) error {
	t, absent, err := r.typ(ctx, r.c, r.onlyDelete(), report, func(t apitype.Type) error {
		if err := r.checkScope(t); err != nil {
			return target.Failed("%s", err).Err()
		}
		if err := refusesReady(t, r.rules); err != nil {
			return &target.ConfigError{Reason: r.Name() + ": " + err.Error()}
		}
		return nil
	})
	if err != nil || absent {
		return err
	}
	statusExpected, err := r.statusExpected(ctx, t, report)
	if err != nil {
		return err
	}
	return r.watch(ctx, t, statusExpected, report)
}

// watch waits until the object of type t meets every rule.
func (r *resource) watch(ctx context.Context, t apitype.Type, statusExpected bool, report target.Report) error {
	r.meaning = apitype.ReadyOf(t)
	judge := func(objs []*unstructured.Unstructured) target.Status {
		var obj *unstructured.Unstructured
		if len(objs) > 0 {
			obj = objs[0]
		}
		return r.evaluate(obj, statusExpected)
	}
	return untilFailure(ctx, r.c.streams, r.failure, r.c.resourceFor(t, r.c.namespaceOr(r.ns)), byName(r.name), true, judge, report)
}

// evaluate applies every rule; the first one not satisfied decides. The
// ready rule is the type's row of the built-in table when it has one, else
// readiness.Current.
func (r *resource) evaluate(obj *unstructured.Unstructured, statusExpected bool) target.Status {
	for _, rule := range r.rules {
		st := rule.Evaluate(obj)
		if rule.IsReady() {
			switch {
			case obj == nil:
				st = target.Pending("not found")
			case r.meaning.Known():
				st = r.meaning.Of(obj)
			default:
				st = readiness.Current(obj, statusExpected)
			}
		}
		if st.Phase != target.PhaseReady {
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

// statusExpected reports whether the ready rule must see a status: when it
// judges a type without a rule of its own whose CRD gives the served
// version a status subresource. It reads the CRD (PLURAL.GROUP), which a
// type from an aggregated API does not have; the CRD is read once, when
// the wait starts.
func (r *resource) statusExpected(ctx context.Context, t apitype.Type, report target.Report) (bool, error) {
	if apitype.ReadyOf(t).Known() || !slices.ContainsFunc(r.rules, readiness.Rule.IsReady) || t.Group == "" {
		return false, nil
	}
	name := t.Resource + "." + t.Group
	def, err := r.c.established(ctx, name, "ready needs CRD "+name+" (has it a status subresource?): ", true, report)
	if err != nil || def == nil {
		return false, err
	}
	for _, v := range def.Spec.Versions {
		if v.Name == t.Version {
			return v.Subresources != nil && v.Subresources.Status != nil, nil
		}
	}
	return false, nil
}
