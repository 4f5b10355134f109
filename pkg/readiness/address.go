package readiness

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// The rules of types that are ready once they publish an address.

// LoadBalancer is the object rule of a Service (kstatus's, stricter): a
// Service of type LoadBalancer is ready once its load balancer published
// an address (status.loadBalancer.ingress); any other Service once it
// exists. Which pods answer behind it is what the service kind judges.
func LoadBalancer(obj *unstructured.Unstructured) target.Status {
	if stringField(obj, "spec", "type") != "LoadBalancer" {
		return target.Ready()
	}
	return published(obj, "no load balancer address yet")
}

// Ingress is ready once its ingress controller published an address
// (status.loadBalancer.ingress), as Helm 3's --wait judged it. A controller
// that never publishes one leaves it pending: wait for such an Ingress with
// create.
func Ingress(obj *unstructured.Unstructured) target.Status {
	return published(obj, "no address published by its ingress controller yet")
}

func published(obj *unstructured.Unstructured, pending string) target.Status {
	if ing, _, _ := unstructured.NestedSlice(obj.Object, "status", "loadBalancer", "ingress"); len(ing) > 0 {
		return target.Ready()
	}
	return target.Pending("%s", pending)
}

// Endpoints (the legacy API) is ready when a subset lists a ready address
// (subsets[].addresses; notReadyAddresses do not count).
func Endpoints(obj *unstructured.Unstructured) target.Status {
	subsets, _, _ := unstructured.NestedSlice(obj.Object, "subsets")
	for _, s := range subsets {
		if m, ok := s.(map[string]any); ok {
			if a, ok := m["addresses"].([]any); ok && len(a) > 0 {
				return target.Ready()
			}
		}
	}
	return target.Pending("no ready addresses")
}
