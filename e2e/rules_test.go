//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crdWithoutStatus is crdYAML without a status subresource.
func crdWithoutStatus(plural, group string) string {
	return strings.Replace(crdYAML(plural, group), "    subresources: {status: {}}\n", "", 1)
}

// TestReadyCustomResource: with a status subresource, a custom resource
// without status is not ready (kstatus would call it Current), Ready=False
// keeps it pending, and Ready=True ends the wait. Without a status
// subresource, the same object is ready as it is.
func TestReadyCustomResource(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	deleteCRD(t, "widgets."+group)
	deleteCRD(t, "notes."+group)
	apply(t, "", crdYAML("widgets", group))
	apply(t, "", crdWithoutStatus("notes", group))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/widgets."+group, "crd/notes."+group, "--timeout=60s")
	apply(t, ns, fmt.Sprintf("apiVersion: %[1]s/v1\nkind: Widget\nmetadata: {name: w, namespace: %[2]s}\n---\n"+
		"apiVersion: %[1]s/v1\nkind: Note\nmetadata: {name: memo, namespace: %[2]s}\n", group, ns))

	out := kwait(t, 0, "notes."+group+"/"+ns+"/memo:ready", "--timeout", "60s")
	mustContain(t, out, `"msg":"ready"`)

	p := start(t, "widgets."+group+"/"+ns+"/w:ready", "--timeout", "120s")
	p.await(t, "widgets."+group+"/"+ns+"/w", "no status yet")
	setStatus(t, ns, "widgets."+group, "w", `{"conditions":[{"type":"Ready","status":"False","reason":"Installing","message":"pulling images"}]}`)
	p.await(t, "Ready=False: Installing: pulling images")
	setStatus(t, ns, "widgets."+group, "w", `{"conditions":[{"type":"Ready","status":"True","reason":"Done"}]}`)
	p.expect(t, 0)
}

// TestReadyStalledFails: Stalled=True is a failure for good, with the
// condition's message.
func TestReadyStalledFails(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	deleteCRD(t, "widgets."+group)
	apply(t, "", crdYAML("widgets", group))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/widgets."+group, "--timeout=60s")
	apply(t, ns, customResource(group, "Widget", "w"))
	p := start(t, "--for", "ready", "widgets."+group+"/"+ns+"/w", "--timeout", "120s")
	p.await(t, "no status yet")
	setStatus(t, ns, "widgets."+group, "w", `{"conditions":[{"type":"Stalled","status":"True","reason":"BadConfig","message":"secret db-password not found"}]}`)
	out := p.expect(t, 1)
	mustContain(t, out, "stalled: BadConfig: secret db-password not found")
}

// TestFailForStartsToHold: a --fail-for rule that starts to hold while
// kwait waits ends the run with exit 1, naming the rule and the
// condition's message; on a kind's target (a Service, judged by its
// endpoints) the rule reads the Service itself.
func TestFailForStartsToHold(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	deleteCRD(t, "widgets."+group)
	apply(t, "", crdYAML("widgets", group))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/widgets."+group, "--timeout=60s")
	apply(t, ns, customResource(group, "Widget", "w"))

	p := start(t, "widgets."+group+"/"+ns+"/w:condition=Ready", "--fail-for", "condition=Degraded", "--timeout", "120s")
	p.await(t, "condition Ready not set")
	setStatus(t, ns, "widgets."+group, "w", `{"conditions":[{"type":"Degraded","status":"True","reason":"DiskFull","message":"volume data is full"}]}`)
	out := p.expect(t, 1)
	mustContain(t, out, "--fail-for condition=Degraded=True holds: Degraded=True: DiskFull: volume data is full")

	apply(t, ns, "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: "+ns+"}\nspec: {ports: [{port: 80}], selector: {app: none}}\n")
	p = start(t, "service/"+ns+"/api", "--fail-for", "jsonpath={.metadata.annotations.broken}=yes", "--timeout", "120s")
	p.await(t, "service/"+ns+"/api")
	kubectl(t, "", "-n", ns, "annotate", "service/api", "broken=yes")
	out = p.expect(t, 1)
	mustContain(t, out, "--fail-for jsonpath={.metadata.annotations.broken}=yes holds")
}

// TestFailForGrace: with --fail-after, a rule that holds is a reason to
// wait on until it has held that long.
func TestFailForGrace(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	deleteCRD(t, "widgets."+group)
	apply(t, "", crdYAML("widgets", group))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/widgets."+group, "--timeout=60s")
	apply(t, ns, customResource(group, "Widget", "w"))
	setStatus(t, ns, "widgets."+group, "w", `{"conditions":[{"type":"Ready","status":"False","reason":"Failed","message":"crash"}]}`)
	p := start(t, "widgets."+group+"/"+ns+"/w:ready", "--fail-for", "condition=Ready=False", "--fail-after", "2s", "--timeout", "120s")
	p.await(t, "fails if it still holds after 2s")
	out := p.expect(t, 1)
	mustContain(t, out, "--fail-for condition=Ready=False holds: Ready=False: Failed: crash (for 2s)")
}

// TestMisconfigurationExits2: a CA that did not sign the apiserver's
// certificate, and a token the apiserver rejects, end the run with exit 2
// and one line saying so, long before the timeout; the termination log
// gets the line too.
func TestMisconfigurationExits2(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	token := adminToken(t)
	wrongCA := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(wrongCA, throwawayCA(t), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, cluster, user, line string
	}{
		{"wrong CA file", "certificate-authority: " + wrongCA, "token: " + token,
			"kubeconfig's CA does not verify the apiserver: x509: certificate signed by unknown authority"},
		{"bogus token", clusterCA(), "token: " + fmt.Sprintf("%048x", time.Now().UnixNano()),
			"apiserver rejects the credentials (401 Unauthorized)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			termLog := filepath.Join(t.TempDir(), "termination-log")
			cfg := kubeconfig(t, tc.cluster, tc.user)
			p := start(t, "deployment/"+ns+"/api", "widgets.example.com/"+ns+"/w:ready",
				"--kubeconfig", cfg, "--timeout", "60s", "--termination-log", termLog)
			out := p.expect(t, 2)
			if p.took > 30*time.Second {
				t.Errorf("kwait took %s to give up, want well under the 60s timeout", p.took)
			}
			mustContain(t, out, tc.line)
			b, err := os.ReadFile(termLog)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(b)); got != tc.line {
				t.Errorf("termination log = %q, want the one line %q", got, tc.line)
			}
			noSecrets(t, out, token)
		})
	}
}

// TestReadyOnKnownTypes: ready on a kind kwait knows is the kind's own rule
// (a Service waits for an endpoint, not just for the object), and on a
// type without conditions (a ConfigMap) it is ready once the object exists.
func TestReadyOnKnownTypes(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: NAMESPACE}\nspec: {ports: [{port: 80}], selector: {app: none}}\n"+
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: NAMESPACE}\ndata: {a: b}\n")
	kwait(t, 0, "configmaps/"+ns+"/settings:ready", "--timeout", "60s")
	out := kwait(t, 124, "svc/"+ns+"/api:ready", "--timeout", "3s")
	mustContain(t, out, "service/"+ns+"/api: no ") // no EndpointSlices, or no endpoints in them
}
