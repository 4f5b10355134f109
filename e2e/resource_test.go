//go:build e2e

package e2e

import (
	"fmt"
	"testing"
)

// setStatus replaces a custom resource's status through the status
// subresource, as its operator would.
func setStatus(t *testing.T, ns, resource, name, status string) {
	t.Helper()
	kubectl(t, "", "-n", ns, "patch", resource, name, "--subresource=status", "--type=merge", "-p", `{"status":`+status+`}`)
}

func customResource(group, kind, name string) string {
	return fmt.Sprintf("apiVersion: %s/v1\nkind: %s\nmetadata: {name: %s, namespace: NAMESPACE}\nspec: {size: 1}\n", group, kind, name)
}

// TestResourceConditions covers the --for forms operators' charts need:
// condition=Ready, condition=Succeed, condition=Deployed=True and a
// jsonpath, each already true and becoming true while kwait waits.
func TestResourceConditions(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	typ := "platforms." + group
	deleteCRD(t, typ)
	apply(t, "", crdYAML("platforms", group))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/"+typ, "--timeout=60s")
	apply(t, ns, customResource(group, "Platform", "main"))

	cases := []struct {
		rule, status string
	}{
		{"condition=Ready", `{"conditions":[{"type":"Ready","status":"True","reason":"Done","lastTransitionTime":"2026-01-01T00:00:00Z","message":""}]}`},
		{"condition=Succeed", `{"conditions":[{"type":"Succeed","status":"True","reason":"Done","lastTransitionTime":"2026-01-01T00:00:00Z","message":""}]}`},
		{"condition=Deployed=True", `{"conditions":[{"type":"Deployed","status":"True","reason":"Done","lastTransitionTime":"2026-01-01T00:00:00Z","message":""}]}`},
		{"jsonpath={.status.phase}=Running", `{"phase":"Running"}`},
	}
	for _, c := range cases {
		setStatus(t, ns, typ, "main", `{"phase":"Pending","conditions":[]}`)
		p := start(t, "resource", typ+"/main", "-n", ns, "--for", c.rule, "--timeout", "60s")
		p.await(t, typ+"/"+ns+"/main", `"reason"`)
		setStatus(t, ns, typ, "main", c.status)
		p.expect(t, 0)
		kwait(t, 0, "resource", typ+"/"+ns+"/main", "--for", c.rule, "--timeout", "30s")
	}
}

// TestResourceBeforeItsCRD names a custom resource whose CRD is installed
// only after kwait starts, the operator-then-CR ordering problem.
func TestResourceBeforeItsCRD(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	typ := "servings." + group
	deleteCRD(t, typ)
	p := start(t, typ+"/"+ns+"/knative:condition=Ready", "--timeout", "90s")
	p.await(t, "CRD "+typ+": not found")
	apply(t, "", crdYAML("servings", group))
	p.await(t, typ+"/"+ns+"/knative", "not found")
	apply(t, ns, customResource(group, "Serving", "knative"))
	setStatus(t, ns, typ, "knative", `{"conditions":[{"type":"Ready","status":"True","reason":"Done","lastTransitionTime":"2026-01-01T00:00:00Z","message":""}]}`)
	p.expect(t, 0)
}

func TestResourceCreateAndDelete(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	p := start(t, "resource", "configmaps/settings", "-n", ns, "--for", "create", "--timeout", "60s")
	p.await(t, "configmaps/"+ns+"/settings", "not found")
	kubectl(t, "", "-n", ns, "create", "configmap", "settings")
	p.expect(t, 0)

	p = start(t, "configmaps/"+ns+"/settings:delete", "--timeout", "60s")
	p.await(t, "configmaps/"+ns+"/settings", "exists")
	kubectl(t, "", "-n", ns, "delete", "configmap", "settings")
	p.expect(t, 0)
}

// TestResourceRespectsObservedGeneration: a Ready condition left over from
// an older generation does not count.
func TestResourceRespectsObservedGeneration(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	typ := "engines." + group
	deleteCRD(t, typ)
	apply(t, "", crdYAML("engines", group))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/"+typ, "--timeout=60s")
	apply(t, ns, customResource(group, "Engine", "e1"))
	setStatus(t, ns, typ, "e1", `{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Done","lastTransitionTime":"2026-01-01T00:00:00Z","message":""}]}`)
	kubectl(t, "", "-n", ns, "patch", typ, "e1", "--type=merge", "-p", `{"spec":{"size":2}}`) // generation 2
	p := start(t, "resource", typ+"/e1", "-n", ns, "--for", "condition=Ready", "--timeout", "60s")
	p.await(t, "generation 2")
	setStatus(t, ns, typ, "e1", `{"observedGeneration":2}`)
	p.expect(t, 0)
}
