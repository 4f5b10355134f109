package readiness

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// The rules of types whose controller reports one word, status.phase.

// Namespace is ready when its phase is Active. A Namespace being deleted is
// Terminating, which Unstructured already holds pending.
func Namespace(obj *unstructured.Unstructured) target.Status {
	return wantPhase(obj, "Active")
}

// PersistentVolumeClaim (kstatus's rule, and Helm 3's --wait): ready when
// Bound to a volume. Lost (its volume is gone, data included) fails: no
// controller binds a Lost claim again.
func PersistentVolumeClaim(obj *unstructured.Unstructured) target.Status {
	switch phase := stringField(obj, "status", "phase"); phase {
	case "Bound":
		return target.Ready()
	case "Lost":
		return target.Failed("phase Lost: its PersistentVolume %q is gone", stringField(obj, "spec", "volumeName"))
	}
	return target.Pending("phase %s: no volume bound yet", phaseOr(obj))
}

// PersistentVolume is ready when Bound to a claim or Available for one.
// Failed (its reclamation failed) fails with the volume's message: only an
// administrator can repair it. Released waits: the volume keeps the old
// claim's data until it is reclaimed.
func PersistentVolume(obj *unstructured.Unstructured) target.Status {
	switch phase := stringField(obj, "status", "phase"); phase {
	case "Bound", "Available":
		return target.Ready()
	case "Failed":
		return target.Failed("phase Failed: %s", orNone(detail(stringField(obj, "status", "reason"), stringField(obj, "status", "message"))))
	}
	return target.Pending("phase %s", phaseOr(obj))
}

func wantPhase(obj *unstructured.Unstructured, want string) target.Status {
	if stringField(obj, "status", "phase") == want {
		return target.Ready()
	}
	return target.Pending("phase %s, want %s", phaseOr(obj), want)
}

// phaseOr is status.phase for a reason, or a word saying it is not set.
func phaseOr(obj *unstructured.Unstructured) string {
	if p := stringField(obj, "status", "phase"); p != "" {
		return oneLine(p)
	}
	return "not set"
}

func orNone(s string) string {
	if s == "" {
		return "no reason given"
	}
	return s
}

// stringField reads a string at path in obj; anything else reads as "".
func stringField(obj *unstructured.Unstructured, path ...string) string {
	v, _, _ := unstructured.NestedFieldNoCopy(obj.Object, path...)
	s, _ := v.(string)
	return s
}
