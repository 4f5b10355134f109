package network

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwait-dev/kwait/pkg/target"
)

// testPKI is a CA and one certificate it signed for 127.0.0.1 and
// localhost, usable by a server and a client, with its files.
type testPKI struct {
	cert                      tls.Certificate
	pool                      *x509.CertPool
	caFile, certFile, keyFile string
	keyPEM                    string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey, leafKey := key(), key()
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kwait test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(leafKey)
	dir := t.TempDir()
	p := testPKI{
		cert:     tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey},
		pool:     x509.NewCertPool(),
		caFile:   filepath.Join(dir, "ca.pem"),
		certFile: filepath.Join(dir, "cert.pem"),
		keyFile:  filepath.Join(dir, "key.pem"),
		keyPEM:   string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
	}
	p.pool.AddCert(ca)
	for path, content := range map[string][]byte{p.caFile: pemCert(caDER), p.certFile: pemCert(leafDER), p.keyFile: []byte(p.keyPEM)} {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// pgTLSServer is a PostgreSQL fake: it answers an SSLRequest with yes (or
// no, when ssl is false), makes the TLS handshake with cfg, and answers
// the StartupMessage with AuthenticationOk. It sends whether the client
// asked for TLS on asked.
func pgTLSServer(t *testing.T, ssl bool, cfg *tls.Config) (addr string, asked <-chan bool) {
	t.Helper()
	ln := listen(t, "127.0.0.1:0")
	ch := make(chan bool, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				var head [8]byte
				if _, err := io.ReadFull(c, head[:]); err != nil {
					return
				}
				isSSL := string(head[:]) == string(sslRequest)
				ch <- isSSL
				var conn net.Conn = c
				if isSSL && !ssl {
					_, _ = c.Write([]byte{'N'})
				}
				if isSSL && ssl {
					_, _ = c.Write([]byte{'S'})
					tc := tls.Server(c, cfg)
					if tc.Handshake() != nil {
						return
					}
					conn = tc
				}
				if isSSL {
					if _, err := io.ReadFull(conn, head[:]); err != nil {
						return
					}
				}
				_, _ = conn.Write(pgMessage('R', []byte{0, 0, 0, 0}))
				_, _ = io.Copy(io.Discard, conn)
			}(c)
		}
	}()
	return ln.Addr().String(), ch
}

// TestPostgresSSLModes: each sslmode asks for TLS or not, and verifies
// what libpq's does.
func TestPostgresSSLModes(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	serverCfg := &tls.Config{Certificates: []tls.Certificate{pki.cert}}
	withSSL, _ := pgTLSServer(t, true, serverCfg)
	noSSL, _ := pgTLSServer(t, false, nil)
	for _, tc := range []struct {
		name   string
		addr   string
		mode   string
		opts   TLSOptions
		phase  target.Phase
		reason string
	}{
		{"disable", noSSL, "disable", TLSOptions{}, target.PhaseReady, ""},
		{"prefer without ssl", noSSL, "prefer", TLSOptions{}, target.PhaseReady, ""},
		{"prefer with ssl", withSSL, "prefer", TLSOptions{}, target.PhaseReady, ""},
		{"require without ssl", noSSL, "require", TLSOptions{}, target.PhasePending, "does not accept TLS, and sslmode=require asks for it"},
		{"require unverified", withSSL, "require", TLSOptions{}, target.PhaseReady, ""},
		{"require with a CA file verifies the chain", withSSL, "require", TLSOptions{CAFile: newTestPKI(t).caFile}, target.PhasePending, "unknown authority"},
		{"verify-ca without the CA", withSSL, "verify-ca", TLSOptions{}, target.PhasePending, "unknown authority"},
		{"verify-ca ignores the name", withSSL, "verify-ca", TLSOptions{CAFile: pki.caFile, ServerName: "db.example"}, target.PhaseReady, ""},
		{"verify-full", withSSL, "verify-full", TLSOptions{CAFile: pki.caFile}, target.PhaseReady, ""},
		{"verify-full wrong name", withSSL, "verify-full", TLSOptions{CAFile: pki.caFile, ServerName: "db.example"}, target.PhasePending,
			"x509: certificate is valid for localhost, not db.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewServer("postgres://"+tc.addr+"?sslmode="+tc.mode, fastPoll(), nil, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			st := s.check(testContext(t))
			if st.Phase != tc.phase || !strings.Contains(st.Reason, tc.reason) {
				t.Errorf("check = %v %q, want %v %q", st.Phase, st.Reason, tc.phase, tc.reason)
			}
		})
	}
	if _, err := NewServer("postgres://db?sslmode=verify-full", fastPoll(), nil, TLSOptions{Insecure: true}); err == nil ||
		!strings.Contains(err.Error(), "--insecure") {
		t.Errorf("verify-full with --insecure: %v, want an error naming --insecure", err)
	}
}

