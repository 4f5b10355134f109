//go:build e2e

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The admission tests run admission webhooks on 127.0.0.1, where the
// apiserver (a process on this machine) reaches them through a url
// clientConfig, with a CA each test makes. Every webhook configuration is
// limited to the test's own API group, so no other test's requests pass
// through it.

// webhookCA is a CA and a serving certificate for 127.0.0.1 (and any DNS
// names asked for) it signed.
type webhookCA struct {
	bundle string // the CA certificate, PEM, base64-encoded as caBundle holds it
	cert   tls.Certificate
	// certPEM and keyPEM are the serving certificate and its key, as a
	// kubernetes.io/tls Secret holds them.
	certPEM, keyPEM string
}

func newWebhookCA(t *testing.T, dnsNames ...string) webhookCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kwait e2e webhook CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: dnsNames,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return webhookCA{
		bundle:  base64.StdEncoding.EncodeToString(caPEM),
		cert:    tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key},
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})),
	}
}

// webhookServer is an admission webhook on 127.0.0.1: it allows every
// request, or denies with deny as the message once deny is set, or answers
// 503 while down is set, and remembers whether each request it admitted or
// denied was a dry run.
type webhookServer struct {
	url string

	mu      sync.Mutex
	deny    string
	down    bool
	dryRuns []bool
}

func (w *webhookServer) setDown(down bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.down = down
}

func startWebhook(t *testing.T, ca webhookCA, deny string) *webhookServer {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{ca.cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	w := &webhookServer{url: "https://" + l.Addr().String() + "/validate", deny: deny}
	srv := &http.Server{Handler: http.HandlerFunc(w.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return w
}

func (w *webhookServer) serve(rw http.ResponseWriter, r *http.Request) {
	var review struct {
		Request struct {
			UID    string `json:"uid"`
			DryRun *bool  `json:"dryRun"`
		} `json:"request"`
	}
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	deny, down := w.deny, w.down
	if !down {
		w.dryRuns = append(w.dryRuns, review.Request.DryRun != nil && *review.Request.DryRun)
	}
	w.mu.Unlock()
	if down {
		http.Error(rw, "starting", http.StatusServiceUnavailable)
		return
	}
	response := map[string]any{"uid": review.Request.UID, "allowed": deny == ""}
	if deny != "" {
		response["status"] = map[string]any{"code": 403, "message": deny}
	}
	rw.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(rw).Encode(map[string]any{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response})
}

func (w *webhookServer) requests() []bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]bool(nil), w.dryRuns...)
}

