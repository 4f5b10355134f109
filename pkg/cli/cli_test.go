package cli_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kwait-dev/kwait/pkg/cli"
)

// TestMain keeps the developer's environment out of the tests: KWAIT_*
// variables would change flag defaults, and a pod's service account would
// be used instead of the test kubeconfigs.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "KWAIT_") {
			_ = os.Unsetenv(name)
		}
	}
	_ = os.Unsetenv("KUBERNETES_SERVICE_HOST")
	os.Exit(m.Run())
}

const testVersion = "v1.2.3-test"

// testCommit is the commit the test build claims.
const testCommit = "0123456789abcdef0123456789abcdef01234567"

// safetyNet bounds every run: a case that wrongly starts waiting ends with
// 124 instead of hanging the test binary.
const safetyNet = 30 * time.Second

// result is what one run of kwait did.
type result struct {
	code     int
	out, err string
}

// mainMu serializes runs of Main. urfave/cli v2 writes to its
// package-level HelpFlag each time it builds a flag set, so two runs in one
// process race (kwait runs once per process, where this cannot happen).
var mainMu sync.Mutex

// runMain is cli.Main, one run at a time.
func runMain(ctx context.Context, args []string, s cli.Streams) int {
	mainMu.Lock()
	defer mainMu.Unlock()
	return cli.Main(ctx, args, s, cli.Build{Version: testVersion, Commit: testCommit})
}

// run runs kwait in-process with args (without the program name).
func run(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), safetyNet)
	defer cancel()
	var out, errOut bytes.Buffer
	code := runMain(ctx, append([]string{"kwait"}, args...), cli.Streams{Out: &out, Err: &errOut})
	return result{code: code, out: out.String(), err: errOut.String()}
}

