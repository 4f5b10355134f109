package kind

import (
	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// All lists the kinds in the order --help shows them. The table is built on
// each call, so no caller can change another's copy.
func All() []Kind {
	builtin := builtinTypes()
	crds := builtin("apiextensions.k8s.io", "customresourcedefinitions")
	deployments := builtin("apps", "deployments")
	statefulSets := builtin("apps", "statefulsets")
	daemonSets := builtin("apps", "daemonsets")
	jobs := builtin("batch", "jobs")
	services := builtin("", "services")
	pods := builtin("", "pods")
	validating := builtin("admissionregistration.k8s.io", "validatingwebhookconfigurations")
	mutating := builtin("admissionregistration.k8s.io", "mutatingwebhookconfigurations")
	apiServices := builtin("apiregistration.k8s.io", "apiservices")
	return []Kind{{
		Name: "crd", Type: crds, Watch: crds, Select: ByName, Then: ThenServed,
		Args:    "PLURAL.GROUP...",
		Usage:   "wait for CRDs to be Established, their names accepted and their resources served",
		Example: "kwait crd tenants.minio.min.io clusters.postgresql.cnpg.io",
		Judge:   byType(crds),
	}, {
		Name: "deployment", Type: deployments, Watch: deployments, Select: ByName,
		Args:    "[NAMESPACE/]NAME...",
		Usage:   "wait for Deployments to finish rolling out (as kubectl rollout status)",
		Example: "kwait deployment cnpg-system/cnpg-controller-manager",
		Judge:   byType(deployments),
	}, {
		Name: "statefulset", Type: statefulSets, Watch: statefulSets, Select: ByName,
		Args:    "[NAMESPACE/]NAME...",
		Usage:   "wait for StatefulSets to finish rolling out",
		Example: "kwait statefulset postgres -n data",
		Judge:   byType(statefulSets),
	}, {
		Name: "daemonset", Type: daemonSets, Watch: daemonSets, Select: ByName,
		Args:    "[NAMESPACE/]NAME...",
		Usage:   "wait for DaemonSets to finish rolling out",
		Example: "kwait daemonset kube-system/cilium",
		Judge:   byType(daemonSets),
	}, {
		Name: "job", Type: jobs, Watch: jobs, Select: ByName,
		Args:    "[NAMESPACE/]NAME...",
		Usage:   "wait for Jobs to complete; a failed Job fails the wait",
		Example: "kwait job db-migrate",
		Judge:   byType(jobs),
	}, {
		Name: "service", Type: services, Watch: builtin("discovery.k8s.io", "endpointslices"), Select: ByServiceName,
		Args:    "[NAMESPACE/]NAME...",
		Usage:   "wait for Services to have a ready endpoint",
		Example: "kwait service cert-manager/cert-manager-webhook",
		Judge:   func(Params) readiness.Judge { return readiness.Each(readiness.EndpointSlices) },
	}, {
		Name: "pods", Type: pods, Watch: pods, Select: BySelector,
		Args:    "-l SELECTOR [--min N]",
		Usage:   "wait for every pod matching -l to be Ready, and at least --min of them",
		Example: "kwait pods -l app=postgres --min 1",
		Judge: func(p Params) readiness.Judge {
			return readiness.Each(func(pods []*readiness.PodFields) target.Status { return readiness.Pods(pods, p.Min) })
		},
	}, {
		Name: "validatingwebhookconfiguration", Type: validating, Watch: validating, Select: ByName, Then: ThenEndpoints,
		Args:    "NAME...",
		Usage:   "wait for ValidatingWebhookConfigurations: a caBundle in every webhook, a ready endpoint behind each Service",
		Example: "kwait validatingwebhookconfiguration cert-manager-webhook",
		Judge:   byType(validating),
	}, {
		Name: "mutatingwebhookconfiguration", Type: mutating, Watch: mutating, Select: ByName, Then: ThenEndpoints,
		Args:    "NAME...",
		Usage:   "wait for MutatingWebhookConfigurations: a caBundle in every webhook, a ready endpoint behind each Service",
		Example: "kwait mutatingwebhookconfiguration cert-manager-webhook",
		Judge:   byType(mutating),
	}, {
		Name: "apiservice", Type: apiServices, Watch: apiServices, Select: ByName, Then: ThenDiscovery, LooseNames: true,
		Args:    "VERSION.GROUP...",
		Usage:   "wait for APIServices to be Available and their group/version to answer discovery",
		Example: "kwait apiservice v1beta1.metrics.k8s.io",
		Judge:   byType(apiServices),
	}}
}

// byType is the rule of a kind that judges the one object of its type by
// name: what `ready` means for that type in package apitype's table.
func byType(t apitype.Type) func(Params) readiness.Judge {
	return func(Params) readiness.Judge { return apitype.ReadyOf(t).Judge() }
}

// builtinTypes returns a lookup in one copy of the built-in types table,
// so that building the kinds builds that table once, not once per kind
// (kwait builds the kinds for every command at start). A missing type is a
// programming error caught by every test that builds the table.
func builtinTypes() func(group, resource string) apitype.Type {
	types := apitype.Builtins() // once per table: it is built on each call too
	return func(group, resource string) apitype.Type {
		for _, t := range types {
			if t.Group == group && t.Resource == resource {
				return t
			}
		}
		panic("kind: no built-in type " + resource + "." + group)
	}
}