// TestClientCertificate: a server that requires a client certificate
// takes --cert-file and --key-file, and refuses a client without one.
func TestClientCertificate(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pki.cert},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.pool})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64)
				if _, err := c.Read(buf); err == nil {
					_, _ = c.Write([]byte("+PONG\r\n"))
				}
			}()
		}
	}()
	url := "rediss://" + ln.Addr().String()
	with := TLSOptions{CAFile: pki.caFile, CertFile: pki.certFile, KeyFile: pki.keyFile}
	s, err := NewServer(url, fastPoll(), nil, with)
	if err != nil {
		t.Fatal(err)
	}
	if st := s.check(testContext(t)); st.Phase != target.PhaseReady {
		t.Errorf("with a client certificate: %v %q, want ready", st.Phase, st.Reason)
	}
	s, err = NewServer(url, fastPoll(), nil, TLSOptions{CAFile: pki.caFile})
	if err != nil {
		t.Fatal(err)
	}
	if st := s.check(testContext(t)); st.Phase != target.PhasePending || !strings.Contains(st.Reason, "certificate required") {
		t.Errorf("without a client certificate: %v %q, want pending, certificate required", st.Phase, st.Reason)
	}
}

// TestTLSOptionsErrors: a bad setting is an error naming the file at
// fault, never showing what a key file holds.
func TestTLSOptionsErrors(t *testing.T) {
	t.Parallel()
	pki, other := newTestPKI(t), newTestPKI(t)
	for _, tc := range []struct {
		name string
		o    TLSOptions
		want string
	}{
		{"cert without key", TLSOptions{CertFile: pki.certFile}, "needs its private key"},
		{"key without cert", TLSOptions{KeyFile: pki.keyFile}, "needs its certificate"},
		{"insecure and CA", TLSOptions{CAFile: pki.caFile, Insecure: true}, "exclude each other"},
		{"key of another certificate", TLSOptions{CertFile: pki.certFile, KeyFile: other.keyFile}, "private key does not match public key"},
		{"key and cert swapped", TLSOptions{CertFile: pki.keyFile, KeyFile: pki.certFile}, "client certificate " + pki.keyFile},
		{"CA file is a key", TLSOptions{CAFile: pki.keyFile}, "has no PEM certificates"},
	} {
		_, err := tc.o.Config("db")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
			continue
		}
		for _, line := range strings.Split(pki.keyPEM+other.keyPEM, "\n") {
			if len(line) > 8 && !strings.HasPrefix(line, "-----") && strings.Contains(err.Error(), line) {
				t.Errorf("%s: the error shows the key: %v", tc.name, err)
			}
		}
		if strings.Contains(err.Error(), "PRIVATE KEY-----") {
			t.Errorf("%s: the error shows a PEM block: %v", tc.name, err)
		}
	}
	cfg, err := TLSOptions{ServerName: "db.example", CAFile: pki.caFile}.Config("10.0.0.1")
	if err != nil || cfg.ServerName != "db.example" || cfg.InsecureSkipVerify {
		t.Errorf("--server-name: %+v, %v; want ServerName db.example, verified", cfg, err)
	}
}
