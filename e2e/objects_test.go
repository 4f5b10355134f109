//go:build e2e

package e2e

import (
	"testing"
)

// TestWaitForManifestObjects: kwait -f waits for every object of a
// manifest, as kubectl wait -f does, but also before the objects (and the
// custom resource's type) exist: a custom resource whose CRD is created
// later, ready once its Ready condition is True (kstatus), and a
// Deployment, ready once rolled out.
func TestWaitForManifestObjects(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	deleteCRD(t, "widgets."+group)
	path := manifestFile(t, ns, widget(group, "w", "1")+"---"+deploymentYAML("api", 2, ""))
	p := start(t, "-f", path, "--timeout", "2m")
	p.awaitEach(t, []string{`"target":"Widget.v1.` + group + "/" + ns + `/w"`, "not served"},
		[]string{`"target":"deployment/` + ns + `/api"`, "not found"})
	apply(t, "", crdYAML("widgets", group))
	kubectl(t, "", "apply", "-f", path)
	// Not ready while its status is empty (the Deployment's lines may come
	// before or after: both are in the output checked below).
	p.await(t, `"target":"Widget.v1.`+group+"/"+ns+`/w"`, "no status yet")
	kubectl(t, "", "-n", ns, "patch", "widgets."+group, "w", "--subresource=status", "--type=merge", "-p",
		`{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Done"}]}}`)
	out := p.expect(t, 0)
	mustContain(t, out, `"msg":"ready","target":"deployment/`+ns+`/api"`, `"msg":"ready","target":"Widget.v1.`+group+"/"+ns+`/w"`,
		`"msg":"all ready","targets":2`)
}

// TestWaitForManifestObjectsFor: -f with --for gives every object that
// rule: here delete, for objects never created.
func TestWaitForManifestObjectsFor(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	path := manifestFile(t, ns, deploymentYAML("gone", 1, "")+"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: NAMESPACE}\n")
	out := kwait(t, 0, "-f", path, "--for", "delete", "--timeout", "30s")
	mustContain(t, out, "Deployment.v1.apps/"+ns+"/gone", "ConfigMap.v1/"+ns+"/old", `"msg":"all ready","targets":2`)
}