// webhookConfig is a ValidatingWebhookConfiguration NAME with one webhook,
// failurePolicy Fail, for creates of the group's resources only, called at
// clientConfig (YAML, inline).
func webhookConfig(name, group, clientConfig string) string {
	return fmt.Sprintf(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: %[1]s}
webhooks:
- name: check.%[2]s
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Fail
  timeoutSeconds: 2
  rules:
  - {apiGroups: [%[2]s], apiVersions: ["*"], operations: [CREATE], resources: ["*"]}
  clientConfig: %[3]s
`, name, group, clientConfig)
}

func deleteWebhookConfig(t *testing.T, name string) {
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "validatingwebhookconfiguration", name, "--ignore-not-found", "--wait=false")
	})
}

// probeFile writes the manifest of one Widget called name into a file and
// returns its path.
func probeFile(t *testing.T, group, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "probe.yaml")
	manifest := fmt.Sprintf("apiVersion: %s/v1\nkind: Widget\nmetadata: {name: %s}\nspec: {size: 1}\n", group, name)
	if err := os.WriteFile(path, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// dryRunAnswers waits until kubectl's server-side dry-run create of the
// manifest at path (a file probeFile wrote) gives an error containing want:
// the apiserver applies a new webhook configuration once its informer has
// it, a moment after it was written, and a test must not race that.
func dryRunAnswers(t *testing.T, ns, path, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out string
	if err := poll(ctx, func() bool {
		out, _ = kubectlErr(t, "", "-n", ns, "create", "--dry-run=server", "-f", path)
		return strings.Contains(out, want)
	}); err != nil {
		t.Fatalf("kubectl create --dry-run=server never answered %q; last: %s", want, out)
	}
}

// widgetsCRD installs the CRD widgets.GROUP and waits until it is served.
func widgetsCRD(t *testing.T, group string) {
	t.Helper()
	deleteCRD(t, "widgets."+group)
	apply(t, "", crdYAML("widgets", group))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/widgets."+group, "--timeout=60s")
}

// TestAdmissionWaitsForWebhook is cert-manager's startupapicheck: a
// webhook with failurePolicy Fail whose Service has no endpoints refuses
// every Widget; the dry-run create is repeated until a webhook answers and
// allows it, and nothing is created.
func TestAdmissionWaitsForWebhook(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	widgetsCRD(t, group)
	ca := newWebhookCA(t)
	name := "check." + group
	deleteWebhookConfig(t, name)
	apply(t, ns, "apiVersion: v1\nkind: Service\nmetadata: {name: hook, namespace: NAMESPACE}\nspec: {ports: [{port: 443}]}\n")
	apply(t, "", webhookConfig(name, group, fmt.Sprintf("{service: {name: hook, namespace: %s}, caBundle: %s}", ns, ca.bundle)))
	probe := probeFile(t, group, "probe")
	dryRunAnswers(t, ns, probe, `failed calling webhook "check.`+group+`"`)

	p := start(t, "admission", "-f", probe, "-n", ns, "--timeout", "90s")
	target := "admission/Widget." + group + "/" + ns + "/probe"
	p.await(t, target, `not admitted yet`, `failed calling webhook \"check.`+group+`\"`)
	// The webhook configuration target sees why: the Service has no endpoints.
	w := start(t, "validatingwebhookconfiguration/"+name, "--timeout", "90s")
	w.await(t, "validatingwebhookconfiguration/"+name, "service "+ns+"/hook: no EndpointSlices")
	_ = w.cmd.Process.Kill()

	hook := startWebhook(t, ca, "")
	apply(t, "", webhookConfig(name, group, fmt.Sprintf("{url: %q, caBundle: %s}", hook.url, ca.bundle)))
	out := p.expect(t, 0)
	mustContain(t, out, `"msg":"ready"`, target)
	if got := hook.requests(); len(got) == 0 || !got[len(got)-1] {
		t.Errorf("the webhook saw requests with dryRun %v, want a dry run last", got)
	}
	if got := kubectl(t, "", "-n", ns, "get", "widgets."+group, "-o", "name"); strings.TrimSpace(got) != "" {
		t.Errorf("dry runs created %q", got)
	}
	// Once admitted, one request is all it costs.
	kwait(t, 0, "admission:"+probeFile(t, group, "again"), "-n", ns, "--timeout", "30s")
}

// TestAdmissionDeniedFailsAtOnce: a webhook that answers and denies ends
// the run with exit 1 and its message, without waiting.
func TestAdmissionDeniedFailsAtOnce(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	widgetsCRD(t, group)
	ca := newWebhookCA(t)
	name := "check." + group
	deleteWebhookConfig(t, name)
	hook := startWebhook(t, ca, "widgets called probe are not allowed here")
	apply(t, "", webhookConfig(name, group, fmt.Sprintf("{url: %q, caBundle: %s}", hook.url, ca.bundle)))
	kwait(t, 0, "validatingwebhookconfiguration", name, "--timeout", "30s")
	probe := probeFile(t, group, "probe")
	dryRunAnswers(t, ns, probe, "not allowed here")

	began := time.Now()
	out := kwait(t, 1, "admission:"+probe, "-n", ns, "--timeout", "90s")
	mustContain(t, out, `"msg":"target failed"`, "admission/Widget."+group+"/"+ns+"/probe",
		`rejected: admission webhook \"check.`+group+`\" denied the request: widgets called probe are not allowed here`)
	if took := time.Since(began); took > 20*time.Second {
		t.Errorf("a denial took %s to fail the run", took)
	}
}

