//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// crdYAML is a namespaced CRD PLURAL.GROUP with one served version v1 and a
// status subresource, so tests can set conditions.
func crdYAML(plural, group string) string {
	singular := strings.TrimSuffix(plural, "s")
	return crdNamed(plural, singular, strings.ToUpper(singular[:1])+singular[1:], group)
}

func crdNamed(plural, singular, kind, group string) string {
	return fmt.Sprintf(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: %[1]s.%[2]s}
spec:
  group: %[2]s
  scope: Namespaced
  names: {plural: %[1]s, singular: %[3]s, kind: %[4]s, listKind: %[4]sList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`, plural, group, singular, kind)
}

// uniqueGroup is an API group no other test uses.
func uniqueGroup(ns string) string { return ns + ".e2e.kwait.dev" }

func deleteCRD(t *testing.T, name string) {
	t.Cleanup(func() { _, _ = kubectlErr(t, "", "delete", "crd", name, "--ignore-not-found", "--wait=false") })
}

func TestCRDAlreadyEstablished(t *testing.T) {
	t.Parallel()
	group := uniqueGroup(namespace(t))
	deleteCRD(t, "widgets."+group)
	apply(t, "", crdYAML("widgets", group))
	kubectl(t, "", "wait", "--for=condition=Established", "crd/widgets."+group, "--timeout=60s")
	out := kwait(t, 0, "crd", "widgets."+group, "--timeout", "30s")
	mustContain(t, out, `"msg":"ready"`, "crd/widgets."+group)
}

// TestCRDInstalledWhileWaiting is the chart ordering case: kwait starts
// before the CRD exists, and once it exits the kind is usable at once.
func TestCRDInstalledWhileWaiting(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	group := uniqueGroup(ns)
	deleteCRD(t, "gadgets."+group)
	p := start(t, "crd", "gadgets."+group, "--timeout", "60s")
	p.await(t, "crd/gadgets."+group, "not found")
	apply(t, "", crdYAML("gadgets", group))
	p.expect(t, 0)
	// The very next client must not hit "no matches for kind".
	kubectl(t, "apiVersion: "+group+"/v1\nkind: Gadget\nmetadata: {name: first, namespace: "+ns+"}\n", "create", "-f", "-")
}

func TestCRDNamesConflictFailsFast(t *testing.T) {
	t.Parallel()
	group := uniqueGroup(namespace(t))
	deleteCRD(t, "bolts."+group)
	deleteCRD(t, "bolt."+group)
	apply(t, "", crdYAML("bolts", group))                       // singular "bolt"
	apply(t, "", crdNamed("bolt", "boltone", "BoltOne", group)) // plural "bolt" is the first CRD's singular
	out := kwait(t, 1, "crd", "bolt."+group, "--timeout", "60s")
	mustContain(t, out, "names not accepted: PluralConflict", "crd/bolt."+group)
}
