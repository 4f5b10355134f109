package kube

import (
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// fieldConflict is the apiserver's answer to an apply that would take
// fields other managers own.
func fieldConflict(causes ...metav1.StatusCause) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: 409, Reason: metav1.StatusReasonConflict,
		Message: "Apply failed with 1 conflict", Details: &metav1.StatusDetails{Causes: causes}}}
}

// TestApplyVerdictStaleResourceVersion: a 409 to a manifest that sets
// metadata.resourceVersion can never change: failed at once.
func TestApplyVerdictStaleResourceVersion(t *testing.T) {
	t.Parallel()
	err := apierrors.NewConflict(schema.GroupResource{Resource: "configmaps"}, "x", errors.New("the object has been modified"))
	st, _ := applyVerdict(err, "1")
	if st.Phase != target.PhaseFailed || !strings.Contains(st.Reason, `metadata.resourceVersion "1"`) {
		t.Errorf("applyVerdict(409, rv 1) = %v %q, want failed naming the resourceVersion", st.Phase, st.Reason)
	}
}

func TestApplyVerdict(t *testing.T) {
	t.Parallel()
	gr := schema.GroupResource{Resource: "configmaps"}
	for _, tc := range []struct {
		name   string
		err    error
		phase  target.Phase
		reason string
	}{
		{"applied", nil, target.PhaseReady, ""},
		{"field manager conflict names fields and managers", fieldConflict(
			metav1.StatusCause{Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "helm"`, Field: ".data.key"},
			metav1.StatusCause{Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "operator" using v1`, Field: ".spec.replicas"}),
			target.PhaseFailed, `conflict: fields managed by another field manager: .data.key (conflict with "helm"), .spec.replicas (conflict with "operator" using v1); --force-conflicts takes them over`},
		{"optimistic lock conflict is retried", apierrors.NewConflict(gr, "x", errors.New("the object has been modified")),
			target.PhasePending, "the object has been modified"},
		{"a create racing another is retried", apierrors.NewAlreadyExists(gr, "x"), target.PhasePending, "not applied yet"},
		{"namespace not there yet", apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "shop"),
			target.PhasePending, `namespaces "shop" not found`},
		{"webhook denied", status(403, metav1.StatusReasonForbidden, `admission webhook "deny.example.com" denied the request: no`),
			target.PhaseFailed, `rejected: admission webhook "deny.example.com" denied the request: no`},
		{"invalid", apierrors.NewInvalid(schema.GroupKind{Kind: "ConfigMap"}, "x", nil), target.PhaseFailed, "rejected:"},
		{"bad base64 in a Secret", apierrors.NewInternalError(errors.New("failed to convert new object (shop/s; /v1, Kind=Secret) to proper version: " +
			"unable to convert unstructured object to /v1, Kind=Secret: error decoding from json: illegal base64 data at input byte 0")),
			target.PhaseFailed, "rejected: Internal error occurred: failed to convert new object"},
		{"other internal error is retried", apierrors.NewInternalError(errors.New("etcdserver: leader changed")), target.PhasePending, "leader changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st, _ := applyVerdict(tc.err, "")
			if st.Phase != tc.phase || !strings.Contains(st.Reason, tc.reason) {
				t.Errorf("applyVerdict(%v) = %v %q; want %v containing %q", tc.err, st.Phase, st.Reason, tc.phase, tc.reason)
			}
		})
	}
}

// TestApplySendsServerSideApply: the object goes as an apply patch under
// the field manager, forced only when asked, in the default namespace;
// a 404 (namespace not there yet) is retried.
func TestApplySendsServerSideApply(t *testing.T) {
	for _, force := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			fake, c := fakeClient()
			var calls atomic.Int32
			var got []string
			fake.PrependReactor("patch", "configmaps", func(a clienttesting.Action) (bool, runtime.Object, error) {
				p := a.(clienttesting.PatchActionImpl)
				forced := p.PatchOptions.Force != nil && *p.PatchOptions.Force
				got = append(got, string(p.GetPatchType())+"|"+p.PatchOptions.FieldManager+"|"+p.GetNamespace()+"|"+p.GetName()+"|"+map[bool]string{true: "force"}[forced])
				if calls.Add(1) == 1 {
					return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "default")
				}
				return true, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
					"metadata": map[string]any{"name": "settings", "namespace": "default"}}}, nil
			})
			tg, err := c.Apply(t.Context(), decodeOne(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n"),
				ApplyOptions{FieldManager: "orchestrator", Force: force})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := tg.Name(), "apply/ConfigMap/default/settings"; got != want {
				t.Errorf("Name() = %q, want %q", got, want)
			}
			r := newReasons()
			if err := tg.Wait(t.Context(), r.report); err != nil {
				t.Fatalf("Wait() = %v", err)
			}
			suffix := map[bool]string{true: "force"}[force]
			want := string(types.ApplyPatchType) + "|orchestrator|default|settings|" + suffix
			if !slices.Equal(got, []string{want, want}) {
				t.Errorf("patches %q, want twice %q", got, want)
			}
			if len(r.all) != 1 || !strings.Contains(r.all[0], `namespaces "default" not found`) {
				t.Errorf("reasons %q, want the missing namespace", r.all)
			}
		})
	}
}

