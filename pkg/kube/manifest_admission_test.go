package kube

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/manifest"
	"github.com/kwait-dev/kwait/pkg/target"
)

var issuers = apitype.Type{Group: "cert-manager.io", Version: "v1", Resource: "issuers", Singular: "issuer", Kind: "Issuer",
	Namespaced: true, Verbs: []string{"create", "get", "list", "watch"}}

var issuersGVR = schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "issuers"}

const issuerProbe = `
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: kwait-probe}
spec: {selfSigned: {}}
`

func decodeOne(t *testing.T, y string) manifest.Object {
	t.Helper()
	objs, err := manifest.Decode([]byte(y))
	if err != nil || len(objs) != 1 {
		t.Fatalf("Decode: %v, %d objects", err, len(objs))
	}
	return objs[0]
}

// status is an error the apiserver could answer with.
func status(code int32, reason metav1.StatusReason, msg string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: code, Reason: reason, Message: msg}}
}

func TestAdmissionVerdict(t *testing.T) {
	t.Parallel()
	gr := schema.GroupResource{Group: "cert-manager.io", Resource: "issuers"}
	for _, tc := range []struct {
		name      string
		err       error
		phase     target.Phase
		reason    string
		forbidden bool
	}{
		{"admitted", nil, target.PhaseReady, "", false},
		{"already exists: admitted before storage refused it", apierrors.NewAlreadyExists(gr, "kwait-probe"), target.PhaseReady, "", false},

		{"webhook refused", status(500, metav1.StatusReasonInternalError, `Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=10s": dial tcp 10.0.0.9:443: connect: connection refused`),
			target.PhasePending, `not admitted yet: Internal error occurred: failed calling webhook "webhook.cert-manager.io"`, false},
		{"no endpoints", status(500, metav1.StatusReasonInternalError, `Internal error occurred: failed calling webhook "w.example.com": failed to call webhook: Post "https://svc.ns.svc:443/?timeout=10s": no endpoints available for service "svc"`),
			target.PhasePending, `no endpoints available for service "svc"`, false},
		{"webhook timeout", status(504, metav1.StatusReasonTimeout, `Timeout: request did not complete within requested timeout - context deadline exceeded`),
			target.PhasePending, "not admitted yet: Timeout", false},
		{"service unavailable", apierrors.NewServiceUnavailable("the server is currently unable to handle the request"),
			target.PhasePending, "not admitted yet: the server is currently unable", false},
		{"a 5xx denial is transient", status(503, metav1.StatusReasonServiceUnavailable, `admission webhook "w.example.com" denied the request: warming up`),
			target.PhasePending, "warming up", false},
		{"namespace not there yet", apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "prod"),
			target.PhasePending, `not admitted yet: namespaces "prod" not found`, false},
		{"type gone", status(404, metav1.StatusReasonNotFound, "the server could not find the requested resource"),
			target.PhasePending, "could not find the requested resource", false},
		{"throttled", apierrors.NewTooManyRequests("slow down", 1), target.PhasePending, "slow down", false},
		{"conflict", apierrors.NewConflict(gr, "x", errors.New("try again")), target.PhasePending, "try again", false},
		{"rbac", apierrors.NewForbidden(gr, "", errors.New(`User "system:serviceaccount:shop:kwait" cannot create resource "issuers" in API group "cert-manager.io" in the namespace "shop"`)),
			target.PhasePending, `forbidden: issuers.cert-manager.io is forbidden: User "system:serviceaccount:shop:kwait" cannot create resource`, true},
		{"unauthorized", apierrors.NewUnauthorized("Unauthorized"), target.PhasePending, "unauthorized", false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)},
			target.PhasePending, "apiserver unreachable: connection refused", false},
		{"request timeout", context.DeadlineExceeded, target.PhasePending, "apiserver: no answer within 1m0s", false},

		{"webhook denied, 403", status(403, metav1.StatusReasonForbidden, `admission webhook "webhook.cert-manager.io" denied the request: spec.selfSigned: Required value`),
			target.PhaseFailed, `rejected: admission webhook "webhook.cert-manager.io" denied the request: spec.selfSigned: Required value`, false},
		{"webhook denied, default code", status(400, metav1.StatusReasonBadRequest, `admission webhook "deny.example.com" denied the request without explanation`),
			target.PhaseFailed, "rejected: admission webhook \"deny.example.com\" denied the request without explanation", false},
		{"invalid", apierrors.NewInvalid(schema.GroupKind{Group: "cert-manager.io", Kind: "Issuer"}, "kwait-probe", nil),
			target.PhaseFailed, `rejected: Issuer.cert-manager.io "kwait-probe" is invalid`, false},
		{"policy", status(403, metav1.StatusReasonForbidden, `pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged`),
			target.PhaseFailed, "violates PodSecurity", false},
		{"terminating namespace", status(403, metav1.StatusReasonForbidden, `issuers.cert-manager.io "p" is forbidden: unable to create new content in namespace shop because it is being terminated`),
			target.PhaseFailed, "being terminated", false},
		{"not creatable", apierrors.NewMethodNotSupported(gr, "create"), target.PhaseFailed, "rejected: create is not supported", false},
		{"escape sequences in a webhook's message", status(400, metav1.StatusReasonBadRequest, "admission webhook \"x\" denied the request: \x1b[31mred\x1b[0m\nnext"),
			target.PhaseFailed, "denied the request: ?[31mred?[0m next", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st, forbidden := admissionVerdict(tc.err)
			if st.Phase != tc.phase || !strings.Contains(st.Reason, tc.reason) || forbidden != tc.forbidden {
				t.Errorf("admissionVerdict(%v) = %v %q, forbidden %v; want %v containing %q, forbidden %v",
					tc.err, st.Phase, st.Reason, forbidden, tc.phase, tc.reason, tc.forbidden)
			}
		})
	}
}

