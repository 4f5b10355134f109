//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// untrusted runs kwait with args against a server whose certificate the
// given CA did not sign: it waits with the unknown authority as the reason
// and names it again when --timeout ends the run (exit 124).
func untrusted(t *testing.T, args ...string) {
	t.Helper()
	const reason = "x509: certificate signed by unknown authority"
	p := start(t, append(args, "--timeout", "15s")...)
	p.await(t, reason)
	out := strings.TrimSpace(p.expect(t, 124))
	if last := out[strings.LastIndex(out, "\n")+1:]; !strings.Contains(last, "timed out") || !strings.Contains(last, reason) {
		t.Errorf("the final message does not name %q: %s", reason, last)
	}
}

// TestRedisTLS: rediss:// before the server starts (refused), then a Redis
// that wants client certificates: not yet without one, ready with
// --cert-file and --key-file; an unknown CA is not yet with the reason, to
// the end of the run (exit 124); a wrong password over TLS fails (exit 1).
// Neither the password nor the key shows in any output.
func TestRedisTLS(t *testing.T) {
	t.Parallel()
	cred := as(t, "redis")
	dir := serverDir(t, cred)
	pki := newTLSFiles(t, dir, cred)
	other := newTLSFiles(t, t.TempDir(), nil)
	addr := closedPort(t)
	url := "rediss://:s3cretpw@" + addr
	p := start(t, url, "--ca-file", pki.ca, "--cert-file", pki.cert, "--key-file", pki.key, "--timeout", "3m")
	p.await(t, "rediss://REDACTED@"+addr, "connection refused")

	srv := startServer(t, cred, nil, program(t, "/usr/bin/redis-server"), "--port", "0", "--tls-port", portOf(t, addr),
		"--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--requirepass", "s3cretpw",
		"--tls-cert-file", pki.cert, "--tls-key-file", pki.key, "--tls-ca-cert-file", pki.ca, "--tls-auth-clients", "yes")
	out := p.expect(t, 0)
	key, err := os.ReadFile(pki.key)
	if err != nil {
		t.Fatal(err)
	}
	noSecrets(t, out, "s3cretpw", strings.TrimSpace(string(key)))

	noCert := start(t, url, "--ca-file", pki.ca, "--timeout", "3m")
	noCert.await(t, "certificate required")
	untrusted(t, url, "--ca-file", other.ca, "--cert-file", pki.cert, "--key-file", pki.key)
	out = start(t, "rediss://:wrongpw@"+addr, "--ca-file", pki.ca, "--cert-file", pki.cert, "--key-file", pki.key, "--timeout", "1m").expect(t, 1)
	mustContain(t, out, "AUTH refused: WRONGPASS")
	noSecrets(t, out, "wrongpw", "s3cretpw")
	_ = srv
}

// TestPostgresTLS: sslmode=require against a server without ssl: not yet
// ("does not accept TLS"); ssl turned on by a reload: ready. Then
// verify-full with the right CA: ready; with another name: not yet, naming
// it; verify-ca with an unknown CA: not yet to the end (exit 124).
func TestPostgresTLS(t *testing.T) {
	t.Parallel()
	cred := as(t, "postgres")
	bin := func(name string) string { return program(t, "/usr/lib/postgresql/*/bin/"+name) }
	dir := serverDir(t, cred)
	pki := newTLSFiles(t, dir, cred)
	other := newTLSFiles(t, t.TempDir(), nil)
	addr := closedPort(t)
	p := start(t, "postgres://"+addr+"/?sslmode=require", "--timeout", "3m")
	p.await(t, "connection refused")

	data := filepath.Join(dir, "data")
	run(t, cred, bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
	hba := "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n"
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		t.Fatal(err)
	}
	startServer(t, cred, nil, bin("postgres"), "-D", data, "-p", portOf(t, addr), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off")
	p.await(t, "the server does not accept TLS, and sslmode=require asks for it")

	conf, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conf.WriteString("ssl = on\nssl_cert_file = '" + pki.cert + "'\nssl_key_file = '" + pki.key + "'\nssl_ca_file = '" + pki.ca + "'\n")
	if cerr := conf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	run(t, cred, bin("pg_ctl"), "reload", "-D", data)
	p.expect(t, 0)

	start(t, "postgres://app@"+addr+"/app?sslmode=verify-full", "--ca-file", pki.ca, "--timeout", "1m").expect(t, 0)
	start(t, "postgres://localhost:"+portOf(t, addr)+"?sslmode=verify-full", "--ca-file", pki.ca,
		"--cert-file", pki.cert, "--key-file", pki.key, "--timeout", "1m").expect(t, 0)
	wrongName := start(t, "postgres://"+addr+"?sslmode=verify-full", "--ca-file", pki.ca, "--server-name", "db.example", "--timeout", "3m")
	wrongName.await(t, "x509: certificate is valid for localhost, not db.example")
	untrusted(t, "postgres://"+addr+"?sslmode=verify-ca", "--ca-file", other.ca)
	out := start(t, "postgres://"+addr+"?sslmode=verify-ca", "--insecure", "--timeout", "1m").expect(t, 2)
	mustContain(t, out, "asks to verify the server's certificate and --insecure not to")
}
