package readiness

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

func TestAPIService(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want verdict
		gv   string
	}{
		{"available.yaml", ready, "metrics.k8s.io/v1beta1"},
		{"local.yaml", ready, "v1"},
		{"missing-endpoints.yaml", pending(`Available=False: MissingEndpoints: endpoints for service/metrics-server in "kube-system" have no addresses`), "metrics.k8s.io/v1beta1"},
		{"new.yaml", pending("condition Available not set"), "example.com/v1alpha1"},
		{"deleting.yaml", pending("being deleted"), "metrics.k8s.io/v1beta1"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			obj := loadUnstructured(t, "apiservice/"+tc.file)
			check(t, One(APIService)([]*unstructured.Unstructured{obj}), tc.want)
			var gv string
			One(func(a *APIServiceFields) target.Status { gv = a.GroupVersion(); return target.Status{} })([]*unstructured.Unstructured{obj})
			if gv != tc.gv {
				t.Errorf("GroupVersion() = %q, want %q", gv, tc.gv)
			}
		})
	}
}
