package cli

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/kube"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// builder turns specs into targets, connecting to the cluster only if a
// Kubernetes target needs it.
type builder struct {
	o         options
	userAgent string
	log       *zap.Logger
	kube      *kube.Client
}

// build turns specs into targets. ctx bounds what building asks the
// apiserver (which types it serves).
func (b *builder) build(ctx context.Context, specs []spec.Spec) ([]target.Target, error) {
	out := make([]target.Target, 0, len(specs))
	for _, sp := range specs {
		t, err := b.target(ctx, sp)
		if err != nil {
			return nil, err
		}
		if sp.Timeout > 0 {
			t = target.WithDeadline(t, sp.Timeout)
		}
		out = append(out, t)
	}
	return out, nil
}

// target builds one spec's target with its family member's builder.
func (b *builder) target(ctx context.Context, sp spec.Spec) (target.Target, error) {
	m, ok := memberOf(sp.Kind)
	if !ok || m.build == nil {
		// A row without a builder: TestFamiliesComplete fails first.
		return nil, fmt.Errorf("%s: kind %q has no builder", sp, sp.Kind)
	}
	return m.build(b, ctx, sp)
}

// network builds the target of a network kind; it never talks to the
// cluster.
func (b *builder) network(nk network.Kind, sp spec.Spec) (target.Target, error) {
	t, err := nk.New(sp.Name, b.o.network)
	return t, asUsage(err)
}

// kubernetes builds the target of a kind of package kind or of a resource:
// judged by the kind's own rule, or by the spec's rules.
func (b *builder) kubernetes(ctx context.Context, sp spec.Spec) (target.Target, error) {
	k, err := b.client()
	if err != nil {
		return nil, err
	}
	kd, ok := kindOf(sp)
	if ok && kd.Select != kind.BySelector && onlyReady(sp.Rules) {
		// ready alone is the kind's own rule: the same target as
		// KIND/[NS/]NAME, CRDs served and Services' endpoints included.
		if kd.Select == kind.ByServiceName {
			return b.service(ctx, k, sp, kd)
		}
		sp.For, sp.Rules = nil, nil
	}
	if len(sp.Rules) > 0 {
		return b.resource(ctx, k, sp)
	}
	if !ok {
		return nil, usagef("%s: unknown kind %q", sp, sp.Kind)
	}
	name := sp.Name
	if kd.Select == kind.BySelector {
		name = sp.Selector
	}
	t := k.Kind(kd, sp.Namespace, name, kind.Params{Min: b.o.min})
	return k.WithFailure(t, kd, sp.Namespace, name, b.o.failure), nil
}

// service is ready alone on a Service: its object's row in the built-in
// table (a LoadBalancer's address), then a ready endpoint as the service
// kind judges it.
func (b *builder) service(ctx context.Context, k *kube.Client, sp spec.Spec, kd kind.Kind) (target.Target, error) {
	n, err := apitype.ParseName(kd.Type.String())
	if err != nil {
		return nil, usageError{err}
	}
	obj, err := k.Resource(ctx, kube.ResourceOptions{Type: n, Namespace: sp.Namespace, Name: sp.Name,
		Rules: []readiness.Rule{readiness.Ready()}, Failure: b.o.failure})
	if err != nil {
		return nil, usagef("%s: %s", sp, err)
	}
	endpoints := k.WithFailure(k.Kind(kd, sp.Namespace, sp.Name, kind.Params{}), kd, sp.Namespace, sp.Name, b.o.failure)
	return target.InTurn(obj, endpoints), nil
}

// onlyReady reports whether rules are the ready rule alone.
func onlyReady(rules []readiness.Rule) bool {
	return len(rules) == 1 && rules[0].IsReady()
}

// kindOf is the kind of package kind a Kubernetes target names, by its kind
// or, for a resource, by its type.
func kindOf(sp spec.Spec) (kind.Kind, bool) {
	if sp.Kind != spec.Resource {
		return kind.Lookup(sp.Kind)
	}
	t, ok := apitype.ResolveBuiltin(sp.Type)
	if !ok {
		return kind.Kind{}, false
	}
	for _, kd := range kind.All() {
		if kd.Type.GVR() == t.GVR() {
			return kd, true
		}
	}
	return kind.Kind{}, false
}