// TestApplyConflictFails: a conflict with another field manager fails at
// once, not retried.
func TestApplyConflictFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		fake.PrependReactor("patch", "configmaps", func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, fieldConflict(metav1.StatusCause{Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "helm"`, Field: ".data.a"})
		})
		tg, err := c.Apply(t.Context(), decodeOne(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\n"), ApplyOptions{FieldManager: "kwait"})
		if err != nil {
			t.Fatal(err)
		}
		err = tg.Wait(t.Context(), func(string) {})
		if !target.IsFailed(err) || !strings.Contains(err.Error(), `.data.a (conflict with "helm")`) || !strings.Contains(err.Error(), "--force-conflicts") {
			t.Fatalf("Wait() = %v, want the conflict naming field and manager", err)
		}
		if n := count(fake, "patch"); n != 1 {
			t.Errorf("%d patches, want 1", n)
		}
	})
}

// TestApplyThenWaitsForRule: with a rule, the applied object is waited for
// and the reason says it was applied.
func TestApplyThenWaitsForRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		fake.PrependReactor("patch", "configmaps", func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, &unstructured.Unstructured{}, nil
		})
		rule, err := readiness.ParseRule("jsonpath={.data.a}=done")
		if err != nil {
			t.Fatal(err)
		}
		tg, err := c.Apply(t.Context(), decodeOne(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"),
			ApplyOptions{FieldManager: "kwait", Rules: []readiness.Rule{rule}})
		if err != nil {
			t.Fatal(err)
		}
		watches := fakeWatches(fake, "configmaps")
		r := newReasons()
		done := start(t.Context(), tg, r)
		r.await(t, "applied; not found")
		(<-watches).Add(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "settings", "namespace": "default"}, "data": map[string]any{"a": "done"}}})
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
	})
}

// TestApplyNeedsName: generateName cannot be applied.
func TestApplyNeedsName(t *testing.T) {
	t.Parallel()
	_, c := fakeClient()
	_, err := c.Apply(t.Context(), decodeOne(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}\n"), ApplyOptions{FieldManager: "kwait"})
	if err == nil || !strings.Contains(err.Error(), "generateName cannot be applied") {
		t.Fatalf("Apply() = %v, want it refused", err)
	}
}

// TestDeleteGoneAlready: NotFound on DELETE, or a type not served, is gone.
func TestDeleteGoneAlready(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		tg, err := c.Delete(t.Context(), decodeOne(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tg.Name(), "delete/ConfigMap/default/settings"; got != want {
			t.Errorf("Name() = %q, want %q", got, want)
		}
		if err := tg.Wait(t.Context(), func(string) {}); err != nil {
			t.Fatalf("Wait() = %v", err)
		}
		if n := count(fake, "list") + count(fake, "watch"); n != 0 {
			t.Errorf("%d lists and watches after NotFound, want none", n)
		}

		c.index = (&fakeAPI{}).index() // serves nothing
		tg, err = c.Delete(t.Context(), decodeOne(t, issuerProbe))
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.Wait(t.Context(), func(string) {}); err != nil {
			t.Fatalf("Wait() = %v for a type not served", err)
		}
		if n := count(fake, "delete"); n != 1 {
			t.Errorf("%d deletes, want only the ConfigMap's", n)
		}
	})
}

// TestDeleteWaitsForFinalizers: after the DELETE the object is waited for
// until gone, the reason naming its finalizers; propagation is Background.
func TestDeleteWaitsForFinalizers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := metav1.Now()
		w := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.com/v1", "kind": "Widget",
			"metadata": map[string]any{"name": "w", "namespace": "shop"}}}
		w.SetFinalizers([]string{"example.com/cleanup"})
		w.SetDeletionTimestamp(&now)
		fake, c := fakeClient(w)
		api := &fakeAPI{}
		api.set([]apitype.Type{{Group: "example.com", Version: "v1", Resource: "widgets", Kind: "Widget", Namespaced: true,
			Verbs: []string{"delete", "list", "watch"}}}, 0)
		c.index = api.index()
		var policy atomic.Value
		fake.PrependReactor("delete", "widgets", func(a clienttesting.Action) (bool, runtime.Object, error) {
			policy.Store(string(*a.(clienttesting.DeleteActionImpl).DeleteOptions.PropagationPolicy))
			return true, nil, nil
		})
		tg, err := c.Delete(t.Context(), decodeOne(t, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n"))
		if err != nil {
			t.Fatal(err)
		}
		watches := fakeWatches(fake, "widgets")
		r := newReasons()
		done := start(t.Context(), tg, r)
		r.await(t, "being deleted, finalizers: example.com/cleanup")
		(<-watches).Delete(w)
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
		if got := policy.Load(); got != string(metav1.DeletePropagationBackground) {
			t.Errorf("propagation %v, want Background", got)
		}
	})
}

// TestDeleteDeniedFails: a webhook that refuses the DELETE fails the target.
func TestDeleteDeniedFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient()
		fake.PrependReactor("delete", "configmaps", func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, status(403, metav1.StatusReasonForbidden, `admission webhook "keep.example.com" denied the request: protected`)
		})
		tg, err := c.Delete(t.Context(), decodeOne(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"))
		if err != nil {
			t.Fatal(err)
		}
		err = tg.Wait(t.Context(), func(string) {})
		if !target.IsFailed(err) || !strings.Contains(err.Error(), "protected") {
			t.Fatalf("Wait() = %v, want the denial", err)
		}
	})
}
