package kube

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"

	"github.com/kwait-dev/kwait/pkg/target"
)

// object is a target that waits on what one list+watch selects.
type object struct {
	name string
	ri   dynamic.ResourceInterface
	sel  metav1.ListOptions
	eval evalFunc
}

func (o *object) Name() string { return o.name }

func (o *object) Wait(ctx context.Context, report target.Report) error {
	return until(ctx, o.ri, o.sel, o.eval, report)
}

// byName selects one object by name. A field selector keeps the watch to
// that object, and the apiserver authorizes such a list or watch against
// RBAC resourceNames, so a Role can be limited to the named objects.
func byName(name string) metav1.ListOptions {
	return metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()}
}

// resourceFor returns the client for t in namespace ns.
func (c *Client) resourceFor(t apiType, ns string) dynamic.ResourceInterface {
	r := c.Dynamic.Resource(t.gvr)
	if !t.namespaced {
		return r
	}
	return r.Namespace(ns)
}

// namespace returns ns, or the client's default namespace when ns is empty.
func (c *Client) namespace(ns string) string {
	if ns == "" {
		return c.Namespace
	}
	return ns
}

// single judges the one object a by-name watch sees, converted to T.
func single[T any](judge func(*T) target.Status) evalFunc {
	return func(objs []*unstructured.Unstructured) target.Status {
		if len(objs) == 0 {
			return target.Pending("not found")
		}
		var typed T
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(objs[0].Object, &typed); err != nil {
			return target.Failed("cannot read %s: %v", objs[0].GetName(), err)
		}
		return judge(&typed)
	}
}

// each converts every object a watch sees to T and judges them together.
func each[T any](judge func([]T) target.Status) evalFunc {
	return func(objs []*unstructured.Unstructured) target.Status {
		typed := make([]T, len(objs))
		for i, o := range objs {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &typed[i]); err != nil {
				return target.Failed("cannot read %s: %v", o.GetName(), err)
			}
		}
		return judge(typed)
	}
}
