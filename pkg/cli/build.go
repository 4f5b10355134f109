package cli

import (
	"net/http"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/kube"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// ruleTypes are the resource types a built-in kind's ":RULE" applies to.
var ruleTypes = map[spec.Kind]string{
	spec.CRD:         "customresourcedefinitions.apiextensions.k8s.io",
	spec.Deployment:  "deployments.apps",
	spec.StatefulSet: "statefulsets.apps",
	spec.DaemonSet:   "daemonsets.apps",
	spec.Job:         "jobs.batch",
	spec.Service:     "services",
}

// builder turns specs into targets, connecting to the cluster only if a
// Kubernetes target needs it.
type builder struct {
	c    *cli.Context
	kube *kube.Client
}

func build(c *cli.Context, specs []spec.Spec) ([]target.Target, error) {
	b := &builder{c: c}
	out := make([]target.Target, 0, len(specs))
	for _, sp := range specs {
		t, err := b.target(sp)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (b *builder) target(sp spec.Spec) (target.Target, error) {
	switch sp.Kind {
	case spec.TCP:
		p, err := b.poll()
		if err != nil {
			return nil, err
		}
		t, err := network.NewTCP(sp.Name, p)
		return t, asUsage(err)
	case spec.DNS:
		p, err := b.poll()
		if err != nil {
			return nil, err
		}
		t, err := network.NewDNS(sp.Name, p, nil)
		return t, asUsage(err)
	case spec.HTTP:
		return b.http(sp)
	}
	k, err := b.client()
	if err != nil {
		return nil, err
	}
	if len(sp.For) > 0 || sp.Kind == spec.Resource {
		return b.resource(k, sp)
	}
	switch sp.Kind {
	case spec.CRD:
		return k.CRD(sp.Name), nil
	case spec.Deployment:
		return k.Deployment(sp.Namespace, sp.Name), nil
	case spec.StatefulSet:
		return k.StatefulSet(sp.Namespace, sp.Name), nil
	case spec.DaemonSet:
		return k.DaemonSet(sp.Namespace, sp.Name), nil
	case spec.Job:
		return k.Job(sp.Namespace, sp.Name), nil
	case spec.Service:
		return k.Service(sp.Namespace, sp.Name), nil
	case spec.Pods:
		min := b.c.Int(flagMin)
		if min < 1 {
			return nil, usagef("--min must be at least 1, got %d", min)
		}
		return k.Pods(sp.Namespace, sp.Selector, min), nil
	}
	return nil, usagef("%s: unknown kind %q", sp, sp.Kind)
}

// resource builds a target judged by --for rules.
func (b *builder) resource(k *kube.Client, sp spec.Spec) (target.Target, error) {
	typ := sp.Type
	if sp.Kind != spec.Resource {
		typ = ruleTypes[sp.Kind]
		if typ == "" {
			return nil, usagef("%s: %s targets take no rule", sp, sp.Kind)
		}
	}
	rules := make([]readiness.Rule, 0, len(sp.For))
	for _, s := range sp.For {
		r, err := readiness.ParseRule(s)
		if err != nil {
			return nil, usageError{err}
		}
		rules = append(rules, r)
	}
	t, err := k.Resource(typ, sp.Namespace, sp.Name, rules)
	return t, asUsage(err)
}

func (b *builder) http(sp spec.Spec) (target.Target, error) {
	o := network.HTTPOptions{
		URL:          sp.Name,
		Method:       b.c.String(flagMethod),
		BodyContains: b.c.String(flagBodyContains),
		BodyRegexp:   b.c.String(flagBodyRegex),
		CAFile:       b.c.String(flagCAFile),
		Insecure:     b.c.Bool(flagInsecure),
		Headers:      http.Header{},
	}
	if s := b.c.String(flagStatus); s != "" {
		set, err := network.ParseStatuses(s)
		if err != nil {
			return nil, usagef("--status: %s", err)
		}
		o.Statuses = set
	}
	for _, h := range b.c.StringSlice(flagHeader) {
		name, value, err := network.ParseHeader(h)
		if err != nil {
			return nil, usagef("--header: %s", err)
		}
		o.Headers.Add(name, value)
	}
	p, err := b.poll()
	if err != nil {
		return nil, err
	}
	t, err := network.NewHTTP(o, p)
	return t, asUsage(err)
}

// poll reads the retry settings of network targets.
func (b *builder) poll() (network.Poll, error) {
	p := network.Poll{AttemptTimeout: b.c.Duration(flagAttemptTimeout), MaxInterval: b.c.Duration(flagMaxInterval)}
	if p.AttemptTimeout <= 0 {
		return p, usagef("--%s must be positive, got %s", flagAttemptTimeout, p.AttemptTimeout)
	}
	if p.MaxInterval <= 0 {
		return p, usagef("--%s must be positive, got %s", flagMaxInterval, p.MaxInterval)
	}
	return p, nil
}

// client connects to the cluster once, on first use.
func (b *builder) client() (*kube.Client, error) {
	if b.kube != nil {
		return b.kube, nil
	}
	cfg, ns, err := kube.LoadConfig(kube.ConfigOptions{
		Kubeconfig: b.c.String(flagKubeconfig),
		Context:    b.c.String(flagContext),
		UserAgent:  "kwait/" + b.c.App.Version,
	})
	if err != nil {
		return nil, usageError{err}
	}
	if n := b.c.String(flagNamespace); n != "" {
		if err := spec.ValidateNamespace(n); err != nil {
			return nil, usagef("--namespace: %s", err)
		}
		ns = n
	}
	k, err := kube.NewClient(cfg, ns)
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
