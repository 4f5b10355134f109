package readiness

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// The rules of built-in types whose controller reports readiness in a
// condition or one status field. Each reads the object as unstructured
// data: their API packages would add to the binary for a field or two.

// ReadyCondition is ready when condition Ready is True (a Node, a
// ServiceCIDR).
func ReadyCondition(obj *unstructured.Unstructured) target.Status {
	return conditionsTrue(obj, "Ready")
}

// HorizontalPodAutoscaler is ready when it reads its metrics and can scale:
// conditions AbleToScale and ScalingActive True.
func HorizontalPodAutoscaler(obj *unstructured.Unstructured) target.Status {
	return conditionsTrue(obj, "AbleToScale", "ScalingActive")
}

// conditionsTrue is ready when every condition named is True (and not
// stale), pending with the first that is not.
func conditionsTrue(obj *unstructured.Unstructured, types ...string) target.Status {
	for _, typ := range types {
		c, ok := findCondition(obj, typ)
		switch {
		case !ok:
			return target.Pending("condition %s not set", typ)
		case c.Status != "True":
			return target.Pending("%s", c)
		case c.ObservedGeneration != 0 && c.ObservedGeneration < obj.GetGeneration():
			return target.Pending("condition %s: waiting for generation %d to be observed (observed %d)",
				c.Type, obj.GetGeneration(), c.ObservedGeneration)
		}
	}
	return target.Ready()
}

// CertificateSigningRequest is ready once approved and its certificate
// issued (status.certificate). Denied or Failed=True fails, with the
// condition's reason and message: neither is ever lifted.
func CertificateSigningRequest(obj *unstructured.Unstructured) target.Status {
	for _, typ := range []string{"Denied", "Failed"} {
		if c, ok := findCondition(obj, typ); ok && c.Status == "True" {
			return target.Failed("%s: %s", c.Type, failText(c))
		}
	}
	if c, ok := findCondition(obj, "Approved"); !ok || c.Status != "True" {
		return target.Pending("not approved yet")
	}
	if stringField(obj, "status", "certificate") == "" {
		return target.Pending("approved, no certificate issued yet")
	}
	return target.Ready()
}

// ResourceQuota is ready once the quota controller has computed its usage:
// status.hard lists every resource spec.hard limits. Until then the quota
// admission plugin refuses what the quota covers.
func ResourceQuota(obj *unstructured.Unstructured) target.Status {
	spec, _, _ := unstructured.NestedMap(obj.Object, "spec", "hard")
	status, _, _ := unstructured.NestedMap(obj.Object, "status", "hard")
	for name := range spec {
		if _, ok := status[name]; !ok {
			return target.Pending("usage not computed yet (%s)", oneLine(name))
		}
	}
	return target.Ready()
}

// VolumeAttachment is ready once status.attached is true; an attach error
// is shown while the external attacher retries.
func VolumeAttachment(obj *unstructured.Unstructured) target.Status {
	if attached, _, _ := unstructured.NestedBool(obj.Object, "status", "attached"); attached {
		return target.Ready()
	}
	if msg := stringField(obj, "status", "attachError", "message"); msg != "" {
		return target.Pending("not attached: %s", oneLine(msg))
	}
	return target.Pending("not attached yet")
}

// ResourceClaim is ready once allocated (status.allocation set), that is
// the scheduler has found devices for it.
func ResourceClaim(obj *unstructured.Unstructured) target.Status {
	if a, _, _ := unstructured.NestedMap(obj.Object, "status", "allocation"); len(a) > 0 {
		return target.Ready()
	}
	return target.Pending("not allocated yet")
}

// FlowSchema is ready unless the apiserver marks it Dangling=True: its
// priority level does not exist, so it sends requests nowhere.
func FlowSchema(obj *unstructured.Unstructured) target.Status {
	if c, ok := findCondition(obj, "Dangling"); ok && c.Status == "True" {
		return target.Pending("%s", c)
	}
	return target.Ready()
}
