package kube

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kwait-dev/kwait/pkg/kind"
)

// testCA is a PEM certificate, base64-encoded as caBundle holds it.
const testCA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJoVENDQVN1Z0F3SUJBZ0lVS3FyR0U5SlcyazgxZ251MXRmMXRpbnE1Nm9rd0NnWUlLb1pJemowRUF3SXcKR0RFV01CUUdBMVVFQXd3TmEzZGhhWFF0ZEdWemRDMWpZVEFlRncweU5qRXlNREl3T1RNek5EWmFGdzB6TmpFeApNamt3T1RNek5EWmFNQmd4RmpBVUJnTlZCQU1NRFd0M1lXbDBMWFJsYzNRdFkyRXdXVEFUQmdjcWhrak9QUUlCCkJnZ3Foa2pPUFFNQkJ3TkNBQVRPU2VTM3h1SGxKaXN1cVdENTlaOGh5Y2laUlJVUDF3cGsrczJ0MmVOWm1CMHcKRlF2SGxJNHFWVldjQmFtVmRaeVFZUXZ3Y1lMRVFSdVFId3JVTXFiM28xTXdVVEFkQmdOVkhRNEVGZ1FVYTR0NwpTaldrclNCOG1aWXIwVjhGdnpvYUpmWXdId1lEVlIwakJCZ3dGb0FVYTR0N1NqV2tyU0I4bVpZcjBWOEZ2em9hCkpmWXdEd1lEVlIwVEFRSC9CQVV3QXdFQi96QUtCZ2dxaGtqT1BRUURBZ05JQURCRkFpQXZhSU1tWUk4QUIwUFcKTFBXZG9Lb1gyRWYyR0kvVDZMZUgxY25VVlp4MTJBSWhBSlNMQzVTUTlOeno1a1FZY1BMcENkejlwem42NU0rUgpnVTBQbkZ2OEdiWjgKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="

const webhookConfig = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: cert-manager-webhook, resourceVersion: "3"}
webhooks:
- name: webhook.cert-manager.io
  clientConfig:
    service: {name: cert-manager-webhook, namespace: cert-manager}
    caBundle: ` + testCA + `
- name: external.example.com
  clientConfig:
    url: https://webhook.example.com/validate
    caBundle: ` + testCA + `
`

const webhookEndpoints = `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: cert-manager-webhook-abcde
  namespace: cert-manager
  labels: {kubernetes.io/service-name: cert-manager-webhook}
addressType: IPv4
endpoints:
- addresses: [10.244.0.7]
  conditions: {ready: true}
`

var endpointSlicesGVR = schema.GroupVersionResource{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"}

// TestWebhookConfigurationWaitsForEndpoints: with every caBundle set, the
// target waits until the webhook's Service has a ready endpoint; the
// webhook called by URL needs nothing more.
func TestWebhookConfigurationWaitsForEndpoints(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, webhookConfig))
		r := newReasons()
		tg := c.Kind(mustKind(t, "validatingwebhookconfiguration"), "", "cert-manager-webhook", kind.Params{})
		if got, want := tg.Name(), "validatingwebhookconfiguration/cert-manager-webhook"; got != want {
			t.Errorf("Name() = %q, want %q", got, want)
		}
		done := start(t.Context(), tg, r)
		r.await(t, "caBundles set; service cert-manager/cert-manager-webhook: no EndpointSlices")
		if _, err := fake.Resource(endpointSlicesGVR).Namespace("cert-manager").Create(t.Context(), obj(t, webhookEndpoints), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
	})
}

// TestWebhookConfigurationWaitsForCABundle: a webhook without a caBundle
// keeps the target pending; no Service is looked at before.
func TestWebhookConfigurationWaitsForCABundle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := fakeClient(obj(t, `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: injector}
webhooks:
- name: inject.example.com
  clientConfig:
    service: {name: injector, namespace: system}
`))
		r := newReasons()
		ctx, cancel := context.WithCancel(t.Context())
		done := start(ctx, c.Kind(mustKind(t, "mutatingwebhookconfiguration"), "", "injector", kind.Params{}), r)
		r.await(t, "webhook inject.example.com: no caBundle yet")
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait() = %v", err)
		}
		for _, a := range fake.Actions() {
			if a.GetResource().Resource == "endpointslices" {
				t.Errorf("read %s before the caBundle was set", a.GetResource())
			}
		}
	})
}

// apiDiscovery answers one group/version's discovery document with err.
type apiDiscovery struct {
	fail     atomic.Bool
	requests atomic.Int32
	asked    atomic.Value
}

func (d *apiDiscovery) Resources(_ context.Context, gv string) ([]metav1.APIResource, error) {
	d.requests.Add(1)
	d.asked.Store(gv)
	if d.fail.Load() {
		return nil, errors.New("the server is currently unable to handle the request")
	}
	return []metav1.APIResource{{Name: "pods", Kind: "PodMetrics", Namespaced: true}}, nil
}

const metricsAPIService = `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec: {group: metrics.k8s.io, version: v1beta1, service: {name: metrics-server, namespace: kube-system}}
status:
  conditions:
  - {type: Available, status: "True", reason: Passed}
`

// TestAPIServiceAvailableThenDiscovery: an Available APIService is ready
// once its group/version answers discovery; one request when it does.
func TestAPIServiceAvailableThenDiscovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient(obj(t, metricsAPIService))
		d := &apiDiscovery{}
		d.fail.Store(true)
		c.versions = d
		r := newReasons()
		tg := c.Kind(mustKind(t, "apiservice"), "", "v1beta1.metrics.k8s.io", kind.Params{})
		if got, want := tg.Name(), "apiservice/v1beta1.metrics.k8s.io"; got != want {
			t.Errorf("Name() = %q, want %q", got, want)
		}
		done := start(t.Context(), tg, r)
		r.await(t, "Available, but discovery of metrics.k8s.io/v1beta1 fails: apiserver: the server is currently unable")
		d.fail.Store(false)
		if err := <-done; err != nil {
			t.Fatalf("Wait() = %v", err)
		}
		if got := d.asked.Load(); got != "metrics.k8s.io/v1beta1" {
			t.Errorf("asked discovery of %v", got)
		}
	})
}

// TestAPIServiceNotAvailable: an APIService the aggregator cannot reach
// stays pending with the condition's reason.
func TestAPIServiceNotAvailable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := fakeClient(obj(t, `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1alpha1.example.com}
spec: {group: example.com, version: v1alpha1, service: {name: api, namespace: example}}
status:
  conditions:
  - {type: Available, status: "False", reason: ServiceNotFound, message: service/api in "example" is not present}
`))
		d := &apiDiscovery{}
		c.versions = d
		r := newReasons()
		ctx, cancel := context.WithCancel(t.Context())
		done := start(ctx, c.Kind(mustKind(t, "apiservice"), "", "v1alpha1.example.com", kind.Params{}), r)
		r.await(t, `Available=False: ServiceNotFound: service/api in "example" is not present`)
		cancel()
		<-done
		if n := d.requests.Load(); n != 0 {
			t.Errorf("%d discovery requests before Available", n)
		}
	})
}