// TestAdmissionRetriesUntilAdmitted: a webhook that cannot be called keeps
// the target pending until a dry-run create goes through; every request is
// a dry run of the object in the default namespace.
func TestAdmissionRetriesUntilAdmitted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		api := &fakeAPI{}
		api.set([]apitype.Type{issuers}, 0)
		c.index = api.index()
		var calls atomic.Int32
		var dryRuns, namespaces []string
		fake.PrependReactor("create", "issuers", func(a clienttesting.Action) (bool, runtime.Object, error) {
			create := a.(clienttesting.CreateActionImpl)
			dryRuns = append(dryRuns, strings.Join(create.CreateOptions.DryRun, ","))
			namespaces = append(namespaces, create.GetNamespace())
			if calls.Add(1) < 3 {
				return true, nil, status(500, metav1.StatusReasonInternalError,
					`Internal error occurred: failed calling webhook "webhook.cert-manager.io": no endpoints available for service "cert-manager-webhook"`)
			}
			return true, create.GetObject(), nil
		})
		tg, err := c.Admission(t.Context(), decodeOne(t, issuerProbe))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tg.Name(), "admission/Issuer.cert-manager.io/default/kwait-probe"; got != want {
			t.Errorf("Name() = %q, want %q", got, want)
		}
		r := newReasons()
		if err := tg.Wait(t.Context(), r.report); err != nil {
			t.Fatalf("Wait() = %v", err)
		}
		if !slices.Equal(dryRuns, []string{"All", "All", "All"}) || !slices.Equal(namespaces, []string{"default", "default", "default"}) {
			t.Errorf("creates with dryRun %q in %q, want three dry runs in default", dryRuns, namespaces)
		}
		if len(r.all) == 0 || !strings.Contains(r.all[0], `no endpoints available for service "cert-manager-webhook"`) {
			t.Errorf("reasons %q, want the webhook's trouble", r.all)
		}
		if n := count(fake, "create"); n != 3 {
			t.Errorf("%d creates, want 3", n)
		}
	})
}