// kubeconfig writes a kubeconfig for a cluster at https://127.0.0.1:1,
// where nothing listens: good for every error raised before kwait talks to
// the apiserver.
func kubeconfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	const cfg = `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: https://127.0.0.1:1
    insecure-skip-tls-verify: true
users:
- name: test
  user:
    token: test-token
contexts:
- name: test
  context:
    cluster: test
    user: test
    namespace: testns
current-context: test
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// listener returns the address of a TCP port accepting connections until
// the test ends.
func listener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l.Addr().String()
}

// closedPort returns an address where nothing listens: connections to it
// are refused.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// checkUsage asserts r is a bad-usage exit: code 2, nothing on stdout and
// exactly one line on stderr, "kwait: ..." containing want.
func checkUsage(t *testing.T, r result, want string) {
	t.Helper()
	if r.code != cli.ExitUsage {
		t.Errorf("exit code %d, want %d; stderr: %q", r.code, cli.ExitUsage, r.err)
	}
	if r.out != "" {
		t.Errorf("stdout %q, want nothing", r.out)
	}
	if !strings.HasPrefix(r.err, "kwait: ") || !strings.HasSuffix(r.err, "\n") || strings.Count(r.err, "\n") != 1 || strings.Contains(r.err, "\r") {
		t.Errorf("stderr %q, want one line starting with %q", r.err, "kwait: ")
	}
	if !strings.Contains(r.err, want) {
		t.Errorf("stderr %q does not name %q", r.err, want)
	}
	for _, bad := range []string{"panic", "goroutine"} {
		if strings.Contains(r.err, bad) {
			t.Errorf("stderr has %q: %q", bad, r.err)
		}
	}
}

func TestBadUsage(t *testing.T) {
	t.Parallel()
	kc := kubeconfig(t)
	closed := closedPort(t)
	tcp := "tcp://" + closed
	url := "http://" + closed + "/"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no args", nil, "no targets given"},
		{"only flags", []string{"--timeout", "5s"}, "no targets given"},
		{"crd without name", []string{"crd"}, "crd: missing"},
		{"deployment without name", []string{"deploy", "-n", "prod"}, "deployment: missing"},
		{"unknown root flag", []string{"--bogus", tcp}, "-bogus"},
		{"unknown command flag", []string{"tcp", closed, "--bogus"}, "-bogus"},
		{"kube flag on network command", []string{"tcp", closed, "-n", "prod"}, "--namespace applies to Kubernetes targets"},
		{"http flag on kube command", []string{"deploy", "api", "--status", "200"}, "--status applies to http targets"},
		{"min on deployment command", []string{"deploy", "api", "--min", "2"}, "--min applies to pods targets"},
		{"flag without value", []string{"tcp", closed, "--timeout"}, "flag needs an argument: -timeout"},
		{"string flag without value", []string{"http", url, "--body-contains"}, "flag needs an argument: -body-contains"},
		{"namespace without value", []string{"deployment", "api", "-n"}, "flag needs an argument: -n"},
		{"timeout not a duration", []string{"--timeout", "abc", tcp}, `"abc"`},
		{"timeout negative", []string{"tcp", closed, "--timeout", "-1s"}, "--timeout must be 0 (no deadline) or positive, got -1s"},
		{"status interval negative", []string{tcp, "--status-interval", "-1s"}, "--status-interval"},
		{"status interval too short", []string{tcp, "--status-interval", "1ns"}, "--status-interval must be 0 (off) or at least 1s"},
		{"max interval too short", []string{tcp, "--max-interval", "1ns"}, "--max-interval must be at least 10ms"},
		{"log level fatal", []string{"--log-level", "fatal", tcp}, `--log-level "fatal"`},
		{"kubeconfig not a file", []string{tcp, "--kubeconfig", t.TempDir()}, "is not a regular file"},
		{"bad value of a flag no target uses", []string{"crd/a.b", "--attempt-timeout", "-1s"}, "--attempt-timeout must be positive"},
		{"quiet not a bool", []string{tcp, "--quiet=maybe"}, "quiet"},
		{"log level", []string{"--log-level", "loud", tcp}, `--log-level "loud"`},
		{"log format", []string{"tcp", closed, "--log-format", "xml"}, `--log-format "xml"`},
		{"version extra", []string{"version", "extra"}, "version takes no arguments"},
		{"version flag", []string{"version", "--timeout", "1s"}, "-timeout"},
		{"version output", []string{"version", "-o", "yaml"}, `--output "yaml": want text or json`},

		{"pods without selector", []string{"pods", "-n", "prod"}, "--selector"},
		{"pods blank selector", []string{"pods", "-l", " "}, "--selector: empty label selector"},
		{"pods positional", []string{"pods", "app=web", "-l", "app=web"}, `unexpected argument "app=web"`},
		{"pods bad selector", []string{"pods", "-l", "a in ("}, "--selector: bad label selector"},
		{"pods bad selector equals", []string{"pods", "-l", "=web"}, "--selector: bad label selector"},
		{"pods min zero", []string{"pods", "-l", "app=web", "--min", "0", "--kubeconfig", kc}, "--min must be at least 1, got 0"},
		{"pods min not a number", []string{"pods", "-l", "app=web", "--min", "two"}, `"two"`},
		{"root min zero", []string{"pods/app=web", "--min", "0", "--kubeconfig", kc}, "--min must be at least 1"},

		{"resource without for", []string{"resource", "x.y.z/name"}, "x.y.z/name: a resource needs a rule"},
		{"resource bad for", []string{"resource", "widgets.example.com/w", "--for", "bogus", "--kubeconfig", kc}, `--for "bogus"`},
		{"resource bad condition", []string{"resource", "widgets.example.com/w", "--for", "condition=", "--kubeconfig", kc}, `--for "condition="`},
		{"resource bad type", []string{"resource", "Wid_gets.example.com/w", "--for", "create"}, `resource type "Wid_gets.example.com"`},
		{"resource without name", []string{"resource", "widgets", "--for", "create"}, `"widgets"`},
		{"resource rule twice", []string{"resource", "widgets/w:create", "--for", "delete"}, "widgets/w:create: give rules either with --for or after ':'"},
		{"resource missing kubeconfig", []string{"resource", "widgets/w", "--for", "create", "--kubeconfig", filepath.Join(t.TempDir(), "missing")}, "missing"},
		{"namespace flag", []string{"deployment", "api", "-n", "Bad_NS", "--kubeconfig", kc}, `--namespace: namespace "Bad_NS"`},

		{"http status", []string{"http", url, "--status", "abc"}, `--status: invalid status "abc"`},
		{"http header", []string{"http", url, "--header", "novalue"}, "--header: invalid header"},
		{"http header name", []string{"http", url, "-H", "Bad Name: x"}, `"Bad Name"`},
		{"http body regex", []string{"http", url, "--body-regex", "("}, "invalid body regexp"},
		{"http ca file", []string{"http", url, "--ca-file", "/nonexistent/ca.pem"}, "/nonexistent/ca.pem"},
		{"http method", []string{"http", url, "--method", "GE T"}, `"GE T"`},
		{"http attempt timeout", []string{"http", url, "--attempt-timeout", "0"}, "--attempt-timeout must be positive"},
		{"tcp attempt timeout", []string{"tcp", closed, "--attempt-timeout", "0"}, "--attempt-timeout must be positive"},
		{"dns max interval", []string{"dns", "db", "--max-interval", "-1s"}, "--max-interval must be positive"},
		{"http bad url", []string{"http", "web/healthz"}, `"web/healthz"`},
		{"http bad host", []string{"http", "http://a..b/"}, "empty label"},
		{"long argument cut", []string{"deployment/" + strings.Repeat("x", 5000)}, strings.Repeat("x", 245) + `..."`},
		{"tcp bad address", []string{"tcp", "db"}, `"db"`},
		{"tcp bad port", []string{"tcp", "db:70000"}, `port "70000"`},
		{"dns bad name", []string{"dns", "bad..name"}, `"bad..name"`},
		{"crd bad name", []string{"crd", "widgets"}, `"widgets" is not PLURAL.GROUP`},

		{"root status without http", []string{tcp, "--status", "200"}, "--status applies to http targets"},
		{"root header without http", []string{"-H", "X-A: 1", tcp}, "--header applies to http targets"},
		{"root min without pods", []string{"--min", "2", tcp}, "--min applies to pods targets"},
		{"root resource without rule", []string{tcp, "widgets/w"}, "widgets/w: a resource needs a rule"},
		{"root bad type", []string{tcp, "wid_gets/w:create"}, `resource type "wid_gets"`},
		{"root unknown scheme", []string{"ftp://files"}, `unknown scheme "ftp"`},
		{"root bare word", []string{"db"}, `invalid target "db"`},
		{"root bad namespace", []string{"deployment/Bad_NS/api"}, `namespace "Bad_NS"`},
		{"root crd without dot", []string{"crd/widgets", tcp}, `"widgets" is not PLURAL.GROUP`},
		{"root empty rule", []string{"deployment/api:"}, "empty rule"},
		{"root bad rule", []string{"crd/a.b:bogus=1", "--kubeconfig", kc}, `"bogus=1"`},
		{"root rule on pods names a pod", []string{"pods/app=web:create", "--kubeconfig", kc}, `name "app=web"`},
		{"root --for on a pods selector", []string{"pods/app=web", "--for", "create", "--kubeconfig", kc}, "a rule judges one pod by name"},
		{"root for without kube", []string{tcp, "--for", "create"}, "--for applies to Kubernetes targets"},
		{"root gone without network", []string{"deployment/api", "--gone", "--kubeconfig", kc}, "--gone applies to network targets"},
		{"postgres bad url", []string{"postgres", "db?sslmode=sometimes"}, "sslmode: want disable"},
		{"redis user without password", []string{"redis://app@cache"}, "a user needs a password"},
		{"root namespace without kube", []string{tcp, "-n", "prod"}, "--namespace applies to Kubernetes targets"},
		{"root fail-for without kube", []string{tcp, "--fail-for", "condition=Stalled"}, "--fail-for applies to Kubernetes targets"},
		{"root bad fail-for", []string{"deployment/api", "--fail-for", "condition="}, `invalid --fail-for "condition="`},
		{"root ready as fail-for", []string{"deployment/api", "--fail-for", "ready"}, "ready is not a failure rule"},
		{"root fail-after without fail-for", []string{"deployment/api", "--fail-after", "30s"}, "--fail-after applies to --fail-for rules"},
		{"root negative fail-after", []string{"deployment/api", "--fail-for", "delete", "--fail-after", "-1s"}, "--fail-after must not be negative"},
		{"root ready on a service with another rule", []string{"resource", "services/api", "--for", "ready", "--for", "create", "--kubeconfig", kc}, "ready on a service cannot be combined"},
		{"root attempt timeout without network", []string{"deployment/api", "--attempt-timeout", "1s", "--kubeconfig", kc}, "--attempt-timeout applies to network targets"},
		{"cluster-scoped type with a namespace", []string{"resource", "flowschemas.flowcontrol.apiserver.k8s.io/x/global-default", "--for", "create"}, "flowschemas.flowcontrol.apiserver.k8s.io is cluster-scoped"},
		{"crd with a namespace", []string{"crd/x/a.b"}, "customresourcedefinitions.apiextensions.k8s.io is cluster-scoped"},
		{"root bad selector", []string{"pods/tier in (a"}, "bad label selector"},
		// With a rule, pods are named: -l would be ignored.
		{"pods by name with a selector", []string{"pods", "web-0", "--for", "condition=Ready", "-l", "app=web", "--kubeconfig", kc}, "--selector applies to pods targets"},
		{"root tcp port", []string{"tcp://db:0"}, `invalid target "tcp://db:0"`},
		{"root http without host", []string{"http://"}, "missing host"},
		{"root attempt timeout", []string{url, "--attempt-timeout", "-1s"}, "--attempt-timeout"},
		{"root bad status", []string{"--status", "abc", url}, "--status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkUsage(t, run(t, tt.args...), tt.want)
		})
	}
}

