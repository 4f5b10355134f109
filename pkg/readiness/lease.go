package readiness

import (
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// Lease judges a coordination Lease now: ready while someone
// holds it (spec.holderIdentity) and its last renewal (spec.renewTime, else
// spec.acquireTime) plus spec.leaseDurationSeconds lies after now. A lease
// whose holder stopped renewing is pending until a holder renews it, which
// changes the object, so a watch sees it. Without a duration a held lease
// counts as held.
func Lease(obj *unstructured.Unstructured) target.Status { return leaseAt(obj, time.Now()) }

func leaseAt(obj *unstructured.Unstructured, now time.Time) target.Status {
	holder := stringField(obj, "spec", "holderIdentity")
	if holder == "" {
		return target.Pending("not held")
	}
	renewed := stringField(obj, "spec", "renewTime")
	if renewed == "" {
		renewed = stringField(obj, "spec", "acquireTime")
	}
	seconds, ok := intField(obj.Object, "spec", "leaseDurationSeconds")
	if !ok || renewed == "" {
		return target.Ready()
	}
	at, err := time.Parse(time.RFC3339Nano, renewed)
	if err != nil {
		return target.Pending("held by %s, renew time %q unreadable", oneLine(holder), oneLine(renewed))
	}
	if expiry := at.Add(time.Duration(seconds) * time.Second); !expiry.After(now) {
		return target.Pending("held by %s, expired at %s", oneLine(holder), expiry.UTC().Format(time.RFC3339))
	}
	return target.Ready()
}
