package readiness

import (
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

func TestCRD(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want verdict
	}{
		{"established.yaml", ready},
		{"installing.yaml", pending("Established=False: Installing: the initial names have been accepted")},
		{"plural-conflict.yaml", broken(`names not accepted: PluralConflict: "tenants" is already in use`)},
		{"invalid-ca-bundle.yaml", broken("not established: InvalidCABundle")},
		{"new.yaml", pending("condition NamesAccepted not set")},
		{"terminating.yaml", pending("being deleted")},
		{"stale-condition.yaml", pending("Established=False: InvalidCABundle")},
		{"not-observed.yaml", pending("waiting for generation 3 to be observed (observed 2)")},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			check(t, CRD(load[apiextensionsv1.CustomResourceDefinition](t, "crd/"+tc.file)), tc.want)
		})
	}
}
