package readiness

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kwait-dev/kwait/pkg/target"
)

// APIServiceFields is what kwait reads of an APIService
// (apiregistration.k8s.io/v1); its API package is not linked in.
type APIServiceFields struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		// Group is empty for the core group's local APIService, "v1.".
		Group   string `json:"group"`
		Version string `json:"version"`
		// Service is nil for an API the apiserver serves itself.
		Service *ServiceRef `json:"service"`
	} `json:"spec"`
	Status struct {
		Conditions []struct {
			Type    string `json:"type"`
			Status  string `json:"status"`
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"conditions"`
	} `json:"status"`
}

// GroupVersion is the group/version the APIService serves, as discovery
// paths name it: "metrics.k8s.io/v1beta1", or "v1" for the core group.
func (a *APIServiceFields) GroupVersion() string {
	if a.Spec.Group == "" {
		return a.Spec.Version
	}
	return a.Spec.Group + "/" + a.Spec.Version
}

// APIService decides whether an APIService is available: the aggregator
// has reached the server behind it (or serves it locally). Whether its
// group/version then answers discovery is checked afterwards.
//
// An APIService never fails for good: its server may come up at any time.
//
// Rules, first match wins:
//  1. metadata.deletionTimestamp set: Pending, the APIService is going away.
//  2. Condition Available=True: Ready.
//  3. Condition Available with another status: Pending, with its reason and
//     message ("FailedDiscoveryCheck: failing or missing response from
//     https://10.0.0.7:443/apis/metrics.k8s.io/v1beta1", "MissingEndpoints:
//     endpoints for service/metrics-server in "kube-system" have no
//     addresses").
//  4. Otherwise Pending: the aggregator has not judged it yet.
func APIService(a *APIServiceFields) target.Status {
	if a.DeletionTimestamp != nil {
		return target.Pending("being deleted")
	}
	for _, c := range a.Status.Conditions {
		if c.Type != "Available" {
			continue
		}
		if c.Status == "True" {
			return target.Ready()
		}
		return target.Pending("%s", describeCondition(c.Type, c.Status, c.Reason, c.Message))
	}
	return target.Pending("condition Available not set")
}
