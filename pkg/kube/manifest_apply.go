package kube

import (
	"context"
	"errors"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// applier server-side applies one object of a manifest once the apiserver
// can take it, then, with rules, waits for the object to meet them. It is
// what a post-install or post-upgrade hook needs for a custom resource
// whose type an operator of the same release has yet to serve.
//
// The steps and their verdicts:
//  1. the type is resolved as the admission probe resolves it (built-in
//     table, discovery, and discovery again while not served yet);
//  2. a server-side apply (PATCH application/apply-patch+yaml) under the
//     field manager, forced only when asked. The answer is judged as the
//     admission probe judges a dry-run create (admissionVerdict: a webhook
//     that cannot be called, 5xx, 404, 409, 429 and RBAC Forbidden are
//     pending and retried; a denial, Invalid or any other 4xx fails), but
//     a conflict with another field manager (409 whose causes are
//     FieldManagerConflict) fails at once, naming each field and its
//     manager, and AlreadyExists (a create racing another) is retried;
//  3. with rules, the object is waited for as TYPE/NS/NAME:RULE waits for
//     it; whether a custom resource's ready rule must see a status is read
//     from discovery (a status subresource listed), not from its CRD, so
//     no CRD needs to be readable. Without rules the object is ready once
//     applied.
type applier struct {
	manifestObject
	o ApplyOptions
}

// ApplyOptions say how objects are applied and what is waited for after.
type ApplyOptions struct {
	// FieldManager owns the fields applied; required.
	FieldManager string
	// Force takes over fields other managers own instead of failing.
	Force bool
	// Rules are waited for once the object is applied; none: applied is
	// ready.
	Rules []readiness.Rule
	// Failure makes the wait after the apply fail for good.
	Failure Failure
}

// Apply builds the target applying one object. The object needs a name (a
// generateName cannot be applied); a type known now must allow patch, and
// list and watch when rules are given.
func (c *Client) Apply(ctx context.Context, obj manifest.Object, o ApplyOptions) (target.Target, error) {
	if obj.Object.GetName() == "" {
		return nil, errors.New("metadata.name is not set: an object is applied by its name (generateName cannot be applied)")
	}
	m, err := c.newManifestObject(ctx, obj, "patch", "a server-side apply", len(o.Rules) > 0)
	if err != nil {
		return nil, err
	}
	if m.hasResolved {
		if err := refusesReady(m.resolved, o.Rules); err != nil {
			return nil, err
		}
	}
	return &applier{manifestObject: m, o: o}, nil
}

func (a *applier) Name() string { return a.name("apply") }

func (a *applier) Wait(ctx context.Context, report target.Report) error {
	t, err := a.objectType(ctx, report)
	if err != nil {
		return err
	}
	if err := refusesReady(t, a.o.Rules); err != nil {
		return &target.ConfigError{Reason: a.Name() + ": " + err.Error()}
	}
	obj, ns := a.placed(t)
	ri := a.c.resourceFor(t, ns)
	opts := metav1.ApplyOptions{FieldManager: a.o.FieldManager, Force: a.o.Force}
	err = send(ctx, func(ctx context.Context) error {
		_, err := ri.Apply(ctx, obj.GetName(), obj, opts)
		return err
	}, func(err error) (target.Status, bool) { return applyVerdict(err, obj.GetResourceVersion()) }, report)
	if err != nil || len(a.o.Rules) == 0 {
		return err
	}
	r := &resource{c: a.c, typeRef: typeRef{typeName: a.obj.Type, resolved: t, hasResolved: true},
		ns: ns, name: obj.GetName(), rules: a.o.Rules, failure: a.o.Failure}
	applied := func(reason string) { report("applied; " + reason) }
	statusExpected, err := a.statusExpected(ctx, t, applied)
	if err != nil {
		return err
	}
	return r.watch(ctx, t, statusExpected, applied)
}

// statusExpected reports whether the ready rule must see a status: when it
// judges a type without a rule of its own, outside the built-in table,
// whose discovery document lists a status subresource.
func (a *applier) statusExpected(ctx context.Context, t apitype.Type, report target.Report) (bool, error) {
	if apitype.ReadyOf(t).Known() || !slices.ContainsFunc(a.o.Rules, readiness.Rule.IsReady) || t.Group == "" {
		return false, nil
	}
	var rs []metav1.APIResource
	err := send(ctx, func(ctx context.Context) (err error) {
		rs, err = a.c.versions.Resources(ctx, t.Group+"/"+t.Version)
		return err
	}, discoveryVerdict, report)
	return slices.ContainsFunc(rs, func(r metav1.APIResource) bool { return r.Name == t.Resource+"/status" }), err
}

// discoveryVerdict judges the answer to a discovery request: any error is
// a reason to ask again.
func discoveryVerdict(err error) (target.Status, bool) {
	if err == nil {
		return target.Ready(), false
	}
	return target.Pending("discovery: %s", describe(err)), false
}

// applyVerdict judges the apiserver's answer to a server-side apply (see
// applier).
//
// Answers that no retry can change fail at once too:
//   - 409 Conflict when the manifest sets metadata.resourceVersion (rv):
//     the object has moved past it and will not come back;
//   - the apiserver cannot convert the object to its type (a Secret's
//     data that is not base64): a 500 about the object's content, not the
//     server's health.
func applyVerdict(err error, rv string) (target.Status, bool) {
	if msg := fieldConflicts(err); msg != "" {
		return target.Failed("%s", msg), false
	}
	if apierrors.IsConflict(err) && rv != "" {
		return target.Failed("conflict: the manifest's metadata.resourceVersion %q is not the object's: remove it to apply whatever the version", target.Clip(target.Line(rv), 64)), false
	}
	if apierrors.IsInternalError(err) && unconvertible(err) {
		return target.Failed("rejected: %s", target.Clip(target.Line(err.Error()), maxMessage)), false
	}
	if apierrors.IsAlreadyExists(err) {
		return target.Pending("not applied yet: %s", target.Clip(target.Line(err.Error()), maxMessage)), false
	}
	return admissionVerdict(err)
}

// unconvertible says whether err is the apiserver failing to convert the
// applied object to its type ("failed to convert new object ... error
// decoding from json: illegal base64 data"), which the same object always
// fails.
func unconvertible(err error) bool {
	return strings.Contains(err.Error(), "failed to convert new object")
}

// fieldConflicts describes a conflict with other field managers, naming
// each field and its manager; "" for any other answer.
func fieldConflicts(err error) string {
	var api apierrors.APIStatus
	if !apierrors.IsConflict(err) || !errors.As(err, &api) || api.Status().Details == nil {
		return ""
	}
	var fields []string
	for _, c := range api.Status().Details.Causes {
		if c.Type == metav1.CauseTypeFieldManagerConflict {
			fields = append(fields, c.Field+" ("+c.Message+")")
		}
	}
	if len(fields) == 0 {
		return ""
	}
	return target.Clip(target.Line("conflict: fields managed by another field manager: "+strings.Join(fields, ", ")), maxMessage) +
		"; --force-conflicts takes them over"
}
