package kube

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/target"
)

// admission proves that the apiserver admits an object: it repeats a
// server-side dry-run create (dryRun=All) until the apiserver accepts it.
// The request goes through everything a real create does short of storage:
// the type must be served, a conversion webhook must convert the object to
// its storage version, every mutating and validating webhook and admission
// policy must answer and allow it, and the schema must accept it. So it
// closes the window between "the CRD is Established" and "my custom
// resource is accepted" that startupapicheck-style Jobs close by hand.
//
// Verdicts on the apiserver's answer (admissionVerdict):
//   - accepted, or AlreadyExists (the apiserver checks the name in storage,
//     after admission): ready;
//   - a webhook that cannot be called (connection refused, no endpoints,
//     TLS, timeout, an answer it cannot read), any 5xx, 404 (type or
//     namespace not there yet), 409, 429, 401: pending, retried after 250ms
//     doubling to 5s;
//   - Forbidden by RBAC ("User ... cannot create resource ..."): pending,
//     retried after 1s doubling to 15s, as list and watch are;
//   - any other 4xx: a webhook or policy that denied it, a schema that
//     found it Invalid, a namespace being deleted, a quota: failed, with the
//     apiserver's message.
type admission struct {
	manifestObject
}

// admissionTimeout bounds one dry-run create: the apiserver's own request
// timeout, longer than any webhook's (30s at most each).
const admissionTimeout = time.Minute

// Admission builds the target for one object of a manifest. A type known
// without the API, or found in discovery now, is checked at once (an error
// says it cannot be created); any other type is resolved while waiting.
func (c *Client) Admission(ctx context.Context, obj manifest.Object) (target.Target, error) {
	m, err := c.newManifestObject(ctx, obj, "create", "a dry-run create", false)
	if err != nil {
		return nil, err
	}
	return &admission{m}, nil
}

func (a *admission) Name() string { return a.name("admission") }

func (a *admission) Wait(ctx context.Context, report target.Report) error {
	t, err := a.objectType(ctx, report)
	if err != nil {
		return err
	}
	obj, ns := a.placed(t)
	ri := a.c.resourceFor(t, ns)
	return send(ctx, func(ctx context.Context) error {
		_, err := ri.Create(ctx, obj, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	}, admissionVerdict, report)
}

// rbacDenied matches the message of the apiserver's authorizer refusing a
// request, as opposed to an admission plugin or webhook answering 403.
var rbacDenied = regexp.MustCompile(`is forbidden: User ".*" cannot `)

// maxMessage bounds how much of the apiserver's message goes into a
// reason: a validation error can list many fields.
const maxMessage = 1000

// admissionVerdict judges the apiserver's answer to a dry-run create (see
// admission). forbidden is set for an RBAC denial, retried more slowly.
func admissionVerdict(err error) (st target.Status, forbidden bool) {
	if err == nil || apierrors.IsAlreadyExists(err) {
		return target.Ready(), false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return target.Pending("apiserver: no answer within %s", admissionTimeout), false
	}
	var api apierrors.APIStatus
	if !errors.As(err, &api) {
		return target.Pending("%s", describe(err)), false
	}
	s := api.Status()
	msg := target.Clip(target.Line(s.Message), maxMessage)
	if msg == "" {
		msg = target.Clip(target.Line(string(s.Reason)), maxMessage)
	}
	switch code := int(s.Code); {
	case apierrors.IsForbidden(err) && rbacDenied.MatchString(s.Message):
		return target.Pending("%s", describe(err)), true
	case code == http.StatusUnauthorized:
		return target.Pending("%s", describe(err)), false
	case code >= 500, code == http.StatusNotFound, code == http.StatusConflict, code == http.StatusTooManyRequests:
		return target.Pending("not admitted yet: %s", msg), false
	case code >= 400:
		return target.Failed("rejected: %s", msg), false
	}
	// A status error without a failure code: the client could not read
	// the answer.
	return target.Pending("%s", describe(err)), false
}
