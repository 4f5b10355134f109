//go:build e2e

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The tests in this file fault the network under kwait and check what it
// must never do: hang on one attempt, report an outage that is over, print
// a secret, trust an apiserver it cannot verify. Tests that measure time do
// not call t.Parallel, so the load of other tests does not skew them.

// TestHTTPAttemptsAreBounded: a port that accepts connections and never
// answers. Every attempt ends after --attempt-timeout on a connection of its
// own, and the run ends at --timeout with the reason saying so. A refused
// connection ends on time too.
func TestHTTPAttemptsAreBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conns := make(chan time.Duration, 100) // how long each connection lived
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() {
				began := time.Now()
				_, _ = io.Copy(io.Discard, c) // read the request, never answer, until kwait hangs up
				c.Close()
				conns <- time.Since(began)
			}()
		}
	}()
	url := "http://" + ln.Addr().String() + "/health"
	p := start(t, url, "--attempt-timeout", "1s", "--timeout", "3s")
	out := p.expect(t, 124)
	punctual(t, p)
	mustContain(t, out, `"msg":"timed out"`, url+": timed out after 1s")
	n := accepted.Load()
	if n < 2 || n > 4 {
		t.Errorf("%d connections in 3s with 1s attempts, want 2-4 (one per attempt)", n)
	}
	// The server notices the hang-up a moment after the attempt timeout;
	// how long a moment depends on this machine's load while kwait ran.
	limit := 1300*time.Millisecond + 20*p.late
	for range n {
		select {
		case lived := <-conns:
			if lived > limit {
				t.Errorf("an attempt kept its connection %s, want at most the 1s attempt timeout (%s allowing for this machine's load)", lived, limit)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a connection still open 10s after kwait exited")
		}
	}

	refused := "http://" + closedPort(t) + "/health"
	p = start(t, refused, "--timeout", "3s")
	out = p.expect(t, 124)
	punctual(t, p)
	mustContain(t, out, refused+": connection refused")
}

// fakeDNS answers every query on UDP addr:53 with NXDOMAIN, so a name not in
// /etc/hosts fails fast and the same way on every machine.
func fakeDNS(t *testing.T, ip string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", net.JoinHostPort(ip, "53"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			resp := append([]byte(nil), buf[:n]...)
			resp[2] = 0x80 | 0x04 | buf[2]&0x01  // response, authoritative, RD copied
			resp[3] = 0x80 | 3                   // recursion available, NXDOMAIN
			copy(resp[6:10], []byte{0, 0, 0, 0}) // no answers, no authorities
			_, _ = pc.WriteTo(resp, from)
		}
	}()
}

// dnsInNamespace runs kwait dns NAME in a private mount namespace where
// /etc/hosts names only localhost and /etc/resolv.conf names only
// nameserver. It returns the process and the hosts file.
func dnsInNamespace(t *testing.T, nameserver string, args ...string) (*proc, string) {
	t.Helper()
	dir := t.TempDir()
	hosts, resolv := filepath.Join(dir, "hosts"), filepath.Join(dir, "resolv.conf")
	for path, content := range map[string]string{hosts: "127.0.0.1 localhost\n", resolv: "nameserver " + nameserver + "\noptions timeout:1 attempts:1\n"} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := `set -e
mount --bind "$HOSTS" /etc/hosts
mount --bind "$RESOLV" /etc/resolv.conf
exec "$KWAIT" "$@"`
	cmd := exec.Command("unshare", append([]string{"--mount", "--propagation", "private", "sh", "-c", script, "sh"}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "KWAIT_LOG_FORMAT=json",
		"HOSTS=" + hosts, "RESOLV=" + resolv, "KWAIT=" + env.kwait}
	return launch(t, cmd), hosts
}

// TestDNSNameAppears: a name that does not resolve yet is waited for, and
// kwait notices when /etc/hosts starts to resolve it. The hosts file is
// appended to in place: a new file would not be seen through the bind mount.
func TestDNSNameAppears(t *testing.T) {
	t.Parallel()
	fakeDNS(t, "127.0.0.153")
	name := fmt.Sprintf("db-%06x.kwait.test", mrand.IntN(1<<24))
	p, hosts := dnsInNamespace(t, "127.0.0.153", "dns", name, "--timeout", "60s")
	p.await(t, "dns://"+name, `"reason":"no such host"`)
	p.running(t)
	f, err := os.OpenFile(hosts, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintf(f, "127.0.0.1 %s\n", name)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
	p.expect(t, 0)
}

// TestDNSServerDownReportedOnce: the only nameserver refuses every query.
// The trouble is the same on every attempt, so it must be reported once;
// a reason carrying the query's source port would change every time.
func TestDNSServerDownReportedOnce(t *testing.T) {
	t.Parallel()
	name := fmt.Sprintf("db-%06x.kwait.test", mrand.IntN(1<<24))
	p, _ := dnsInNamespace(t, "127.0.0.154", "dns", name, "--timeout", "3s")
	out := p.expect(t, 124)
	if n := reasonCount(out, "dns://"+name, ""); n != 1 {
		t.Errorf("one unchanging fault (DNS server refuses) logged as %d different reasons, want 1; output:\n%s", n, out)
	}
}

// partition forwards TCP connections to the apiserver until it is cut:
// then it closes them all and refuses new ones, as when the way to one
// apiserver is lost, while the apiserver itself (and its watch cache) stays.
type partition struct {
	addr string
	mu   sync.Mutex
	ln   net.Listener
	open []net.Conn
}

func newPartition(t *testing.T) *partition {
	t.Helper()
	p := &partition{addr: "127.0.0.1:0"}
	p.heal(t)
	t.Cleanup(p.cut)
	return p
}

// heal listens on the proxy's address (again) and forwards what it accepts.
func (p *partition) heal(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", strings.TrimPrefix(env.apiserver, "https://"))
			p.mu.Lock()
			if err != nil || p.ln != ln { // cut meanwhile
				c.Close()
			} else {
				p.open = append(p.open, c, u)
				go func() { _, _ = io.Copy(u, c); u.Close() }()
				go func() { _, _ = io.Copy(c, u); c.Close() }()
			}
			p.mu.Unlock()
		}
	}()
}

