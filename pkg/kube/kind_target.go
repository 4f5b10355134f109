package kube

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/target"
)

// serviceNameLabel is the label the control plane puts on a Service's
// EndpointSlices.
const serviceNameLabel = "kubernetes.io/service-name"

// Kind waits for a target of kind k with that kind's own rule: the object
// ns/name (or the objects the selector matches, for pods), then what the
// kind's Then asks for. An empty ns is the client's default namespace.
func (c *Client) Kind(k kind.Kind, ns, name string, p kind.Params) target.Target {
	if k.Then == kind.ThenServed {
		return &crd{name: name, c: c, siblings: c.cohorts.join(name)}
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
	switch k.Then {
	case kind.ThenEndpoints:
		return &webhooks{object: o, c: c}
	case kind.ThenDiscovery:
		return &apiService{object: o, c: c}
	}
	return o
}

// holding waits until o's rule holds and returns the object it held on.
func (o *object) holding(ctx context.Context, report target.Report) (*unstructured.Unstructured, error) {
	var held *unstructured.Unstructured
	judge := func(objs []*unstructured.Unstructured) target.Status {
		st := o.judge(objs)
		if st.Phase == target.PhaseReady && len(objs) > 0 {
			held = objs[0]
		}
		return st
	}
	if err := until(ctx, o.streams, o.ri, o.sel, judge, report); err != nil {
		return nil, err
	}
	return held, nil
}

// typed converts an object to T, as the rule that held on it did.
func typed[T any](obj *unstructured.Unstructured) (*T, error) {
	var out T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &out); err != nil {
		return nil, target.Failed("cannot read %s: %v", obj.GetName(), err).Err()
	}
	return &out, nil
}
