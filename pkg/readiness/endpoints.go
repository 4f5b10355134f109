package readiness

import (
	"github.com/kwait-dev/kwait/pkg/target"
)

// EndpointSlices decides whether a Service has at least one endpoint ready
// to receive traffic, given the EndpointSlices labelled with its name.
//
// Rules, first match wins:
//  1. No slices (or only slices being deleted): Pending "no EndpointSlices".
//  2. Some endpoint has at least one address and conditions.ready unset or
//     true: Ready. The API defines an unset ready condition as ready, and
//     some controllers leave it unset.
//  3. No endpoint with an address: Pending "no endpoints".
//  4. Otherwise Pending "no ready endpoints", counting the ones not ready.
func EndpointSlices(slices []*EndpointSliceFields) target.Status {
	var seen, total int
	for _, s := range slices {
		if s.DeletionTimestamp != nil {
			continue
		}
		seen++
		for _, ep := range s.Endpoints {
			if len(ep.Addresses) == 0 {
				continue
			}
			if ep.Conditions.Ready == nil || *ep.Conditions.Ready {
				return target.Ready()
			}
			total++
		}
	}
	switch {
	case seen == 0:
		return target.Pending("no EndpointSlices")
	case total == 0:
		return target.Pending("no endpoints")
	}
	return target.Pending("no ready endpoints (%d not ready)", total)
}

// EndpointSlice judges one EndpointSlice as EndpointSlices judges a
// Service's: ready with one ready endpoint that has an address.
func EndpointSlice(s *EndpointSliceFields) target.Status {
	return EndpointSlices([]*EndpointSliceFields{s})
}
