package kube

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/version"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// resource waits for any object to satisfy --for rules. Its type is
// resolved, in this order:
//   - a built-in type of package apitype's table: no request;
//   - the types discovery lists (kubectl's rules, package apitype);
//   - for a type not served yet that is written PLURAL[.VERSION].GROUP, the
//     CustomResourceDefinition PLURAL.GROUP, waited for by a watch, and
//     discovery asked again now and then in case the type comes from an
//     aggregated API instead; for any other form, discovery asked again
//     with a backoff.
//
// A type that is not served is never taken for an absent object: --for
// delete holds only when the apiserver lists no such object, or when the
// CRD that would define the type does not exist.
type resource struct {
	c     *Client
	typ   apitype.Name
	ns    string // as given with the target; empty means the default
	name  string
	rules []readiness.Rule
	// meaning is what ready means for the resolved type (the zero Meaning
	// outside the built-in table), set when the wait starts.
	meaning readiness.Meaning
	failure Failure

	resolved    apitype.Type
	hasResolved bool
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
	r := &resource{c: c, typ: o.Type, ns: o.Namespace, name: o.Name, rules: o.Rules, failure: o.Failure}
	if t, ok := apitype.ResolveBuiltin(o.Type); ok {
		r.resolved, r.hasResolved = t, true
	} else if t, err := c.lookupNow(ctx, o.Type); err == nil {
		r.resolved, r.hasResolved = t, true
	} else if errors.As(err, new(*apitype.AmbiguousError)) {
		return nil, err
	}
	if r.hasResolved {
		if err := r.checkScope(r.resolved); err != nil {
			return nil, err
		}
		if err := refusesReady(r.resolved, r.rules); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// lookupNow resolves n through discovery once, giving up when ctx ends even
// if the request does not (an exec credential plugin that hangs): the
// target then resolves its type while it waits.
func (c *Client) lookupNow(ctx context.Context, n apitype.Name) (apitype.Type, error) {
	type result struct {
		t   apitype.Type
		err error
	}
	done := make(chan result, 1)
	go func() {
		t, err := c.lookup(ctx, n, time.Time{})
		done <- result{t, err}
	}()
	select {
	case r := <-done:
		return r.t, r.err
	case <-ctx.Done():
		return apitype.Type{}, ctx.Err()
	}
}

// lookup resolves n through discovery fetched no earlier than since.
func (c *Client) lookup(ctx context.Context, n apitype.Name, since time.Time) (apitype.Type, error) {
	s, err := c.discover(ctx, n, since)
	if err != nil {
		return apitype.Type{}, err
	}
	return apitype.Resolve(n, s.types)
}

// discover returns what discovery fetched no earlier than since lists for
// the roots that may hold n.
func (c *Client) discover(ctx context.Context, n apitype.Name, since time.Time) (served, error) {
	var all served
	for _, root := range []string{"/api", "/apis"} {
		if root == "/api" && n.Grouped() && !n.CoreForm() {
			continue // the core group's document cannot hold it
		}
		s, err := c.index.served(ctx, root, since)
		if err != nil {
			return served{}, err
		}
		all.types = append(all.types, s.types...)
		all.stale = append(all.stale, s.stale...)
	}
	return all, nil
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
	namespaced := !r.hasResolved || r.resolved.Namespaced
	return objectName(r.typ.String(), namespaced, r.c.namespaceOr(r.ns), r.name)
}

func (r *resource) Wait(ctx context.Context, report target.Report) error {
	t := r.resolved
	if !r.hasResolved {
		var absent bool
		var err error
		t, absent, err = r.resolve(ctx, report)
		if err != nil || absent {
			return err
		}
		if err := r.checkScope(t); err != nil {
			return target.Failed("%s", err).Err()
		}
		if err := refusesReady(t, r.rules); err != nil {
			return &target.ConfigError{Reason: r.Name() + ": " + err.Error()}
		}
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

// The pauses between discovery checks for a type not served yet: without a
// CRD to watch, and while watching one (where discovery only looks out for
// an aggregated API).
const (
	rediscoverFirst, rediscoverLimit = 250 * time.Millisecond, 5 * time.Second
	crdCycleFirst, crdCycleLimit     = 2 * time.Second, 30 * time.Second
)

// resolve waits until the type is served (or, through its CRD, known). absent
// is true when the rules only ask for deletion and the CRD that would define
// the type does not exist.
func (r *resource) resolve(ctx context.Context, report target.Report) (t apitype.Type, absent bool, err error) {
	return r.c.resolve(ctx, r.typ, r.onlyDelete(), report)
}

// resolve waits until discovery serves the type n names. For a name
// written PLURAL[.VERSION].GROUP it meanwhile waits for the CRD PLURAL.GROUP
// to be established, and takes the type from it; with absentOK, a CRD that
// does not exist ends the wait with absent true.
func (c *Client) resolve(ctx context.Context, n apitype.Name, absentOK bool, report target.Report) (t apitype.Type, absent bool, err error) {
	notServed := "type " + n.String() + " not served yet"
	crdName, version, isCRD := n.CRD()
	_, group, _ := strings.Cut(crdName, ".")
	retry := newRetry(rediscoverFirst, rediscoverLimit)
	var bad misconfig
	cycle := crdCycleFirst
	var since time.Time
	for {
		s, err := c.discover(ctx, n, since)
		since = time.Now()
		if err == nil {
			t, err = apitype.Resolve(n, s.types)
		}
		switch {
		case err == nil:
			return t, false, nil
		case errors.As(err, new(*apitype.AmbiguousError)):
			return apitype.Type{}, false, target.Failed("%s", err).Err()
		case ctx.Err() != nil:
			return apitype.Type{}, false, ctx.Err()
		case !errors.Is(err, apitype.ErrNotServed):
			if err := bad.check(err); err != nil {
				return apitype.Type{}, false, err
			}
			report(describe(err))
		case isCRD && slices.Contains(s.stale, group):
			// An aggregated API claims the group and does not answer:
			// the type is unknown, not absent.
			report(notServed + "; the API server of its group does not answer")
		case isCRD:
			def, err := c.crdCycle(ctx, crdName, notServed+"; CRD "+crdName+": ", cycle, absentOK, report)
			switch {
			case errors.Is(err, errCycle):
				cycle = min(2*cycle, crdCycleLimit)
				continue
			case err != nil:
				return apitype.Type{}, false, err
			case def == nil:
				return apitype.Type{}, true, nil
			}
			v, err := pickVersion(def, version)
			if err != nil {
				return apitype.Type{}, false, err
			}
			return apitype.Type{Group: def.Spec.Group, Version: v, Resource: def.Spec.Names.Plural,
				Singular: def.Spec.Names.Singular, Kind: def.Spec.Names.Kind, ShortNames: def.Spec.Names.ShortNames,
				Namespaced: def.Spec.Scope == apiextensionsv1.NamespaceScoped}, false, nil
		default:
			report(notServed + servedHint(n, s.types))
		}
		if err := retry.wait(ctx); err != nil {
			return apitype.Type{}, false, err
		}
	}
}

// servedHint is "; did you mean TYPE?" for a type name written without a
// group that is a typo of a served type's name (deploymnets), else "". The
// wait goes on: a CRD may yet serve the name.
func servedHint(n apitype.Name, served []apitype.Type) string {
	if n.Grouped() {
		return ""
	}
	var names []string
	for _, t := range served {
		names = append(names, t.Resource, t.Singular, t.Kind)
		names = append(names, t.ShortNames...)
	}
	if s := spec.Suggest(n.String(), names); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

// errCycle ends a watch on a CRD after one cycle, so that discovery is
// asked again.
var errCycle = errors.New("ask discovery again")

// crdCycle waits up to cycle for the CRD called name to be established (or,
// with absentOK, to be absent: nil).
func (c *Client) crdCycle(ctx context.Context, name, prefix string, cycle time.Duration, absentOK bool, report target.Report) (*apiextensionsv1.CustomResourceDefinition, error) {
	cctx, cancel := context.WithTimeout(ctx, cycle)
	defer cancel()
	def, err := c.established(cctx, name, prefix, absentOK, report)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return nil, errCycle
	}
	return def, err
}

// pickVersion is the version given, else the served version of highest
// priority, as discovery would prefer it.
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
