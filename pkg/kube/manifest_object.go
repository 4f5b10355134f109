package kube

import (
	"context"
	"errors"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/target"
)

// manifestObject is one object of a manifest that a target sends to the
// apiserver (admission, apply, delete), and the type it resolves to, as
// typeRef says.
type manifestObject struct {
	c *Client
	typeRef
	obj manifest.Object
	// ns is the object's namespace, or "" for the client's default.
	ns string
	// verb is the verb the target sends the object with ("create",
	// "patch"); a type discovery says does not allow it cannot be
	// waited for. why names what needs it ("a dry-run create"). watch
	// says the object is then waited for, which needs list and watch.
	verb, why string
	watch     bool
}

// newManifestObject resolves obj's type if it is known without the API or
// served now. An ambiguous type name, or a type that does not allow verb
// (or list and watch, with watch), is an error: the object can never be
// sent or waited for.
func (c *Client) newManifestObject(ctx context.Context, obj manifest.Object, verb, why string, watch bool) (manifestObject, error) {
	m := manifestObject{c: c, obj: obj, ns: obj.Object.GetNamespace(), verb: verb, why: why, watch: watch}
	ref, err := c.refer(ctx, obj.Type, m.allows)
	m.typeRef = ref
	return m, err
}

// allows checks that t allows the verb the object is sent with, and list
// and watch if it is waited for; a type whose verbs are not known is
// assumed to.
func (m *manifestObject) allows(t apitype.Type) error {
	if m.watch && !t.Watchable() {
		return errors.New(t.String() + " cannot be listed and watched, which waiting needs")
	}
	if len(t.Verbs) == 0 || slices.Contains(t.Verbs, m.verb) {
		return nil
	}
	return errors.New(t.String() + " does not allow " + m.verb + ", which " + m.why + " needs")
}

// name is how messages name the target: PREFIX/KIND[.GROUP]/[NS/]NAME,
// without a namespace for a type known to be cluster-scoped.
func (m *manifestObject) name(prefix string) string {
	ns := ""
	if m.namespaced() {
		ns = m.c.namespaceOr(m.ns)
	}
	return prefix + "/" + m.obj.Name(ns)
}

// objectType is the object's type, resolved when the target was built or
// else waited for now until discovery serves it.
func (m *manifestObject) objectType(ctx context.Context, report target.Report) (apitype.Type, error) {
	t, _, err := m.typ(ctx, m.c, false, report, func(t apitype.Type) error {
		if err := m.allows(t); err != nil {
			return target.Failed("%s", err).Err()
		}
		return nil
	})
	return t, err
}

// placed is a copy of the object in the namespace it goes to (none for a
// cluster-scoped type), and that namespace.
func (m *manifestObject) placed(t apitype.Type) (*unstructured.Unstructured, string) {
	obj := m.obj.Object.DeepCopy()
	ns := m.c.namespaceOr(m.ns)
	if t.Namespaced {
		obj.SetNamespace(ns)
	} else {
		obj.SetNamespace("")
	}
	return obj, ns
}

// send repeats request, each bounded by admissionTimeout, until verdict
// judges its answer ready or failed; every other answer is reported and
// retried after 250ms doubling to 5s, or after 1s doubling to 15s when
// verdict says RBAC forbade it.
func send(ctx context.Context, request func(context.Context) error, verdict func(error) (target.Status, bool), report target.Report) error {
	retry, denied := newRetry(250*time.Millisecond, 5*time.Second), newRetry(time.Second, 15*time.Second)
	var bad misconfig
	for {
		rctx, cancel := context.WithTimeout(ctx, admissionTimeout)
		err := request(rctx)
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			// A CA that does not verify the apiserver, or a lasting 401,
			// ends the run as the list+watch loops do.
			if cerr := bad.check(err); cerr != nil {
				return cerr
			}
		}
		st, forbidden := verdict(err)
		switch st.Phase {
		case target.PhaseReady:
			return nil
		case target.PhaseFailed:
			return st.Err()
		}
		report(st.Reason)
		pause := retry
		if forbidden {
			pause = denied
		}
		if err := pause.wait(ctx); err != nil {
			return err
		}
	}
}