// resource builds a target judged by --for rules: for a kind of package
// kind, the object of the kind's type with the target's name.
func (b *builder) resource(ctx context.Context, k *kube.Client, sp spec.Spec) (target.Target, error) {
	typ := sp.Type
	if sp.Kind != spec.Resource {
		kd, ok := kind.Lookup(sp.Kind)
		if !ok {
			return nil, usagef("%s: unknown kind %q", sp, sp.Kind)
		}
		n, err := apitype.ParseName(kd.Type.String())
		if err != nil {
			return nil, usageError{err}
		}
		typ = n
	}
	o := kube.ResourceOptions{Type: typ, Namespace: sp.Namespace, Name: sp.Name, Rules: sp.Rules, Failure: b.o.failure}
	for _, r := range sp.Rules {
		if !r.IsReady() {
			continue
		}
		if kd, ok := kindOf(sp); ok && kd.Watch.GVR() != kd.Type.GVR() {
			// A kind judged by what it watches, not by its own object
			// (a Service by its EndpointSlices), has no rule for the
			// object alone.
			return nil, usagef("%s: ready on a %s cannot be combined with other rules; give it alone (%s/[NS/]NAME)", sp, kd.Name, kd.Name)
		}
	}
	t, err := k.Resource(ctx, o)
	if err != nil {
		return nil, usagef("%s: %s", sp, err)
	}
	return t, nil
}

// admission builds the target dry-run creating one object of a manifest.
func (b *builder) admission(ctx context.Context, sp spec.Spec) (target.Target, error) {
	return b.manifestObject(sp, func(k *kube.Client) (target.Target, error) { return k.Admission(ctx, *sp.Object) })
}

// apply builds the target applying one object of a manifest.
func (b *builder) apply(ctx context.Context, sp spec.Spec) (target.Target, error) {
	o := kube.ApplyOptions{FieldManager: b.o.fieldManager, Force: b.o.forceConflicts, Failure: b.o.failure, Rules: b.o.rules}
	return b.manifestObject(sp, func(k *kube.Client) (target.Target, error) { return k.Apply(ctx, *sp.Object, o) })
}

// delete builds the target deleting one object of a manifest.
func (b *builder) delete(ctx context.Context, sp spec.Spec) (target.Target, error) {
	return b.manifestObject(sp, func(k *kube.Client) (target.Target, error) { return k.Delete(ctx, *sp.Object) })
}

// manifestObject builds a manifest verb's target for one object with the
// cluster's client; a refusal is bad usage, named by the verb and the
// object (an inline manifest is a long name).
func (b *builder) manifestObject(sp spec.Spec, build func(*kube.Client) (target.Target, error)) (target.Target, error) {
	k, err := b.client()
	if err != nil {
		return nil, err
	}
	t, err := build(k)
	if err != nil {
		return nil, usagef("%s/%s: %s", sp.Kind, sp.Object.Name(sp.Object.Object.GetNamespace()), err)
	}
	return t, nil
}

// client connects to the cluster once, on first use.
func (b *builder) client() (*kube.Client, error) {
	if b.kube != nil {
		return b.kube, nil
	}
	cfg, ns, err := kube.LoadConfig(kube.ConfigOptions{
		Kubeconfig: b.o.kubeconfig,
		Context:    b.o.context,
		UserAgent:  b.userAgent,
		Warn:       func(text string) { b.log.Warn("apiserver warning", zap.String("text", text)) },
	})
	if err != nil {
		return nil, usageError{err}
	}
	if b.o.namespace != "" {
		ns = b.o.namespace
	}
	k, err := kube.NewClient(cfg, ns, func(line string) { b.log.Warn("credential plugin", zap.String("line", line)) })
	if err != nil {
		return nil, usageError{err}
	}
	b.kube = k
	return k, nil
}

func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}