// TestBadUsageIsShort: an error repeats at most a few hundred bytes of a
// long argument.
func TestBadUsageIsShort(t *testing.T) {
	t.Parallel()
	r := run(t, "deployment/"+strings.Repeat("x", 5000))
	checkUsage(t, r, "invalid target")
	if len(r.err) > 800 {
		t.Errorf("stderr has %d bytes, want a short line", len(r.err))
	}
}

// TestBadUsageHidesPassword: an error about a URL never shows its password.
func TestBadUsageHidesPassword(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"http://user:secret@"},
		{"http://user:secret@web:99999/"},
		{"couchdb://app:secret@db:5432/app"},
		{"postgres://app:secret@db:99999/app"},
		{"redis", "redis://:secret@cache/x"},
		{"http", "user:secret@web"},
		{"http", "http://user:secret@web:abc/"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := run(t, args...)
			checkUsage(t, r, "REDACTED")
			if strings.Contains(r.err, "secret") {
				t.Errorf("stderr shows the password: %q", r.err)
			}
		})
	}
}

// The tests below use t.Setenv, so they cannot run in parallel.

func TestBadUsageFromEnv(t *testing.T) {
	closed := closedPort(t)
	tests := []struct {
		name, env, value string
		args             []string
		want             string
	}{
		{"timeout root", "KWAIT_TIMEOUT", "abc", []string{"tcp://" + closed}, "KWAIT_TIMEOUT"},
		{"timeout command", "KWAIT_TIMEOUT", "abc", []string{"tcp", closed}, "KWAIT_TIMEOUT"},
		{"timeout negative", "KWAIT_TIMEOUT", "-5s", []string{"tcp", closed}, "--timeout must be 0 (no deadline) or positive"},
		{"log level", "KWAIT_LOG_LEVEL", "loud", []string{"tcp", closed}, `--log-level "loud"`},
		{"min", "KWAIT_MIN", "x", []string{"pods", "-l", "app=web"}, "KWAIT_MIN"},
		{"selector", "KWAIT_SELECTOR", "a in (", []string{"pods"}, "--selector"},
		// Checked even where no target would use it.
		{"namespace on a network command", "KWAIT_NAMESPACE", "Bad_NS", []string{"tcp", closed}, "--namespace"},
		{"kubeconfig on a network command", "KWAIT_KUBECONFIG", "/nonexistent/kubeconfig", []string{"dns", "localhost"}, "--kubeconfig"},
		{"status on a kube command", "KWAIT_STATUS", "abc", []string{"crd", "a.b"}, "--status"},
		{"attempt timeout on a kube command", "KWAIT_ATTEMPT_TIMEOUT", "-1s", []string{"deploy", "api"}, "--attempt-timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(tt.env, tt.value)
			checkUsage(t, run(t, tt.args...), tt.want)
		})
	}
}

