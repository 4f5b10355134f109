package readiness

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kwait-dev/kwait/pkg/target"
)

// WebhookConfigObject is what kwait reads of a ValidatingWebhookConfiguration
// or a MutatingWebhookConfiguration, which share these fields. The API
// package of those types would add half a megabyte to the binary for them.
type WebhookConfigObject struct {
	metav1.ObjectMeta `json:"metadata"`
	Webhooks          []Webhook `json:"webhooks"`
}

// Webhook is one webhook of a configuration.
type Webhook struct {
	Name         string `json:"name"`
	ClientConfig struct {
		// URL and Service are exclusive: the API requires exactly one.
		URL      *string     `json:"url"`
		Service  *ServiceRef `json:"service"`
		CABundle []byte      `json:"caBundle"`
	} `json:"clientConfig"`
}

// ServiceRef names the Service a webhook or an APIService calls.
type ServiceRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// WebhookConfiguration decides whether the apiserver can call every webhook
// of a Validating- or MutatingWebhookConfiguration as far as the
// configuration tells: each one trusts a CA. Whether the Services behind
// them have a ready endpoint is checked afterwards (WebhookServices names
// them); a webhook called by URL is judged by this rule only.
//
// Rules, first match wins:
//  1. metadata.deletionTimestamp set: Pending, the configuration is going
//     away.
//  2. A webhook without clientConfig.caBundle: Pending, naming it. A
//     certificate injector (cert-manager's cainjector, an operator's own)
//     fills it in after the configuration is created; until then every call
//     fails TLS verification. (A webhook whose server has a certificate of
//     a public CA works without one; wait for it with a :create rule.)
//  3. A caBundle without a PEM certificate, or with one that does not
//     parse: Pending, naming the webhook. The apiserver refuses to call a
//     webhook with such a bundle ("unable to load root certificates"), and
//     the injector may still replace it.
//  4. Otherwise Ready, also with no webhooks at all (nothing to call).
func WebhookConfiguration(c *WebhookConfigObject) target.Status {
	if c.DeletionTimestamp != nil {
		return target.Pending("being deleted")
	}
	for _, w := range c.Webhooks {
		switch {
		case len(w.ClientConfig.CABundle) == 0:
			return target.Pending("webhook %s: no caBundle yet", oneLine(w.Name))
		}
		if err := certificates(w.ClientConfig.CABundle); err != nil {
			return target.Pending("webhook %s: caBundle %s", oneLine(w.Name), err)
		}
	}
	return target.Ready()
}

// WebhookServices lists the Services the webhooks of c call, each once, in
// the order they first appear.
func WebhookServices(c *WebhookConfigObject) []ServiceRef {
	var out []ServiceRef
	for _, w := range c.Webhooks {
		if s := w.ClientConfig.Service; s != nil && !slices.Contains(out, *s) {
			out = append(out, *s)
		}
	}
	return out
}

// certificates checks a PEM bundle as the apiserver loads it: at least one
// CERTIFICATE block, and every one of them a certificate that parses.
func certificates(bundle []byte) error {
	n := 0
	for {
		var b *pem.Block
		b, bundle = pem.Decode(bundle)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		n++
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return fmt.Errorf("certificate %d does not parse: %s", n, oneLine(err.Error()))
		}
	}
	if n == 0 {
		return errors.New("holds no PEM certificate")
	}
	return nil
}
