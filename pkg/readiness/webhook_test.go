package readiness

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

func TestWebhookConfiguration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file     string
		want     verdict
		services []ServiceRef
	}{
		{"ready.yaml", ready, []ServiceRef{{Namespace: "cert-manager", Name: "cert-manager-webhook"}}},
		{"no-cabundle.yaml", pending("webhook webhook.cert-manager.io: no caBundle yet"), []ServiceRef{{Namespace: "cert-manager", Name: "cert-manager-webhook"}}},
		{"second-no-cabundle.yaml", pending("webhook second.example.com: no caBundle yet"),
			[]ServiceRef{{Namespace: "policy", Name: "a"}, {Namespace: "policy", Name: "b"}}},
		{"bad-cabundle.yaml", pending("webhook first.example.com: caBundle holds no PEM certificate"), []ServiceRef{{Namespace: "policy", Name: "a"}}},
		{"garbled-cabundle.yaml", pending("webhook first.example.com: caBundle certificate 1 does not parse: x509: malformed"), []ServiceRef{{Namespace: "policy", Name: "a"}}},
		{"url.yaml", ready, nil},
		{"url-no-cabundle.yaml", pending("webhook external.example.com: no caBundle yet"), nil},
		{"empty.yaml", ready, nil},
		{"deleting.yaml", pending("being deleted"), nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			obj := loadUnstructured(t, "webhook/"+tc.file)
			check(t, One(WebhookConfiguration)([]*unstructured.Unstructured{obj}), tc.want)
			var typed WebhookConfigObject
			One(func(c *WebhookConfigObject) target.Status { typed = *c; return target.Status{} })([]*unstructured.Unstructured{obj})
			if got := WebhookServices(&typed); !reflect.DeepEqual(got, tc.services) {
				t.Errorf("WebhookServices = %v, want %v", got, tc.services)
			}
		})
	}
}

func TestWebhookConfigurationNotFound(t *testing.T) {
	t.Parallel()
	check(t, One(WebhookConfiguration)(nil), pending("not found"))
}
