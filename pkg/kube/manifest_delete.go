package kube

import (
	"context"
	"errors"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// deletion deletes one object of a manifest and waits until it is gone,
// its finalizers run: what a pre-delete hook needs so that an operator is
// removed only after the objects it cleans up.
//
// The steps and their verdicts:
//  1. the type is resolved (built-in table, else discovery); a type
//     discovery does not list is gone already, unless the API server of
//     its group does not answer (pending: its objects are unknown);
//  2. a DELETE with propagation Background, as kubectl sends it. NotFound
//     (object, namespace or type) is gone already; otherwise the answer
//     is judged as the admission probe judges a dry-run create
//     (admissionVerdict: a webhook or policy that denies it fails with the
//     apiserver's message; Forbidden, 5xx, 409, 429 are retried);
//  3. then the object is waited for with the delete rule, as
//     TYPE/NS/NAME:delete waits: pending while it exists, naming the
//     finalizers that hold it.
//
// No CRD is read: a custom resource's type is known from discovery alone.
type deletion struct {
	manifestObject
}

// Delete builds the target deleting one object. The object needs a name;
// a type known now must allow delete, list and watch.
func (c *Client) Delete(ctx context.Context, obj manifest.Object) (target.Target, error) {
	if obj.Object.GetName() == "" {
		return nil, errors.New("metadata.name is not set: an object is deleted by its name")
	}
	m, err := c.newManifestObject(ctx, obj, "delete", "a delete", true)
	if err != nil {
		return nil, err
	}
	return &deletion{m}, nil
}

func (d *deletion) Name() string { return d.name("delete") }

func (d *deletion) Wait(ctx context.Context, report target.Report) error {
	t, served, err := d.served(ctx, report)
	if err != nil || !served {
		return err
	}
	obj, ns := d.placed(t)
	ri := d.c.resourceFor(t, ns)
	background := metav1.DeletePropagationBackground
	gone := false
	err = send(ctx, func(ctx context.Context) error {
		err := ri.Delete(ctx, obj.GetName(), metav1.DeleteOptions{PropagationPolicy: &background})
		if apierrors.IsNotFound(err) {
			gone = true
			return nil
		}
		return err
	}, admissionVerdict, report)
	if err != nil || gone {
		return err
	}
	r := &resource{c: d.c, typeRef: typeRef{typeName: d.obj.Type, resolved: t, hasResolved: true},
		ns: ns, name: obj.GetName(), rules: []readiness.Rule{readiness.Deleted()}}
	return r.watch(ctx, t, false, report)
}

// errGroupDown says a type is not listed because the aggregated API server
// of its group does not answer discovery: its objects are unknown, not gone.
var errGroupDown = errors.New("the API server of its group does not answer")

// served resolves the object's type; served is false when discovery does
// not list it, so no such object can exist.
func (d *deletion) served(ctx context.Context, report target.Report) (t apitype.Type, served bool, err error) {
	if d.hasResolved {
		return d.resolved, true, nil
	}
	group := d.obj.Object.GroupVersionKind().Group
	var since time.Time
	err = send(ctx, func(ctx context.Context) error {
		s, err := d.c.discover(ctx, d.obj.Type, since)
		since = time.Now()
		if err != nil {
			return err
		}
		t, err = apitype.Resolve(d.obj.Type, s.types)
		switch {
		case err == nil:
			served = true
			return d.allows(t)
		case errors.Is(err, apitype.ErrNotServed) && slices.Contains(s.stale, group):
			return errGroupDown
		case errors.Is(err, apitype.ErrNotServed):
			return nil
		}
		return err
	}, func(err error) (target.Status, bool) {
		var ambiguous *apitype.AmbiguousError
		switch {
		case err == nil:
			return target.Ready(), false
		case errors.As(err, &ambiguous) || served:
			return target.Failed("%s", err), false // the name or the type's verbs will not change
		case errors.Is(err, errGroupDown):
			return target.Pending("type %s not known: %s", d.obj.Type, err), false
		}
		return target.Pending("%s", describe(err)), false
	}, report)
	return t, served, err
}
