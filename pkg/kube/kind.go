package kube

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/target"
)

// serviceNameLabel is the label the control plane puts on a Service's
// EndpointSlices.
const serviceNameLabel = "kubernetes.io/service-name"

// Kind waits for a target of kind k with that kind's own rule: the object
// ns/name (or the objects the selector matches, for pods). An empty ns is
// the client's default namespace.
func (c *Client) Kind(k kind.Kind, ns, name string, p kind.Params) target.Target {
	if k.Served {
		return &crd{name: name, c: c}
	}
	ns = c.namespaceOr(ns)
	o := &object{ri: c.resourceFor(k.Watch, ns), judge: k.Judge(p), streams: c.streams}
	switch k.Select {
	case kind.ByName:
		o.sel = byName(name)
	case kind.ByServiceName:
		o.sel = metav1.ListOptions{LabelSelector: serviceNameLabel + "=" + name}
	case kind.BySelector:
		o.sel = metav1.ListOptions{LabelSelector: name}
	}
	o.name = objectName(k.Name, k.Type.Namespaced, ns, name)
	return o
}