// TestAdmissionWaitsForKind: a probe of a kind whose CRD is not installed
// yet waits for the kind to be served; an Invalid object then fails.
func TestAdmissionWaitsForKind(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	deleteCRD(t, "widgets."+group)
	p := start(t, "admission", "-f", probeFile(t, group, "probe"), "-n", ns, "--timeout", "90s")
	p.await(t, "admission/Widget."+group+"/"+ns+"/probe", "type Widget.v1."+group+" not served yet")
	apply(t, "", crdYAML("widgets", group))
	p.expect(t, 0)

	// The schema says spec.size is an integer: a string is Invalid, for good.
	kinds := "gizmos." + group
	deleteCRD(t, kinds)
	apply(t, "", strings.Replace(crdNamed("gizmos", "gizmo", "Gizmo", group),
		"openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}",
		"openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}", 1))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/"+kinds, "--timeout=60s")
	probe := fmt.Sprintf(`{"apiVersion":"%s/v1","kind":"Gizmo","metadata":{"name":"probe"},"spec":{"size":"large"}}`, group)
	out := kwait(t, 1, "admission:"+probe, "-n", ns, "--timeout", "90s")
	mustContain(t, out, "admission/Gizmo."+group+"/"+ns+"/probe", `rejected: Gizmo.`+group+` \"probe\" is invalid: spec.size: Invalid value`)
}

