//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The real node (e2e/cluster/node.sh, started by `cluster.sh up` with
// E2E_REAL_NODE=1): containerd, runc, a kubelet, kube-proxy and CoreDNS, so
// kwait's image runs as a real container. Its Node is registered under its
// IP and carries the taint realNodeTaint; pods reach it with realNodePod.
const (
	realNodeTaint = "kwait.dev/real-node"
	// kwaitImage is the image under test, imported by realNode from the
	// archive `make image` built; imagePullPolicy Never everywhere, as
	// nothing may come from a registry.
	kwaitImage  = "kwait.local/kwait:e2e"
	listenImage = "kwait.local/listen:1"
	// webhookImage is a validating admission webhook over TLS
	// (e2e/cluster/images/webhook).
	webhookImage = "kwait.local/webhook:1"
	// embedImage holds kwait and the listen program, entrypoint /kwait: the
	// README's `kwait TARGET... -- PROGRAM` pattern.
	embedImage = "kwait.local/embed:e2e"
	pauseImage = "kwait.local/pause:1"
)

var realNodeOnce = sync.OnceValues(importKwaitImage)

// realNode skips the test unless the real node is up, and imports kwait's
// image into it once per run. It returns the node's name.
func realNode(t *testing.T) string {
	t.Helper()
	if os.Getenv("E2E_REAL_NODE") != "1" {
		t.Skip("the real node is off (E2E_REAL_NODE=1 starts it)")
	}
	name, err := realNodeOnce()
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func importKwaitImage() (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	archive := os.Getenv("KWAIT_IMAGE_ARCHIVE")
	if archive == "" {
		archive = filepath.Join(root, "_output", "image", "kwait-linux-amd64.oci.tar")
	}
	nodeSh := filepath.Join(root, "e2e", "cluster", "node.sh")
	out, err := exec.Command(nodeSh, "import", archive, kwaitImage).CombinedOutput()
	if err != nil {
		return "", &importError{archive, string(out), err}
	}
	embed := filepath.Join(os.TempDir(), "kwait-e2e-embed.oci.tar")
	defer os.Remove(embed)
	build := exec.Command("go", "run", "./nodeimage", "-out", embed, "-name", embedImage, "-entrypoint", "/kwait",
		"-file", "/kwait="+env.kwait, "-file", "/listen="+filepath.Join(env.dir, "node", "src", "listen"))
	build.Dir = filepath.Join(root, "hack", "ocibuild")
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := build.CombinedOutput(); err != nil {
		return "", &importError{"building " + embedImage, string(out), err}
	}
	if out, err := exec.Command(nodeSh, "import", embed).CombinedOutput(); err != nil {
		return "", &importError{embed, string(out), err}
	}
	out, err = exec.Command(env.kubectl, "--kubeconfig", env.kubeconfig, "get", "nodes", "-o",
		`jsonpath={range .items[?(@.spec.taints[0].key=="`+realNodeTaint+`")]}{.metadata.name}{end}`).CombinedOutput()
	if err != nil || len(out) == 0 {
		return "", &importError{"node lookup", string(out), err}
	}
	return string(out), nil
}

type importError struct {
	what, out string
	err       error
}

func (e *importError) Error() string {
	return e.what + ": " + strings.TrimSpace(e.out) + " " + errString(e.err)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// realNodePod fills the template's NODE and the toleration every pod on the
// real node needs (written as TOLERATE in the manifest).
func realNodePod(node, manifest string) string {
	return strings.NewReplacer(
		"NODE", node,
		"TOLERATE", `tolerations: [{key: `+realNodeTaint+`, operator: Exists}]`,
		"KWAIT_IMAGE", kwaitImage,
		"LISTEN_IMAGE", listenImage,
		"WEBHOOK_IMAGE", webhookImage,
		"PAUSE_IMAGE", pauseImage,
	).Replace(manifest)
}

// waitFor blocks (a kubectl watch) until jsonpath on obj in ns has value,
// at most timeout; on failure it shows the object.
func waitFor(t *testing.T, ns, obj, jsonpath, value string, timeout time.Duration) {
	t.Helper()
	out, err := kubectlErr(t, "", "-n", ns, "wait", obj, "--for=jsonpath="+jsonpath+"="+value, "--timeout="+timeout.String())
	if err != nil {
		desc, _ := kubectlErr(t, "", "-n", ns, "describe", obj)
		t.Fatalf("%s never had %s=%s: %v\n%s\n%s", obj, jsonpath, value, err, out, desc)
	}
}

// restricted is the container securityContext the restricted Pod Security
// level requires, which kwait's image must run under unchanged.
const restricted = `securityContext:
        runAsNonRoot: true
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
        seccompProfile: {type: RuntimeDefault}`

// restrictedNamespace is a test namespace where the restricted Pod Security
// level is enforced.
func restrictedNamespace(t *testing.T) string {
	t.Helper()
	ns := namespace(t)
	kubectl(t, "", "label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted")
	return ns
}

// TestRealNodeLeavesHostAlone: while the node runs, the host's tables and
// sysctls are the host's: kube-proxy's and the CNI plugin's rules are in the
// node's network namespace only, the pod bridge is not on the host, and each
// sysctl the kubelet would have changed still holds the host's value (the
// kubelet wrote to the file node.sh bind-mounted over it in its namespace).
func TestRealNodeLeavesHostAlone(t *testing.T) {
	realNode(t)
	rules, err := exec.Command("iptables-save").CombinedOutput()
	if err != nil {
		t.Fatalf("iptables-save: %v\n%s", err, rules)
	}
	for _, chain := range []string{"KUBE-", "CNI-"} {
		if strings.Contains(string(rules), chain) {
			t.Errorf("the host's iptables hold %s rules:\n%s", chain, rules)
		}
	}
	if _, err := os.Stat("/sys/class/net/cni0"); err == nil {
		t.Error("the pod bridge cni0 is on the host")
	}
	nodeRules, err := exec.Command(filepath.Join("cluster", "node.sh"), "nsexec", "iptables-save").CombinedOutput()
	if err != nil || !strings.Contains(string(nodeRules), "KUBE-SERVICES") {
		t.Fatalf("the node's own iptables have no KUBE-SERVICES (%v):\n%s", err, nodeRules)
	}
	faked, err := filepath.Glob(filepath.Join(env.dir, "node", "run", "sysctl", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faked {
		key := strings.ReplaceAll(filepath.Base(f), ".", "/")
		kubelets, err1 := os.ReadFile(f)
		hosts, err2 := os.ReadFile("/proc/sys/" + key)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if string(kubelets) == string(hosts) {
			t.Errorf("host sysctl %s is %q, the kubelet's value: it was changed", key, strings.TrimSpace(string(hosts)))
		}
	}
}
