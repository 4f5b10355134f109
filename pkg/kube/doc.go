// Package kube waits for things in the Kubernetes API: the kinds of package
// kind (CRDs, workloads, Jobs, pods, Services) and any resource a --for rule
// judges. Every target lists and then watches the objects it needs,
// narrowed by a field or label selector, and judges them with the pure
// rules of package readiness.
//
// To stay small it uses only the dynamic client and reads discovery
// documents with plain GETs; typed clientsets and client-go's discovery
// package would link in every API group's types.
//
// Files are named by concern:
//   - conn_: the connection to the apiserver: the client, the kubeconfig,
//     bounds on silent answers and on dialling, a misconfigured connection,
//     a credential plugin's output, errors described as reasons;
//   - discovery_: discovery documents, shared by every target, and type
//     resolution (typeRef), CRDs of one group asking together;
//   - watch_: the list+watch engine every Kubernetes target runs on,
//     streaming lists, and --fail-for rules watched beside a target;
//   - kind_: the targets of package kind's table (CRDs, webhook
//     configurations, APIServices and every other kind);
//   - resource_: the TYPE/NAME --for target;
//   - manifest_: the objects of manifests sent to the apiserver: admission's
//     dry-run creates, apply and delete;
//   - retry.go: the backoff between attempts, shared by all of them.
package kube
