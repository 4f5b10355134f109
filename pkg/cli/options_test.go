package cli_test

import (
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
	var network, http []string
	for _, k := range netkinds.Kinds() {
		network = append(network, k.Name)
		targets[k.Name] = k.Schemes[0] + "://" + closed
		if k.Name == "dns" {
			targets[k.Name] = "dns://localhost"
		}
		if k.HTTP {
			http = append(http, k.Name)
		}
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
		{"--ca-file", "/nonexistent/ca.pem", "", http},
		{"--insecure", "maybe", "true", http},
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
