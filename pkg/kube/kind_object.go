package kube

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/dynamic"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// object is a target that waits on what one list+watch selects.
type object struct {
	name    string
	ri      dynamic.ResourceInterface
	sel     metav1.ListOptions
	judge   readiness.Judge
	streams *streams
}

func (o *object) Name() string { return o.name }

func (o *object) Wait(ctx context.Context, report target.Report) error {
	return until(ctx, o.streams, o.ri, o.sel, o.judge, report)
}

// byName selects one object by name. A field selector keeps the watch to
// that object, and the apiserver authorizes such a list or watch against
// RBAC resourceNames, so a Role can be limited to the named objects.
func byName(name string) metav1.ListOptions {
	return metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()}
}

// resourceFor returns the client for t in namespace ns (ignored for a
// cluster-scoped type).
func (c *Client) resourceFor(t apitype.Type, ns string) dynamic.ResourceInterface {
	r := c.dynamic.Resource(t.GVR())
	if !t.Namespaced {
		return r
	}
	return r.Namespace(ns)
}

// namespaceOr returns ns, or the client's default namespace when ns is empty.
func (c *Client) namespaceOr(ns string) string {
	if ns == "" {
		return c.namespace
	}
	return ns
}

// objectName is how messages name an object: PREFIX/NS/NAME, or
// PREFIX/NAME for a cluster-scoped one.
func objectName(prefix string, namespaced bool, ns, name string) string {
	if !namespaced {
		return prefix + "/" + name
	}
	return prefix + "/" + ns + "/" + name
}
