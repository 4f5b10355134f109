package kube

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// Deployment waits for a Deployment's rollout, as kubectl rollout status.
func (c *Client) Deployment(ns, name string) target.Target {
	return c.named("deployment", deploymentType, ns, name, single(readiness.Deployment))
}

// StatefulSet waits for a StatefulSet's rollout.
func (c *Client) StatefulSet(ns, name string) target.Target {
	return c.named("statefulset", statefulSetType, ns, name, single(readiness.StatefulSet))
}

// DaemonSet waits for a DaemonSet's rollout.
func (c *Client) DaemonSet(ns, name string) target.Target {
	return c.named("daemonset", daemonSetType, ns, name, single(readiness.DaemonSet))
}

// Job waits for a Job to complete; a failed Job fails the wait.
func (c *Client) Job(ns, name string) target.Target {
	return c.named("job", jobType, ns, name, single(readiness.Job))
}

// named is a target on one namespaced object of type t, called
// KIND/NAMESPACE/NAME.
func (c *Client) named(kind string, t apiType, ns, name string, eval evalFunc) target.Target {
	ns = c.namespace(ns)
	return &object{name: kind + "/" + ns + "/" + name, ri: c.resourceFor(t, ns), sel: byName(name), eval: eval}
}

// Pods waits until at least min pods match selector and all of them are
// Ready.
func (c *Client) Pods(ns, selector string, min int) target.Target {
	ns = c.namespace(ns)
	return &object{name: "pods/" + ns + "/" + selector, ri: c.resourceFor(podType, ns),
		sel:  metav1.ListOptions{LabelSelector: selector},
		eval: each(func(pods []corev1.Pod) target.Status { return readiness.Pods(pods, min) })}
}

// Service waits until a Service has at least one ready endpoint, read from
// the EndpointSlices the control plane keeps for it.
func (c *Client) Service(ns, name string) target.Target {
	ns = c.namespace(ns)
	return &object{name: "service/" + ns + "/" + name, ri: c.resourceFor(endpointSliceType, ns),
		sel:  metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + name},
		eval: each(readiness.EndpointSlices)}
}
