package kube

import (
	"context"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// webhooks waits until a Validating- or MutatingWebhookConfiguration's
// webhooks all have a caBundle, then until every Service they call has a
// ready endpoint, judged as a service target judges it. Both are read, not
// called: a dry-run create (an admission target) proves the webhooks
// answer.
type webhooks struct {
	*object
	c *Client
}

func (w *webhooks) Wait(ctx context.Context, report target.Report) error {
	obj, err := w.holding(ctx, report)
	if err != nil {
		return err
	}
	cfg, err := typed[readiness.WebhookConfigObject](obj)
	if err != nil {
		return err
	}
	service, ok := kind.Lookup("service")
	if !ok {
		panic("kube: no service kind") // the table always has it
	}
	for _, s := range readiness.WebhookServices(cfg) {
		prefix := "caBundles set; service " + s.Namespace + "/" + s.Name + ": "
		err := w.c.Kind(service, s.Namespace, s.Name, kind.Params{}).Wait(ctx, func(reason string) { report(prefix + reason) })
		if err != nil {
			return err
		}
	}
	return nil
}
