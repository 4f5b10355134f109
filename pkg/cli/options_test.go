package cli_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	netkinds "github.com/kwait-dev/kwait/pkg/network"
)

// TestEveryFlagEveryTarget checks, for every flag of the root command and
// every family of target, that a bad value is refused whatever the targets
// (options are validated before anything is built), and that a good value
// on the command line is refused exactly when no target would use it.
func TestEveryFlagEveryTarget(t *testing.T) {
	t.Parallel()
	kc := kubeconfig(t)
	closed := closedPort(t)
	targets := map[string]string{
		"crd":  "crd/widgets.example.com",
		"pods": "pods/app=web",
	}
	kube := []string{"crd", "pods"}
	// Every network kind, from its row: a new protocol is checked too.
	var network, http, tls []string
	for _, k := range netkinds.Kinds() {
		network = append(network, k.Name)
		targets[k.Name] = k.Schemes[0] + "://" + closed
		if k.Name == "dns" {
			targets[k.Name] = "dns://localhost"
		}
		if k.HTTP {
			http = append(http, k.Name)
		}
		if k.UsesTLS(targets[k.Name]) {
			tls = append(tls, k.Name)
		}
	}
	// Database URLs that ask for TLS, each its own way.
	for name, tgt := range map[string]string{
		"rediss": "rediss://" + closed, "postgres-tls": "postgres://" + closed + "?sslmode=require",
		"mongodb-tls": "mongodb://" + closed + "/?tls=true", "grpcs": "grpcs://" + closed,
	} {
		targets[name] = tgt
		network = append(network, name)
		tls = append(tls, name)
	}
	all := append(append([]string{}, kube...), network...)
	flags := []struct {
		flag      string
		bad, good string
		appliesTo []string
	}{
		{"--timeout", "-1s", "50ms", all},
		{"--log-level", "loud", "error", all},
		{"--log-format", "xml", "json", all},
		{"--quiet", "maybe", "true", all},
		{"--termination-log", "", "", nil}, // no bad value; any path goes
		{"--status-interval", "1ns", "0", all},
		{"--events", "maybe", "false", all},
		{"--kubeconfig", "/nonexistent/kubeconfig", kc, kube},
		{"--context", "", "test", kube},
		{"--namespace", "Bad_NS", "prod", kube},
		{"--min", "0", "2", []string{"pods"}},
		{"--for", "bogus", "create", kube},
		{"--attempt-timeout", "-1s", "1s", network},
		{"--max-interval", "1ns", "100ms", network},
		{"--status", "abc", "200", http},
		{"--header", "novalue", "X-A: 1", http},
		{"--method", "GE T", "HEAD", http},
		{"--body-contains", "", "ok", http},
		{"--body-regex", "(", "ok", http},
		{"--ca-file", "/nonexistent/ca.pem", "", tls},
		{"--insecure", "maybe", "true", tls},
		{"--cert-file", "/nonexistent/cert.pem", "", tls},
		{"--key-file", "/nonexistent/key.pem", "", tls},
		{"--server-name", "bad name", "db.example", tls},
	}
	for _, f := range flags {
		for name, tgt := range targets {
			if f.flag == "--for" && name == "pods" {
				continue // a rule names one pod: covered by TestBadUsage
			}
			args := []string{tgt, "--timeout", "50ms", "--status-interval", "0", "--termination-log", ""}
			if name == "crd" || name == "pods" {
				args = append(args, "--kubeconfig", kc)
			}
			if f.bad != "" {
				t.Run(f.flag+" bad with "+name, func(t *testing.T) {
					t.Parallel()
					checkUsage(t, run(t, slices.Concat(args, []string{f.flag + "=" + f.bad})...), strings.TrimPrefix(f.flag, "--"))
				})
			}
			if f.good == "" {
				continue
			}
			t.Run(f.flag+" good with "+name, func(t *testing.T) {
				t.Parallel()
				r := run(t, slices.Concat(args, []string{f.flag + "=" + f.good})...)
				applies := false
				for _, a := range f.appliesTo {
					applies = applies || a == name
				}
				refused := r.code == 2 && strings.Contains(r.err, "applies to")
				if applies == refused {
					t.Errorf("%s with a %s target: exit %d, stderr %q; want refused=%v", f.flag, name, r.code, r.err, !applies)
				}
				if applies && r.code == 2 {
					t.Errorf("%s with a %s target: exit 2 (%q)", f.flag, name, r.err)
				}
			})
		}
	}
}

// TestTLSFlagsHideKeys: a bad client certificate or key is exit 2 with one
// line naming the flag or the files, never what they hold; one without the
// other is refused before anything runs.
func TestTLSFlagsHideKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const secret = "c2VjcmV0LWtleS1tYXRlcmlhbA"
	key := filepath.Join(dir, "key.pem")
	cert := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(key, []byte("-----BEGIN PRIVATE KEY-----\n"+secret+"\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cert, []byte("not a certificate "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := "rediss://" + closedPort(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cert-file", cert, "--key-file", key}, "client certificate " + cert},
		{[]string{"--cert-file", key, "--key-file", key}, "client certificate " + key},
		{[]string{"--cert-file", cert}, "--cert-file needs --key-file"},
		{[]string{"--key-file", key}, "--key-file needs --cert-file"},
		{[]string{"--key-file", dir, "--cert-file", cert}, "--key-file: " + dir + " is not a regular file"},
	} {
		r := run(t, append([]string{target, "--timeout", "50ms"}, tc.args...)...)
		checkUsage(t, r, tc.want)
		if strings.Contains(r.err, secret) || strings.Contains(r.err, "not a certificate") {
			t.Errorf("%v: stderr shows what the files hold: %q", tc.args, r.err)
		}
	}
}