// TestBadNamespaceWithKubeconfigEnv reaches client building through
// $KUBECONFIG; the namespace is refused before any connection.
func TestBadNamespaceWithKubeconfigEnv(t *testing.T) {
	t.Setenv("KUBECONFIG", kubeconfig(t))
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	for _, args := range [][]string{
		{"deployment", "api", "-n", "Bad_NS"},
		{"-n", "Bad_NS", "deployment/api", "svc/web"},
		{"pods", "-l", "app=web", "--namespace", "Bad_NS"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			checkUsage(t, run(t, args...), `--namespace: namespace "Bad_NS"`)
		})
	}
	t.Run("env", func(t *testing.T) {
		t.Setenv("KWAIT_NAMESPACE", "Bad_NS")
		checkUsage(t, run(t, "statefulset", "db"), `namespace "Bad_NS"`)
	})
}

// TestPodWideVariablesDoNotFailOtherTargets: KWAIT_* variables set for a
// whole pod (an http flag, --min) are not a request of this call, so a call
// without http or pods targets runs instead of being refused; but a bad
// value is refused whatever the targets.
func TestPodWideVariablesDoNotFailOtherTargets(t *testing.T) {
	t.Setenv("KWAIT_STATUS", "200")
	t.Setenv("KWAIT_MIN", "2")
	r := run(t, "tcp://"+listener(t), "--timeout", "10s")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", r.code, r.err)
	}
	// The same flags on the command line are refused.
	checkUsage(t, run(t, "tcp://"+listener(t), "--status", "200"), "--status applies to http targets")
	// A bad value is refused even though no target would use it.
	t.Setenv("KWAIT_CA_FILE", "/nonexistent/ca.crt")
	checkUsage(t, run(t, "tcp://"+listener(t), "--timeout", "10s"), "--ca-file")
}
