//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tests in this file check both ways kwait gets a target's initial
// state: a streaming list (one WATCH with sendInitialEvents, Kubernetes
// 1.34+ with the WatchList feature gate on, as the suite's apiserver runs
// unless E2E_APISERVER_FEATURE_GATES says otherwise), and LIST+WATCH from
// a second apiserver on the same etcd with the gate off.

// auditEntry is what the tests read of an audit event.
type auditEntry struct {
	AuditID, Verb, RequestURI, UserAgent, Stage string
	User                                        struct{ Username string }
	ResponseStatus                              struct{ Code int }
}

// audited returns kwait's requests in the audit log file whose URI
// contains every one of want, one entry per request (a watch has two
// events, ResponseStarted and ResponseComplete: the last one counts).
func audited(t *testing.T, file string, want ...string) []auditEntry {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []auditEntry
	at := map[string]int{} // auditID: index in out
	for line := range strings.Lines(string(b)) {
		var e auditEntry
		if !strings.Contains(line, `"kwait/`) || json.Unmarshal([]byte(line), &e) != nil ||
			!strings.HasPrefix(e.UserAgent, "kwait/") || !containsAll(e.RequestURI, want) {
			continue
		}
		if i, ok := at[e.AuditID]; ok {
			out[i] = e
			continue
		}
		at[e.AuditID] = len(out)
		out = append(out, e)
	}
	return out
}

func describeEntries(es []auditEntry) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(e.Verb + " " + e.Stage + " " + e.RequestURI + "\n")
	}
	return b.String()
}

// TestStreamingListLeastPrivilege: a waiting target as a ServiceAccount
// allowed get, list, watch on the named objects only (RBAC resourceNames)
// costs one streaming WATCH and no LIST: the apiserver authorizes a
// streaming list by name like any watch by name.
func TestStreamingListLeastPrivilege(t *testing.T) {
	t.Parallel()
	if gates := os.Getenv("E2E_APISERVER_FEATURE_GATES"); strings.Contains(gates, "WatchList=false") {
		t.Skip("the suite's apiserver runs with WatchList=false")
	}
	ns := namespace(t)
	group := uniqueGroup(ns)
	crd := "tools." + group
	deleteCRD(t, crd)
	t.Cleanup(func() {
		_, _ = kubectlErr(t, "", "delete", "clusterrole,clusterrolebinding", ns+"-waiter", "--ignore-not-found")
	})
	apply(t, ns, waiterRBAC(crd))
	p := inCluster(t, ns, "waiter", "deployment/api", "crd/"+crd, "--timeout", "90s")
	p.await(t, "deployment/"+ns+"/api", "not found")
	apply(t, ns, deploymentYAML("api", 1, ""))
	apply(t, "", crdYAML("tools", group))
	p.expect(t, 0)

	log := filepath.Join(env.dir, "audit.log")
	for _, uri := range [][]string{{"/namespaces/" + ns + "/deployments?"}, {"/customresourcedefinitions?", "fieldSelector=metadata.name%3D" + crd}} {
		es := audited(t, log, uri...)
		if len(es) != 1 || es[0].Verb != "watch" || !strings.Contains(es[0].RequestURI, "sendInitialEvents=true") ||
			!strings.Contains(es[0].RequestURI, "fieldSelector=metadata.name") {
			t.Errorf("requests for %s:\n%swant one streaming watch by name", uri, describeEntries(es))
		}
	}
}

// TestFallbackWithoutWatchList: against an apiserver with the WatchList
// feature gate off, the first target's streaming list is refused (422),
// and every target of the run then lists and watches: at most one refusal
// per target started before the first refusal came, and the waits work as
// before.
func TestFallbackWithoutWatchList(t *testing.T) {
	t.Parallel()
	t.Cleanup(func() { _ = clusterScript(t, "fallback-apiserver", "down") })
	if err := clusterScript(t, "fallback-apiserver", "up"); err != nil {
		t.Fatal(err)
	}
	ns := namespace(t)
	apply(t, ns, deploymentYAML("ready", 1, ""))
	kubectl(t, "", "-n", ns, "rollout", "status", "deployment/ready", "--timeout=60s")
	kubeconfig := filepath.Join(env.dir, "fallback.kubeconfig")
	p := start(t, "deployment/"+ns+"/ready", "deployment/"+ns+"/api", "deployment/"+ns+"/web", "--kubeconfig", kubeconfig, "--timeout", "90s")
	p.await(t, "deployment/"+ns+"/api", "not found")
	apply(t, ns, deploymentYAML("api", 1, "")+"---\n"+deploymentYAML("web", 1, ""))
	p.expect(t, 0)

	es := audited(t, filepath.Join(env.dir, "audit-fallback.log"), "/namespaces/"+ns+"/deployments?")
	refused, lists := 0, 0
	for _, e := range es {
		switch {
		case strings.Contains(e.RequestURI, "sendInitialEvents=true") && e.ResponseStatus.Code == 422:
			refused++
		case strings.Contains(e.RequestURI, "sendInitialEvents"):
			t.Errorf("a streaming list not refused: %s %s (code %d)", e.Verb, e.RequestURI, e.ResponseStatus.Code)
		case e.Verb == "list":
			lists++
		}
	}
	// Targets never wait for each other's request: each of the 3 that
	// start at once may ask before the first refusal arrives, none after.
	if refused < 1 || refused > 3 || lists != 3 {
		t.Errorf("%d refused streaming lists and %d lists for 3 targets, want 1 to 3 and 3; requests:\n%s", refused, lists, describeEntries(es))
	}
}