// cut closes the listener and every forwarded connection.
func (p *partition) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	p.ln = nil
	for _, c := range p.open {
		c.Close()
	}
	p.open = nil
}

// TestPartitionHealsReason: the network between kwait and a healthy
// apiserver fails for a while and heals. kwait resumes its watch, and its
// reason must be the object's state again, not the outage that is over.
func TestPartitionHealsReason(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("stuck", 1, "")+nowhere)
	proxy := newPartition(t)
	cfg := kubeconfigAt(t, "https://"+proxy.addr, clusterCA(), "token: "+adminToken(t))
	name := "deployment/" + ns + "/stuck"
	p := start(t, name, "--kubeconfig", cfg, "--timeout", "12s")
	p.await(t, name, "available replicas 0/1")
	watching, _ := kwaitRequests(t, "/namespaces/"+ns+"/deployments?")
	proxy.cut()
	p.await(t, name, `"reason":"apiserver unreachable`)
	select { // a deliberate fault length
	case <-p.done:
	case <-time.After(2 * time.Second):
	}
	proxy.heal(t)
	out := p.expect(t, 124)
	watched, seen := kwaitRequests(t, "/namespaces/"+ns+"/deployments?")
	if watched["watch ResponseStarted"] <= watching["watch ResponseStarted"] {
		t.Fatalf("kwait did not watch again after the partition healed; its requests:\n%s", seen)
	}
	if !strings.Contains(out, `"pending":["`+name+`: available replicas 0/1"]`) {
		t.Errorf("kwait watched the Deployment again after the partition, yet its final reason is still the outage; requests:\n%s\noutput:\n%s", seen, out)
	}
}

// adminToken is the admin's bearer token from the cluster's token file.
func adminToken(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(env.dir, "tokens.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Split(line, ","); len(f) > 2 && f[1] == "admin" {
			return f[0]
		}
	}
	t.Fatal("no admin in tokens.csv")
	return ""
}

// noSecrets fails if out holds any of secrets, a PEM private key, a JWT (a
// ServiceAccount token) or an Authorization header.
func noSecrets(t *testing.T, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("the output contains a secret (%.6s...):\n%s", s, out)
		}
	}
	for _, s := range []string{"PRIVATE KEY", "eyJhbGciOi", "Bearer", "Authorization"} {
		if strings.Contains(out, s) {
			t.Errorf("the output contains %q:\n%s", s, out)
		}
	}
}

// clusterCA is the kubeconfig cluster field trusting the cluster's CA.
func clusterCA() string { return "certificate-authority: " + filepath.Join(env.dir, "ca.crt") }

// kubeconfig writes a kubeconfig for the cluster with the given cluster and
// user fields.
func kubeconfig(t *testing.T, cluster, user string) string {
	t.Helper()
	return kubeconfigAt(t, env.apiserver, cluster, user)
}