// TestAdmissionBadManifest: a manifest kwait cannot read an object from is
// bad input, one line naming the file and document, before anything waits.
func TestAdmissionBadManifest(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "probe.yaml")
	if err := os.WriteFile(path, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := kwait(t, 2, "admission", "-f", path, "--timeout", "30s")
	if want := "kwait: admission: " + path + ": document 2: kind is not set\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

// TestWebhookConfigurationPendingUntilEndpoint: a webhook configuration is
// ready once its webhooks have a caBundle and its Service a ready endpoint.
func TestWebhookConfigurationPendingUntilEndpoint(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	ca := newWebhookCA(t)
	name := "check." + group
	deleteWebhookConfig(t, name)
	apply(t, ns, "apiVersion: v1\nkind: Service\nmetadata: {name: hook, namespace: NAMESPACE}\nspec: {ports: [{port: 443}]}\n")
	apply(t, "", webhookConfig(name, group, fmt.Sprintf("{service: {name: hook, namespace: %s}}", ns)))

	p := start(t, "validatingwebhookconfiguration", name, "--timeout", "90s")
	p.await(t, "validatingwebhookconfiguration/"+name, "webhook check."+group+": no caBundle yet")
	apply(t, "", webhookConfig(name, group, fmt.Sprintf("{service: {name: hook, namespace: %s}, caBundle: %s}", ns, ca.bundle)))
	p.await(t, "validatingwebhookconfiguration/"+name, "caBundles set; service "+ns+"/hook: no EndpointSlices")
	apply(t, ns, `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: hook-1, namespace: NAMESPACE, labels: {kubernetes.io/service-name: hook}}
addressType: IPv4
ports: [{port: 443, protocol: TCP}]
endpoints: [{addresses: [10.244.9.9], conditions: {ready: true}}]
`)
	p.expect(t, 0)
}

// TestAPIServiceAvailability: the apiserver's own APIServices are ready at
// once; one whose Service does not exist stays pending until the timeout,
// which names it and why.
func TestAPIServiceAvailability(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	out := kwait(t, 0, "apiservice", "v1.", "v1.apps", "--timeout", "30s")
	mustContain(t, out, `"msg":"all ready"`, "apiservice/v1.", "apiservice/v1.apps")

	name := "v1alpha1." + group
	t.Cleanup(func() { _, _ = kubectlErr(t, "", "delete", "apiservice", name, "--ignore-not-found", "--wait=false") })
	apply(t, "", fmt.Sprintf(`
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: %s}
spec:
  group: %s
  version: v1alpha1
  service: {name: api, namespace: %s}
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
`, name, group, ns))
	out = kwait(t, 124, "apiservice/"+name, "--timeout", "5s")
	mustContain(t, out, `"msg":"timed out"`, "apiservice/"+name+": Available=False")
}

// TestChartWebhookOperator installs the webhook-operator example with its
// webhook pointed at a server the test runs (its Issuer applied by
// kwait.manifests, its Job on the real node, once admitted), and runs kwait as the
// hook runs it, with the hook's ServiceAccount: pending while the webhook
// answers 503, ready once it admits the probe, and allowed nothing but
// reading the webhook's objects and creating Issuers.
// Under Helm 3 and Helm 4. Not parallel: the CRD and the webhook
// configuration have their real, cluster-wide names.
func TestChartWebhookOperator(t *testing.T) {
	underEachHelm(t, webhookOperator)
}

func webhookOperator(t *testing.T) {
	exclusiveCRDs(t, "issuers.cert-manager.io")
	atEnd(t, "kubectl", "delete", "validatingwebhookconfiguration", "cert-manager-webhook", "--ignore-not-found")
	charts := chartCopy(t, "examples/webhook-operator")
	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	deleteClusterRBAC(t, ns+"-pki-webhook-ready")
	ca := newWebhookCA(t)
	hook := startWebhook(t, ca, "")

	// The Issuer's apply Job (kwait.manifests) runs kwait's image on the
	// real node.
	node := realNode(t)
	helmInstall(t, ns, "pki", filepath.Join(charts, "examples/webhook-operator"), append([]string{"--set", keepHooks,
		"--set", "webhook.url=" + hook.url, "--set", "webhook.caBundle=" + ca.bundle}, realNodeHelmArgs(node)...)...)
	// The chart's own Issuer, applied by a later hook through the webhook,
	// by kwait (server-side apply), not as a hook of its own.
	wantJSONPath(t, ns, "issuers.cert-manager.io/selfsigned", `{.metadata.managedFields[?(@.operation=="Apply")].manager}`, "webhook-operator")
	if code, msg := ranOnNode(t, node, ns, "pki-issuer-apply"); code != 0 {
		t.Errorf("issuer apply hook exited %d: %s", code, msg)
	}
	mustContain(t, kubectl(t, "", "-n", ns, "logs", "job/pki-issuer-apply"), `"msg":"all ready"`)

	w, _ := chartHookJob(t, ns, "pki-webhook-ready")
	probe := `admission:{"apiVersion":"cert-manager.io/v1","kind":"Issuer","metadata":{"name":"kwait-probe"},"spec":{"selfSigned":{}}}`
	if want := []string{"deployment/cert-manager-webhook", "validatingwebhookconfiguration/cert-manager-webhook", probe, "--timeout", "3m"}; strings.Join(w.args, " ") != strings.Join(want, " ") {
		t.Errorf("hook args %q, want %q", w.args, want)
	}
	wantRules(t, "", ns+"-pki-webhook-ready",
		rbacRules(rbacRule("admissionregistration.k8s.io", "validatingwebhookconfigurations", "cert-manager-webhook")))
	wantRules(t, ns, "pki-webhook-ready", rbacRules(
		rbacRule("apps", "deployments", "cert-manager-webhook"),
		`{"apiGroups":["cert-manager.io"],"resources":["issuers"],"verbs":["create"]}`,
		rbacRule("discovery.k8s.io", "endpointslices"),
		eventsRule))

	hook.setDown(true)
	dryRunAnswers(t, ns, probeIssuer(t, "kwait-probe"), `failed calling webhook "webhook.cert-manager.io"`)
	p := inCluster(t, ns, w.serviceAccount, w.args...)
	p.await(t, "admission/Issuer.cert-manager.io/"+ns+"/kwait-probe", "not admitted yet", `failed calling webhook \"webhook.cert-manager.io\"`)
	before := len(hook.requests())
	hook.setDown(false)
	p.expect(t, 0)
	if got := hook.requests()[before:]; len(got) == 0 || !got[len(got)-1] {
		t.Errorf("the webhook admitted %v after it came up, want a dry run", got)
	}
	if got := kubectl(t, "", "-n", ns, "get", "issuers.cert-manager.io", "kwait-probe", "--ignore-not-found", "-o", "name"); strings.TrimSpace(got) != "" {
		t.Errorf("the probe was created: %q", got)
	}

	expectDenied(t, ns, w.serviceAccount, `cannot create resource \"configmaps\"`,
		`admission:{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"probe"}}`)
	expectDenied(t, ns, w.serviceAccount, `cannot list resource \"validatingwebhookconfigurations\"`, "validatingwebhookconfiguration/other")
	expectDenied(t, ns, w.serviceAccount, `cannot list resource \"apiservices\"`, "apiservice/v1.")
}

// probeIssuer writes the manifest of a self-signed cert-manager Issuer.
func probeIssuer(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "issuer.yaml")
	manifest := "apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: " + name + "}\nspec: {selfSigned: {}}\n"
	if err := os.WriteFile(path, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
