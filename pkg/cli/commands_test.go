package cli_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/kwait-dev/kwait/pkg/network"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	text := "kwait " + testVersion + "\ncommit:   " + testCommit + "\ngo:       " + runtime.Version() + "\nplatform: " + platform + "\n"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"version"}, text},
		{[]string{"version", "-o", "text"}, text},
		{[]string{"version", "--output=json"}, `{"version":"` + testVersion + `","commit":"` + testCommit +
			`","goVersion":"` + runtime.Version() + `","platform":"` + platform + `"}` + "\n"},
		{[]string{"--version"}, "kwait " + testVersion + "\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			r := run(t, tc.args...)
			if r.code != 0 || r.out != tc.want || r.err != "" {
				t.Errorf("kwait %s = %d, stdout %q, stderr %q; want 0, %q, nothing", strings.Join(tc.args, " "), r.code, r.out, r.err, tc.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"crd", "--help"}, {"--help", "crd"}, {"tcp", "-h"}, {"pods", "--help"}, {"resource", "--help"},
		// With names too: help, not an error about a help topic.
		{"http", "http://x", "--help"}, {"tcp", "db:5432", "-h", "--timeout", "1s"}, {"--help", "tcp://db:5432", "crd/a.b"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := run(t, args...)
			if r.code != 0 {
				t.Fatalf("exit code %d, want 0; stderr %q", r.code, r.err)
			}
			for _, want := range []string{"EXIT CODES", "124", "143", "USAGE"} {
				if !strings.Contains(r.out, want) {
					t.Errorf("help does not mention %q:\n%s", want, r.out)
				}
			}
			if r.err != "" {
				t.Errorf("stderr %q, want nothing", r.err)
			}
		})
	}
}

// TestHelpIsNotAName: "help" and "h" after a command are names to wait
// for, not requests for help (which would exit 0 without waiting).
func TestHelpIsNotAName(t *testing.T) {
	t.Parallel()
	// A Deployment on a cluster where nothing listens: no DNS query, no
	// connection off the machine.
	kc := kubeconfig(t)
	for _, name := range []string{"h", "help"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := run(t, "deployment", name, "--kubeconfig", kc, "--timeout", "1ms", "--termination-log", "")
			if r.out != "" || !strings.Contains(r.err, `"deployment/testns/`+name) {
				t.Errorf("exit code %d, stdout %q, stderr %q: want a wait for deployment/testns/%s, not help", r.code, r.out, r.err, name)
			}
		})
	}
}

// TestReady runs waits that succeed against real local servers, with
// flags before and after the names.
func TestReady(t *testing.T) {
	t.Parallel()
	addr := listener(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		if got := r.Header.Values("Accept"); len(got) > 0 && (len(got) != 1 || got[0] != "text/plain, */*") {
			http.Error(w, "unexpected Accept", http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		name string
		args []string
	}{
		{"flags after names", []string{"tcp", addr, "--timeout", "5s"}},
		{"flags before names", []string{"tcp", "--timeout", "5s", "-q", addr}},
		{"flags before command", []string{"--timeout=5s", "tcp", addr}},
		{"flags around names", []string{"--log-level", "debug", "tcp", addr, addr, "--log-format", "console"}},
		{"root tcp", []string{"tcp://" + addr, "--timeout", "5s"}},
		{"root tcp and http", []string{"--timeout", "5s", "tcp://" + addr, srv.URL + "/healthz", "--status", "200", "--body-contains", "ok"}},
		{"http command", []string{"http", srv.URL + "/healthz", "--body-regex", "^ok", "-H", "X-Test: 1"}},
		{"header value with a comma", []string{"http", srv.URL + "/healthz", "-H", "Accept: text/plain, */*", "--status", "200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, tt.args...)
			if r.code != 0 {
				t.Errorf("exit code %d, want 0; stderr: %s", r.code, r.err)
			}
			if r.out != "" {
				t.Errorf("stdout %q, want nothing", r.out)
			}
		})
	}
}

// TestEveryProtocolHasItsCommand: each database and queue kind of
// network.Kinds has a subcommand that takes every scheme of its kind, the
// TLS ones too, as far as the protocol's own URL checks.
func TestEveryProtocolHasItsCommand(t *testing.T) {
	t.Parallel()
	for _, k := range network.Kinds() {
		if !k.URL || k.HTTP {
			continue // tcp, dns, http: no database URL
		}
		for _, scheme := range k.Schemes {
			r := run(t, k.Name, scheme+"://127.0.0.1:1/#x", "--timeout", "50ms")
			if r.code != 2 || !strings.Contains(r.err, "a fragment is not supported") {
				t.Errorf("kwait %s %s://... = %d, %q; want exit 2 reaching the protocol's URL checks", k.Name, scheme, r.code, r.err)
			}
		}
	}
}
