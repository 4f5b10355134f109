package kube

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/version"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// typeRef is the type of a target's object: the name it was given by, and
// the type once resolved. Every target that names a type (a --for
// resource, the objects of admission, apply and delete) resolves it the
// same way, in this order:
//   - a built-in type of package apitype's table: no request;
//   - the types discovery lists now (kubectl's rules, package apitype);
//   - while the target waits, discovery again until it serves the type
//     (Client.resolve: for PLURAL[.VERSION].GROUP, through its CRD).
type typeRef struct {
	typeName    apitype.Name
	resolved    apitype.Type
	hasResolved bool
}

// refer resolves n if it is known without the API or served now, and
// checks the type with check, whose error is returned as is. A type name
// several served types answer to is an error; any other failure leaves
// the type to be resolved while the target waits.
func (c *Client) refer(ctx context.Context, n apitype.Name, check func(apitype.Type) error) (typeRef, error) {
	ref := typeRef{typeName: n}
	if t, ok := apitype.ResolveBuiltin(n); ok {
		ref.resolved, ref.hasResolved = t, true
	} else if t, err := c.lookupNow(ctx, n); err == nil {
		ref.resolved, ref.hasResolved = t, true
	} else if errors.As(err, new(*apitype.AmbiguousError)) {
		return ref, err
	}
	if ref.hasResolved {
		if err := check(ref.resolved); err != nil {
			return ref, err
		}
	}
	return ref, nil
}

// typ is the type resolved when the target was built, or else the type
// discovery serves once it does (Client.resolve, with absentOK), checked by
// check, whose error is returned as is: the caller says whether it fails
// the target or is bad input.
func (ref typeRef) typ(ctx context.Context, c *Client, absentOK bool, report target.Report, check func(apitype.Type) error) (t apitype.Type, absent bool, err error) {
	if ref.hasResolved {
		return ref.resolved, false, nil
	}
	t, absent, err = c.resolve(ctx, ref.typeName, absentOK, report)
	if err != nil || absent {
		return apitype.Type{}, absent, err
	}
	if err := check(t); err != nil {
		return apitype.Type{}, false, err
	}
	return t, false, nil
}

// namespaced is false only for a type known to be cluster-scoped.
func (ref typeRef) namespaced() bool { return !ref.hasResolved || ref.resolved.Namespaced }

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

// The pauses between discovery checks for a type not served yet: without a
// CRD to watch, and while watching one (where discovery only looks out for
// an aggregated API).
const (
	rediscoverFirst, rediscoverLimit = 250 * time.Millisecond, 5 * time.Second
	crdCycleFirst, crdCycleLimit     = 2 * time.Second, 30 * time.Second
)

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
