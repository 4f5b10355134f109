package readiness

import (
	"testing"

	discoveryv1 "k8s.io/api/discovery/v1"
)

func TestEndpointSlices(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want verdict
	}{
		{"empty.yaml", pending("no EndpointSlices")},
		{"not-ready.yaml", pending("no ready endpoints (2 not ready)")},
		{"ready.yaml", ready},
		{"nil-ready.yaml", ready},
		{"no-endpoints.yaml", pending("no endpoints")},
		{"deleting.yaml", pending("no EndpointSlices")},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			check(t, EndpointSlices(loadItemsAs[discoveryv1.EndpointSliceList, EndpointSliceFields](t, "endpointslices/"+tc.file)), tc.want)
		})
	}
}
