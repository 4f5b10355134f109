//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// stallProxy is an HTTPS reverse proxy in front of the apiserver that can
// stop answering, as a hung aggregated API server or a stalled load
// balancer does: requests it stalls get no response headers, and once
// frozen, the bodies it was streaming (watches) stop carrying data while
// their connections stay open.
type stallProxy struct {
	srv    *httptest.Server
	caFile string
	// stall says which requests never get an answer.
	stall  func(*http.Request) bool
	mu     sync.Mutex
	frozen chan struct{} // closed once frozen
}

// newStallProxy starts a proxy speaking HTTP/2 or HTTP/1.1 to kwait.
func newStallProxy(t *testing.T, h2 bool, stall func(*http.Request) bool) *stallProxy {
	t.Helper()
	ca, err := os.ReadFile(filepath.Join(env.dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	upstream, err := url.Parse(env.apiserver)
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{stall: stall, frozen: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(upstream)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	rp.FlushInterval = -1 // watches stream
	rp.ModifyResponse = func(resp *http.Response) error {
		resp.Body = &freezable{ReadCloser: resp.Body, frozen: p.frozen, ctx: resp.Request.Context()}
		return nil
	}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.stall(r) || p.isFrozen() {
			<-r.Context().Done() // no answer, ever
			return
		}
		rp.ServeHTTP(w, r)
	}))
	p.srv.EnableHTTP2 = h2
	p.srv.StartTLS()
	t.Cleanup(p.srv.Close)
	p.caFile = filepath.Join(t.TempDir(), "proxy-ca.crt")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.srv.Certificate().Raw})
	if err := os.WriteFile(p.caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// kubeconfig is an admin kubeconfig pointing at the proxy.
func (p *stallProxy) kubeconfig(t *testing.T) string {
	t.Helper()
	return kubeconfigAt(t, p.srv.URL, "certificate-authority: "+p.caFile, "token: "+adminToken(t))
}

// freeze stops every answer and every open stream.
func (p *stallProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.isFrozen() {
		close(p.frozen)
	}
}

func (p *stallProxy) isFrozen() bool {
	select {
	case <-p.frozen:
		return true
	default:
		return false
	}
}

// freezable is a response body that stops delivering once frozen, until
// its request ends.
type freezable struct {
	io.ReadCloser
	frozen <-chan struct{}
	ctx    context.Context
}

func (f *freezable) Read(b []byte) (int, error) {
	select {
	case <-f.frozen:
		<-f.ctx.Done()
		return 0, f.ctx.Err()
	default:
	}
	return f.ReadCloser.Read(b)
}

// isWatchOf says whether r watches something under the path prefix.
func isWatchOf(r *http.Request, prefix string) bool {
	return strings.HasPrefix(r.URL.Path, prefix) && r.URL.Query().Get("watch") != ""
}

// TestSilentWatchHoldsOnlyItsTarget: a stand-in for an aggregated API whose
// discovery and LIST answer but whose WATCH never does. The targets beside
// it (a ConfigMap, a custom resource of another group) become ready at
// once, and the silent one's reason names the stall.
func TestSilentWatchHoldsOnlyItsTarget(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	hung, fine := "hung."+uniqueGroup(ns), "fine."+uniqueGroup(ns)
	for _, g := range []string{hung, fine} {
		deleteCRD(t, "gizmos."+g)
		apply(t, "", crdYAML("gizmos", g))
		kubectl(t, "", "wait", "--for=condition=Established", "crd/gizmos."+g, "--timeout=60s")
		apply(t, ns, "{apiVersion: "+g+"/v1, kind: Gizmo, metadata: {name: g, namespace: NAMESPACE}}")
	}
	apply(t, ns, "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: NAMESPACE}}")
	for _, h2 := range []bool{true, false} {
		t.Run(map[bool]string{true: "HTTP/2", false: "HTTP/1.1"}[h2], func(t *testing.T) {
			proxy := newStallProxy(t, h2, func(r *http.Request) bool { return isWatchOf(r, "/apis/"+hung+"/") })
			silent := "gizmos." + hung + "/" + ns + "/g"
			p := start(t, "--kubeconfig", proxy.kubeconfig(t), "--timeout", "30s",
				"resource", silent, "gizmos."+fine+"/"+ns+"/g", "configmaps/"+ns+"/cm", "--for", "create")
			out := p.expect(t, 124)
			for _, ready := range []string{"gizmos." + fine + "/" + ns + "/g", "configmaps/" + ns + "/cm"} {
				if !strings.Contains(out, `"msg":"ready","target":"`+ready+`"`) {
					t.Errorf("%s not ready beside the silent watch; output:\n%s", ready, out)
				}
			}
			mustContain(t, out, `"pending":["`+silent+`: no answer from the apiserver for 15s"]`)
		})
	}
}

// TestTLSServerNeverAnswers: an apiserver address whose TLS server accepts
// requests and never answers one: every target says so within the bound.
func TestTLSServerNeverAnswers(t *testing.T) {
	t.Parallel()
	proxy := newStallProxy(t, true, func(*http.Request) bool { return true })
	p := start(t, "--kubeconfig", proxy.kubeconfig(t), "--timeout", "25s", "deployment/default/api", "configmaps/default/cm:create")
	p.await(t, "deployment/default/api", "no answer from the apiserver for 15s")
	p.await(t, "configmaps/default/cm", "no answer from the apiserver for 15s")
	p.expect(t, 124)
}

// TestWatchStallsMidway: the connection to the apiserver stops carrying
// data while kwait watches (HTTP/1.1 and HTTP/2; HTTP/2 pings still
// answered): kwait notices within watchIdle + the answer bound (30s + 15s)
// and says so.
func TestWatchStallsMidway(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("stuck", 1, "")+nowhere)
	for _, h2 := range []bool{true, false} {
		t.Run(map[bool]string{true: "HTTP/2", false: "HTTP/1.1"}[h2], func(t *testing.T) {
			t.Parallel()
			proxy := newStallProxy(t, h2, func(*http.Request) bool { return false })
			name := "deployment/" + ns + "/stuck"
			p := start(t, name, "--kubeconfig", proxy.kubeconfig(t), "--timeout", "90s")
			p.await(t, name, "available replicas 0/1")
			proxy.freeze()
			frozen := time.Now()
			p.await(t, name, "no answer from the apiserver for 15s")
			// 30s of silence, then 15s without an answer; the rest is the
			// busy machine's slack.
			if d := time.Since(frozen); d > 75*time.Second {
				t.Errorf("the stall was named %s after it began, want within about 45s", d)
			}
		})
	}
}

// TestWatchCutMidway: the connection carrying kwait's watch is cut (HTTP/1.1
// and HTTP/2): kwait watches again and sees what changed meanwhile.
func TestWatchCutMidway(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	for _, h2 := range []bool{true, false} {
		deployment := map[bool]string{true: "stuck-h2", false: "stuck-h1"}[h2]
		t.Run(map[bool]string{true: "HTTP/2", false: "HTTP/1.1"}[h2], func(t *testing.T) {
			t.Parallel()
			apply(t, ns, deploymentYAML(deployment, 1, "")+nowhere)
			proxy := newStallProxy(t, h2, func(*http.Request) bool { return false })
			name := "deployment/" + ns + "/" + deployment
			p := start(t, name, "--kubeconfig", proxy.kubeconfig(t), "--timeout", "90s")
			p.await(t, name, "available replicas 0/1")
			proxy.srv.CloseClientConnections()
			kubectl(t, "", "-n", ns, "delete", "deployment", deployment, "--wait=false")
			p.await(t, name, "not found")
		})
	}
}
