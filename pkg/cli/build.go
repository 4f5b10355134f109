package cli

import (
	"context"

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

func (b *builder) target(ctx context.Context, sp spec.Spec) (target.Target, error) {
	switch sp.Kind {
	case spec.TCP:
		t, err := network.NewTCP(sp.Name, b.o.poll)
		return t, asUsage(err)
	case spec.DNS:
		t, err := network.NewDNS(sp.Name, b.o.poll, nil)
		return t, asUsage(err)
	case spec.Postgres, spec.MySQL, spec.Redis, spec.AMQP, spec.Memcached, spec.MongoDB, spec.Kafka, spec.GRPC:
		t, err := network.NewServer(sp.Name, b.o.poll, b.o.passwords, b.o.tls)
		return t, asUsage(err)
	case spec.HTTP:
		h := b.o.http
		h.URL = sp.Name
		t, err := network.NewHTTP(h, b.o.poll)
		return t, asUsage(err)
	}
	k, err := b.client()
	if err != nil {
		return nil, err
	}
	switch sp.Kind {
	case spec.Apply:
		return b.apply(ctx, k, sp)
	case spec.Delete:
		return b.delete(ctx, k, sp)
	case spec.Admission:
		t, err := k.Admission(ctx, *sp.Object)
		if err != nil {
			// Named by its object: an inline manifest is a long name.
			return nil, usagef("%s/%s: %s", spec.Admission, sp.Object.Name(sp.Object.Object.GetNamespace()), err)
		}
		return t, nil
	}
	kd, ok := kindOf(sp)
	if ok && kd.Select != kind.BySelector && onlyReady(sp.For) {
		// ready alone is the kind's own rule: the same target as
		// KIND/[NS/]NAME, CRDs served and Services' endpoints included.
		if kd.Select == kind.ByServiceName {
			return b.service(ctx, k, sp, kd)
		}
		sp.For = nil
	}
	if len(sp.For) > 0 {
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
func onlyReady(rules []string) bool {
	if len(rules) != 1 {
		return false
	}
	r, err := readiness.ParseRule(rules[0])
	return err == nil && r.IsReady()
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
	o := kube.ResourceOptions{Type: typ, Namespace: sp.Namespace, Name: sp.Name, Failure: b.o.failure}
	for _, s := range sp.For {
		r, err := readiness.ParseRule(s)
		if err != nil {
			return nil, usageError{err}
		}
		o.Rules = append(o.Rules, r)
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
