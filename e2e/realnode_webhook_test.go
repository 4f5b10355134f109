//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRealNodeAdmissionWebhook: kwait's admission probe, run by kwait's
// image in pods on the real node, against a validating webhook served by a
// pod on the real node (kwait.local/webhook, e2e/cluster/images/webhook)
// behind a Service, with a serving certificate for the Service's name from
// a CA the test makes. The apiserver calls the webhook through the Service
// (at its ready endpoint, the pod's IP) as it calls any in-cluster webhook.
//   - before the webhook's pod exists, the probes wait: the apiserver
//     cannot call the webhook (failurePolicy Fail)
//   - once it serves, the probe it allows ends 0 and creates nothing (the
//     webhook saw a dry run), and the configuration is ready by kwait's
//     rule too (a caBundle, a ready endpoint behind the Service)
//   - the probe it denies ends 1 at once, its termination message the
//     webhook's own
func TestRealNodeAdmissionWebhook(t *testing.T) {
	t.Parallel()
	node := realNode(t)
	ns := restrictedNamespace(t)
	group := uniqueGroup(ns)
	widgetsCRD(t, group)
	name := "check." + group
	deleteWebhookConfig(t, name)
	ca := newWebhookCA(t, "hook."+ns+".svc")
	secret, err := json.Marshal(map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
		"metadata":   map[string]string{"name": "hook-tls", "namespace": ns},
		"stringData": map[string]string{"tls.crt": ca.certPEM, "tls.key": ca.keyPEM},
	})
	if err != nil {
		t.Fatal(err)
	}
	kubectl(t, string(secret), "apply", "-f", "-")
	apply(t, ns, strings.ReplaceAll(`
apiVersion: v1
kind: Service
metadata: {name: hook, namespace: NAMESPACE}
spec:
  selector: {app: hook}
  ports: [{port: 443, targetPort: 8443}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: prober, namespace: NAMESPACE}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: prober, namespace: NAMESPACE}
rules: [{apiGroups: [GROUP], resources: [widgets], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: prober, namespace: NAMESPACE}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: prober}
subjects: [{kind: ServiceAccount, name: prober, namespace: NAMESPACE}]
`, "GROUP", group))
	apply(t, "", webhookConfig(name, group, fmt.Sprintf("{service: {name: hook, namespace: %s, path: /validate}, caBundle: %s}", ns, ca.bundle)))
	dryRunAnswers(t, ns, probeFile(t, group, "probe"), `failed calling webhook "`+name+`"`)

	for _, probe := range []string{"probe", "denied"} {
		object := fmt.Sprintf(`admission:{"apiVersion":"%s/v1","kind":"Widget","metadata":{"name":"%s"},"spec":{"size":1}}`, group, probe)
		apply(t, ns, realNodePod(node, `
apiVersion: v1
kind: Pod
metadata: {name: `+probe+`, namespace: NAMESPACE}
spec:
  nodeName: NODE
  TOLERATE
  restartPolicy: Never
  serviceAccountName: prober
  containers:
  - name: kwait
    image: KWAIT_IMAGE
    imagePullPolicy: Never
    args: ['`+object+`', --timeout, 3m]
    `+restricted+`
`))
	}
	target := "admission/Widget." + group + "/" + ns + "/"
	for _, probe := range []string{"probe", "denied"} {
		waitFor(t, ns, "pod/"+probe, "{.status.containerStatuses[0].started}", "true", 2*time.Minute)
		log := launch(t, kubectlCmd("-n", ns, "logs", "-f", "pod/"+probe))
		log.await(t, `"msg":"waiting"`, target+probe, `failed calling webhook \"`+name+`\"`)
	}

	apply(t, ns, realNodePod(node, `
apiVersion: v1
kind: Pod
metadata: {name: hook, namespace: NAMESPACE, labels: {app: hook}}
spec:
  nodeName: NODE
  TOLERATE
  automountServiceAccountToken: false
  containers:
  - name: webhook
    image: WEBHOOK_IMAGE
    imagePullPolicy: Never
    args: [":8443", /tls/tls.crt, /tls/tls.key]
    ports: [{containerPort: 8443}]
    readinessProbe: {tcpSocket: {port: 8443}, periodSeconds: 1}
    volumeMounts: [{name: tls, mountPath: /tls, readOnly: true}]
    `+restricted+`
  volumes: [{name: tls, secret: {secretName: hook-tls}}]
`))
	waitFor(t, ns, "pod/probe", "{.status.phase}", "Succeeded", 2*time.Minute)
	waitFor(t, ns, "pod/denied", "{.status.phase}", "Failed", 2*time.Minute)
	mustContain(t, kubectl(t, "", "-n", ns, "logs", "pod/probe"), `"msg":"all ready"`)
	msg := kubectl(t, "", "-n", ns, "get", "pod/denied", "-o",
		"jsonpath={.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.message}")
	if !strings.HasPrefix(msg, "1 ") {
		t.Errorf("the denied probe ended %q, want exit code 1", msg)
	}
	mustContain(t, msg, target+"denied", `admission webhook "`+name+`" denied the request`,
		"e2e webhook denies Widget "+ns+"/denied")
	mustContain(t, kubectl(t, "", "-n", ns, "logs", "pod/hook"),
		"allowed CREATE Widget "+ns+"/probe dryRun=true", "denied CREATE Widget "+ns+"/denied dryRun=true")
	if got := kubectl(t, "", "-n", ns, "get", "widgets."+group, "-o", "name"); strings.TrimSpace(got) != "" {
		t.Errorf("dry runs created %q", got)
	}
	kwait(t, 0, "validatingwebhookconfiguration/"+name, "--timeout", "60s")
}
