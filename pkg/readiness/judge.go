package readiness

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kwait-dev/kwait/pkg/target"
)

// Judge gives the verdict on the objects one list+watch currently sees,
// sorted by namespace and name; an empty slice means none exist.
type Judge func(objs []*unstructured.Unstructured) target.Status

// One judges the single object a by-name watch sees, converted to T; no
// object is pending "not found".
func One[T any](rule func(*T) target.Status) Judge {
	return func(objs []*unstructured.Unstructured) target.Status {
		if len(objs) == 0 {
			return target.Pending("not found")
		}
		var typed T
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(objs[0].Object, &typed); err != nil {
			return target.Failed("cannot read %s: %v", objs[0].GetName(), err)
		}
		return rule(&typed)
	}
}

// Each converts every object a watch sees to T and judges them together.
func Each[T any](rule func([]T) target.Status) Judge {
	return func(objs []*unstructured.Unstructured) target.Status {
		typed := make([]T, len(objs))
		for i, o := range objs {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &typed[i]); err != nil {
				return target.Failed("cannot read %s: %v", o.GetName(), err)
			}
		}
		return rule(typed)
	}
}