func kubeconfigAt(t *testing.T, server, cluster, user string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, %s}}]
users: [{name: u, user: {%s}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, server, cluster, user)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// throwawayCA returns a new self-signed CA certificate, PEM, that signed
// nothing the cluster uses.
func throwawayCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(mrand.Int64()),
		Subject:               pkix.Name{CommonName: "not-the-cluster-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestNoSecretsInOutput runs kwait at debug level with each kind of
// credential, through waits that succeed, are denied and time out, and
// checks none of it reaches the output.
func TestNoSecretsInOutput(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	deleteCRD(t, "tools."+group)
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "clusterrole,clusterrolebinding", ns+"-waiter", "--ignore-not-found")
	})
	apply(t, ns, waiterRBAC("tools."+group))

	// In a pod: one target becomes ready, one stays denied until SIGTERM.
	p := inCluster(t, ns, "waiter", "deployment/api", "deployment/other", "--log-level", "debug", "--timeout", "90s")
	p.await(t, "deployment/"+ns+"/other", "forbidden")
	saToken, err := os.ReadFile(filepath.Join(envOf(p, "SA_DIR"), "token"))
	if err != nil || len(saToken) < 20 {
		t.Fatalf("reading the ServiceAccount token kwait was given: %v", err)
	}
	apply(t, ns, deploymentYAML("api", 1, ""))
	p.await(t, `"msg":"ready"`, "deployment/"+ns+"/api")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	out := p.expect(t, 143)
	mustContain(t, out, "deployment/"+ns+"/other: forbidden")
	noSecrets(t, out, string(saToken))

	// The admin kubeconfig, a bearer token: a timeout.
	token := adminToken(t)
	out = kwait(t, 124, "deployment/"+ns+"/missing", "--log-level", "debug", "--timeout", "2s")
	noSecrets(t, out, token)

	// A client certificate and key (the front proxy's, which the
	// apiserver does not accept from clients).
	pki := filepath.Join(env.dir, "pki")
	key, err := os.ReadFile(filepath.Join(pki, "front-proxy-client.key"))
	if err != nil {
		t.Fatal(err)
	}
	keyData := base64.StdEncoding.EncodeToString(key)
	cfg := kubeconfig(t, clusterCA(), "client-certificate: "+filepath.Join(pki, "front-proxy-client.crt")+", client-key-data: "+keyData)
	// A 401 that lasts ends the run (exit 2) three seconds after the first:
	// the deadline is only a bound, so a busy machine cannot cut the run
	// short before the apiserver has answered.
	out = kwait(t, 2, "deployment/"+ns+"/api", "--kubeconfig", cfg, "--log-level", "debug", "--timeout", "60s")
	mustContain(t, out, "Unauthorized")
	body := strings.Join(strings.Split(strings.TrimSpace(string(key)), "\n")[1:3], "")
	noSecrets(t, out, keyData[:40], body[:40], body[len(body)-40:])

	// A token the apiserver rejects.
	bogus := fmt.Sprintf("%048x", mrand.Uint64())
	cfg = kubeconfig(t, clusterCA(), "token: "+bogus)
	out = kwait(t, 2, "deployment/"+ns+"/api", "--kubeconfig", cfg, "--log-level", "debug", "--timeout", "60s")
	mustContain(t, out, "Unauthorized")
	noSecrets(t, out, bogus, token)
}

// envOf returns the value of the variable name in p's environment.
func envOf(p *proc, name string) string {
	for _, e := range p.cmd.Env {
		if v, ok := strings.CutPrefix(e, name+"="); ok {
			return v
		}
	}
	return ""
}

// TestAPIServerTLSVerified: with the right token but a CA that did not sign
// the apiserver's certificate, kwait never becomes ready (it gives up at
// once, exit 2); only the explicit insecure-skip-tls-verify turns
// verification off.
func TestAPIServerTLSVerified(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deploymentYAML("api", 1, ""))
	kubectl(t, "", "-n", ns, "rollout", "status", "deployment/api", "--timeout=60s")
	token := adminToken(t)
	cfg := kubeconfig(t, "certificate-authority-data: "+base64.StdEncoding.EncodeToString(throwawayCA(t)), "token: "+token)
	p := start(t, "deployment/"+ns+"/api", "--kubeconfig", cfg, "--timeout", "60s")
	out := p.expect(t, 2)
	if !strings.Contains(out, "x509") && !strings.Contains(out, "certificate") {
		t.Errorf("the reason does not say the certificate was not trusted:\n%s", out)
	}
	noSecrets(t, out, token)

	cfg = kubeconfig(t, "insecure-skip-tls-verify: true", "token: "+token)
	out = kwait(t, 0, "deployment/"+ns+"/api", "--kubeconfig", cfg, "--timeout", "30s")
	noSecrets(t, out, token)
}
