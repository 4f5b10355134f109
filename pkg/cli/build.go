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
func build(ctx context.Context, o options, specs []spec.Spec, userAgent string, log *zap.Logger) ([]target.Target, error) {
	b := &builder{o: o, userAgent: userAgent, log: log}
	out := make([]target.Target, 0, len(specs))
	for _, sp := range specs {
		t, err := b.target(ctx, sp)
		if err != nil {
			return nil, err
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
	case spec.Postgres, spec.MySQL, spec.Redis, spec.AMQP:
		t, err := network.NewServer(sp.Name, b.o.poll)
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
	if len(sp.For) > 0 {
		return b.resource(ctx, k, sp)
	}
	kd, ok := kind.Lookup(sp.Kind)
	if !ok {
		return nil, usagef("%s: unknown kind %q", sp, sp.Kind)
	}
	name := sp.Name
	if kd.Select == kind.BySelector {
		name = sp.Selector
	}
	return k.Kind(kd, sp.Namespace, name, kind.Params{Min: b.o.min}), nil
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
	rules := make([]readiness.Rule, 0, len(sp.For))
	for _, s := range sp.For {
		r, err := readiness.ParseRule(s)
		if err != nil {
			return nil, usageError{err}
		}
		rules = append(rules, r)
	}
	t, err := k.Resource(ctx, kube.ResourceOptions{Type: typ, Namespace: sp.Namespace, Name: sp.Name, Rules: rules})
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