// TestAdmissionDeniedFails: a webhook that answers and denies fails the
// target at once with the apiserver's message.
func TestAdmissionDeniedFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		fake.PrependReactor("create", "configmaps", func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, status(403, metav1.StatusReasonForbidden, `admission webhook "deny.example.com" denied the request: no probes here`)
		})
		tg, err := c.Admission(t.Context(), decodeOne(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe, namespace: shop}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tg.Name(), "admission/ConfigMap/shop/probe"; got != want {
			t.Errorf("Name() = %q, want %q", got, want)
		}
		err = tg.Wait(t.Context(), func(string) {})
		if !target.IsFailed(err) || err.Error() != `rejected: admission webhook "deny.example.com" denied the request: no probes here` {
			t.Fatalf("Wait() = %v, want the denial", err)
		}
		if n := count(fake, "create"); n != 1 {
			t.Errorf("%d creates, want 1", n)
		}
	})
}

// TestAdmissionWaitsForItsType: a kind not served yet is waited for, then
// created in its namespace; a cluster-scoped one without a namespace.
func TestAdmissionWaitsForItsType(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		api := &fakeAPI{}
		c.index = api.index()
		var ns atomic.Value
		fake.PrependReactor("create", "issuers", func(a clienttesting.Action) (bool, runtime.Object, error) {
			ns.Store(a.GetNamespace())
			return true, a.(clienttesting.CreateActionImpl).GetObject(), nil
		})
		tg, err := c.Admission(t.Context(), decodeOne(t, issuerProbe))
		if err != nil {
			t.Fatal(err)
		}
		r := newReasons()
		done := start(t.Context(), tg, r)
		r.await(t, "type Issuer.v1.cert-manager.io not served yet")
		api.set([]apitype.Type{issuers}, 0)
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
		if got := ns.Load(); got != "default" {
			t.Errorf("created in %q, want default", got)
		}
	})
}

func TestAdmissionClusterScoped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		var ns atomic.Value
		fake.PrependReactor("create", "clusterroles", func(a clienttesting.Action) (bool, runtime.Object, error) {
			obj := a.(clienttesting.CreateActionImpl).GetObject()
			m, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
			md, _ := m["metadata"].(map[string]any)
			ns.Store(a.GetNamespace() + "|" + func() string { s, _ := md["namespace"].(string); return s }())
			return true, obj, nil
		})
		tg, err := c.Admission(t.Context(), decodeOne(t, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: probe, namespace: ignored}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tg.Name(), "admission/ClusterRole.rbac.authorization.k8s.io/probe"; got != want {
			t.Errorf("Name() = %q, want %q", got, want)
		}
		if err := tg.Wait(t.Context(), func(string) {}); err != nil {
			t.Fatal(err)
		}
		if got := ns.Load(); got != "|" {
			t.Errorf("request namespace|object namespace = %q, want none", got)
		}
	})
}

// TestAdmissionRBACBacksOffLonger: an RBAC denial is retried as list and
// watch retry one, not every 250ms.
func TestAdmissionRBACBacksOffLonger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		gr := schema.GroupResource{Resource: "configmaps"}
		fake.PrependReactor("create", "configmaps", func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(gr, "", errors.New(`User "kwait" cannot create resource "configmaps" in API group "" in the namespace "default"`))
		})
		tg, err := c.Admission(t.Context(), decodeOne(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\n"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if err := tg.Wait(ctx, func(string) {}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait() = %v, want the deadline", err)
		}
		// 1s, 2s, 4s: at most 4 requests in 10s (250ms doubling to 5s would be 6).
		if n := count(fake, "create"); n > 4 {
			t.Errorf("%d creates in 10s after Forbidden, want at most 4", n)
		}
	})
}

// TestAdmissionTypeNotCreatable: a served type without the create verb is
// refused when the target is built.
func TestAdmissionTypeNotCreatable(t *testing.T) {
	t.Parallel()
	_, c := fakeClient()
	api := &fakeAPI{}
	readOnly := issuers
	readOnly.Verbs = []string{"get", "list", "watch"}
	api.set([]apitype.Type{readOnly}, 0)
	c.index = api.index()
	_, err := c.Admission(t.Context(), decodeOne(t, issuerProbe))
	if err == nil || !strings.Contains(err.Error(), "issuers.cert-manager.io does not allow create") {
		t.Fatalf("Admission() = %v, want it refused", err)
	}
}
