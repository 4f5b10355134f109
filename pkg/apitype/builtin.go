package apitype

import (
	"strings"

	"github.com/kwait-dev/kwait/pkg/readiness"
)

// Builtins lists the types kube-apiserver itself serves in a stable version
// and kwait addresses without a discovery request, in discovery order (the
// core group first). An e2e test compares every entry with the discovery
// documents of a real apiserver, and judges an object of each with --for
// ready. Types outside this table (beta and alpha versions, CRDs,
// aggregated APIs) are resolved through discovery.
//
// The table is built on each call, so no caller can change another's copy.
func Builtins() []Type {
	rows := table()
	out := make([]Type, len(rows))
	for i, r := range rows {
		out[i] = r.typ()
	}
	return out
}

// ReadyOf is what `ready` means for t: its row's meaning when t is a type
// of the built-in table in the table's version; refused for any other type
// of a built-in group (another version, a beta or alpha type), since kwait
// knows no rule for it; the zero Meaning for the types of any other group
// (custom resources, aggregated APIs), which readiness.Current judges.
func ReadyOf(t Type) readiness.Meaning {
	for _, r := range table() {
		if r.group != t.Group || r.resource != t.Resource {
			continue
		}
		if r.version != t.Version {
			return readiness.Meaning{Refused: "kwait's rule for " + r.typ().String() + " is for version " +
				r.version + "; name the type " + r.resource + "." + r.version + dotGroup(r.group)}
		}
		return r.ready
	}
	if IsBuiltinGroup(t.Group) {
		return readiness.Meaning{Refused: "kwait knows no rule for " + t.String() + " in version " + t.Version}
	}
	return readiness.Meaning{}
}

func dotGroup(group string) string {
	if group == "" {
		return ""
	}
	return "." + group
}

// row is one type of the table and what `ready` means for it. Its fields
// are constants and functions, so the table is data in the binary rather
// than code building it (which cost 40 KB).
type row struct {
	group, version, resource, kind string
	namespaced                     bool
	shortNames                     string // kubectl's, separated by spaces
	ready                          readiness.Meaning
}

func (r row) typ() Type {
	return Type{Group: r.group, Version: r.version, Resource: r.resource, Singular: strings.ToLower(r.kind),
		Kind: r.kind, Namespaced: r.namespaced, ShortNames: strings.Fields(r.shortNames)}
}

// table is the built-in table. A type no kind of package kind waits for has
// a rule of its own where its objects report readiness, kstatus's where
// kstatus has one (or stricter), `exists` where nothing about it becomes
// ready, and a refusal where ready has no meaning.
func table() []row { return builtinRows[:] }

// Scopes of the rows below.
const ns, cluster = true, false

// builtinRows is the built-in table, data in the binary: nothing writes to
// it, and what leaves the package is built from it (Builtins, ReadyOf), so
// no caller can change another's copy. A lookup costs no allocation; built
// on each call, the table cost 16 KB per lookup, a few per target.
var builtinRows = [...]row{
	{"", "v1", "configmaps", "ConfigMap", ns, "cm", readiness.Meaning{Ready: "exists: a ConfigMap holds data, nothing becomes ready", Rule: readiness.Exists}},
	{"", "v1", "endpoints", "Endpoints", ns, "ep", readiness.Meaning{Ready: "a subset lists a ready address (`subsets[].addresses`)", Rule: readiness.Endpoints}},
	{"", "v1", "events", "Event", ns, "ev", readiness.Meaning{Refused: "an Event records what happened; it has no state to wait for"}},
	{"", "v1", "limitranges", "LimitRange", ns, "limits", readiness.Meaning{Ready: "exists: admission applies a LimitRange as soon as it exists", Rule: readiness.Exists}},
	{"", "v1", "namespaces", "Namespace", cluster, "ns", readiness.Meaning{Ready: "phase `Active`", Rule: readiness.Namespace}},
	{"", "v1", "nodes", "Node", cluster, "no", readiness.Meaning{Ready: "condition `Ready=True`", Rule: readiness.ReadyCondition}},
	{"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", ns, "pvc", readiness.Meaning{Ready: "phase `Bound` (kstatus, Helm 3 `--wait`)", Fails: "phase `Lost`", Rule: readiness.PersistentVolumeClaim}},
	{"", "v1", "persistentvolumes", "PersistentVolume", cluster, "pv", readiness.Meaning{Ready: "phase `Bound` or `Available`", Fails: "phase `Failed`, with its message", Rule: readiness.PersistentVolume}},
	{"", "v1", "pods", "Pod", ns, "po", readiness.Meaning{Ready: "condition `Ready=True`, or phase `Succeeded` (kstatus)", Fails: "phase `Failed`, with its reason; a container in `CrashLoopBackOff` after 3 restarts, with its last exit code", Rule: readiness.PodObject}},
	{"", "v1", "podtemplates", "PodTemplate", ns, "", readiness.Meaning{Ready: "exists: a PodTemplate is a template, nothing runs it by itself", Rule: readiness.Exists}},
	{"", "v1", "replicationcontrollers", "ReplicationController", ns, "rc", readiness.Meaning{Ready: "as a ReplicaSet", Rule: readiness.ReplicaSet}},
	{"", "v1", "resourcequotas", "ResourceQuota", ns, "quota", readiness.Meaning{Ready: "the quota controller computed its usage: `status.hard` lists every resource of `spec.hard`", Rule: readiness.ResourceQuota}},
	{"", "v1", "secrets", "Secret", ns, "", readiness.Meaning{Ready: "exists: a Secret holds data, nothing becomes ready", Rule: readiness.Exists}},
	{"", "v1", "serviceaccounts", "ServiceAccount", ns, "sa", readiness.Meaning{Ready: "exists: tokens are issued on request, nothing to wait for", Rule: readiness.Exists}},
	{"", "v1", "services", "Service", ns, "svc", readiness.Meaning{Ready: "alone: the `service` kind (a ready endpoint), and for type `LoadBalancer` an address in `status.loadBalancer.ingress` (kstatus); next to other rules: refused (exit 2)", Rule: readiness.LoadBalancer}},
	{"apiregistration.k8s.io", "v1", "apiservices", "APIService", cluster, "", readiness.Meaning{Ready: "as the `apiservice` kind", Rule: readiness.APIServiceObject, KindRule: true}},
	{"apps", "v1", "controllerrevisions", "ControllerRevision", ns, "", readiness.Meaning{Ready: "exists: a ControllerRevision is an immutable record of a workload's template", Rule: readiness.Exists}},
	{"apps", "v1", "daemonsets", "DaemonSet", ns, "ds", readiness.Meaning{Ready: "as the `daemonset` kind", Rule: readiness.DaemonSetObject, KindRule: true}},
	{"apps", "v1", "deployments", "Deployment", ns, "deploy", readiness.Meaning{Ready: "as the `deployment` kind", Fails: "as the `deployment` kind", Rule: readiness.DeploymentObject, KindRule: true}},
	{"apps", "v1", "replicasets", "ReplicaSet", ns, "rs", readiness.Meaning{Ready: "generation observed; available and ready replicas = `spec.replicas`, none left over (kstatus); scaled to zero is ready", Rule: readiness.ReplicaSet}},
	{"apps", "v1", "statefulsets", "StatefulSet", ns, "sts", readiness.Meaning{Ready: "as the `statefulset` kind", Rule: readiness.StatefulSetObject, KindRule: true}},
	{"events.k8s.io", "v1", "events", "Event", ns, "ev", readiness.Meaning{Refused: "an Event records what happened; it has no state to wait for"}},
	{"autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", ns, "hpa", readiness.Meaning{Ready: "conditions `AbleToScale=True` and `ScalingActive=True`: it reads its metrics and can scale", Rule: readiness.HorizontalPodAutoscaler}},
	{"batch", "v1", "cronjobs", "CronJob", ns, "cj", readiness.Meaning{Ready: "exists: a CronJob starts Jobs on its schedule; wait for a Job instead (kstatus: always ready)", Rule: readiness.Exists}},
	{"batch", "v1", "jobs", "Job", ns, "", readiness.Meaning{Ready: "as the `job` kind", Fails: "as the `job` kind", Rule: readiness.JobObject, KindRule: true}},
	{"certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest", cluster, "csr", readiness.Meaning{Ready: "`Approved=True` and `status.certificate` issued", Fails: "`Denied=True` or `Failed=True`", Rule: readiness.CertificateSigningRequest}},
	{"networking.k8s.io", "v1", "ingressclasses", "IngressClass", cluster, "", readiness.Meaning{Ready: "exists: an IngressClass names a controller, nothing becomes ready", Rule: readiness.Exists}},
	{"networking.k8s.io", "v1", "ingresses", "Ingress", ns, "ing", readiness.Meaning{Ready: "its ingress controller published an address (`status.loadBalancer.ingress`); use `create` with a controller that never does", Rule: readiness.Ingress}},
	{"networking.k8s.io", "v1", "ipaddresses", "IPAddress", cluster, "ip", readiness.Meaning{Ready: "exists: an IPAddress is allocated when it exists", Rule: readiness.Exists}},
	{"networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", ns, "netpol", readiness.Meaning{Ready: "exists: the network plugin enforces a NetworkPolicy without reporting it", Rule: readiness.Exists}},
	{"networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR", cluster, "", readiness.Meaning{Ready: "condition `Ready=True`", Rule: readiness.ReadyCondition}},
	{"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", ns, "pdb", readiness.Meaning{Ready: "counted by the disruption controller, `status.currentHealthy` ≥ `status.desiredHealthy`", Rule: readiness.PodDisruptionBudget}},
	{"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", cluster, "", readiness.Meaning{Ready: "exists: RBAC takes effect when an object exists", Rule: readiness.Exists}},
	{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", cluster, "", readiness.Meaning{Ready: "exists: RBAC takes effect when an object exists", Rule: readiness.Exists}},
	{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", ns, "", readiness.Meaning{Ready: "exists: RBAC takes effect when an object exists", Rule: readiness.Exists}},
	{"rbac.authorization.k8s.io", "v1", "roles", "Role", ns, "", readiness.Meaning{Ready: "exists: RBAC takes effect when an object exists", Rule: readiness.Exists}},
	{"storage.k8s.io", "v1", "csidrivers", "CSIDriver", cluster, "", readiness.Meaning{Ready: "exists: a CSIDriver describes a driver, nothing becomes ready", Rule: readiness.Exists}},
	{"storage.k8s.io", "v1", "csinodes", "CSINode", cluster, "", readiness.Meaning{Ready: "exists: the kubelet writes a CSINode for its drivers", Rule: readiness.Exists}},
	{"storage.k8s.io", "v1", "csistoragecapacities", "CSIStorageCapacity", ns, "", readiness.Meaning{Ready: "exists: a CSIStorageCapacity reports capacity, nothing becomes ready", Rule: readiness.Exists}},
	{"storage.k8s.io", "v1", "storageclasses", "StorageClass", cluster, "sc", readiness.Meaning{Ready: "exists: a StorageClass describes storage, nothing becomes ready", Rule: readiness.Exists}},
	{"storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", cluster, "", readiness.Meaning{Ready: "`status.attached` true", Rule: readiness.VolumeAttachment}},
	{"storage.k8s.io", "v1", "volumeattributesclasses", "VolumeAttributesClass", cluster, "vac", readiness.Meaning{Ready: "exists: a VolumeAttributesClass describes storage, nothing becomes ready", Rule: readiness.Exists}},
	{"admissionregistration.k8s.io", "v1", "mutatingadmissionpolicies", "MutatingAdmissionPolicy", cluster, "", readiness.Meaning{Ready: "exists: admission applies a policy once it exists (and its generation is observed)", Rule: readiness.Exists}},
	{"admissionregistration.k8s.io", "v1", "mutatingadmissionpolicybindings", "MutatingAdmissionPolicyBinding", cluster, "", readiness.Meaning{Ready: "exists: admission applies a binding once it exists", Rule: readiness.Exists}},
	{"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", cluster, "", readiness.Meaning{Ready: "as the `mutatingwebhookconfiguration` kind", Rule: readiness.WebhookConfigurationObject, KindRule: true}},
	{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", cluster, "", readiness.Meaning{Ready: "exists: admission applies a policy once it exists (and its generation is observed)", Rule: readiness.Exists}},
	{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", cluster, "", readiness.Meaning{Ready: "exists: admission applies a binding once it exists", Rule: readiness.Exists}},
	{"admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", cluster, "", readiness.Meaning{Ready: "as the `validatingwebhookconfiguration` kind", Rule: readiness.WebhookConfigurationObject, KindRule: true}},
	{"apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", cluster, "crd crds", readiness.Meaning{Ready: "as the `crd` kind", Fails: "as the `crd` kind", Rule: readiness.CRDObject, KindRule: true}},
	{"scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", cluster, "pc", readiness.Meaning{Ready: "exists: a PriorityClass is a name and a number", Rule: readiness.Exists}},
	{"coordination.k8s.io", "v1", "leases", "Lease", ns, "", readiness.Meaning{Ready: "held (`spec.holderIdentity`) and renewed within `spec.leaseDurationSeconds`", Rule: readiness.Lease}},
	{"node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", cluster, "", readiness.Meaning{Ready: "exists: a RuntimeClass names a handler the nodes configure", Rule: readiness.Exists}},
	{"discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", ns, "", readiness.Meaning{Ready: "an endpoint with an address and `ready` true or unset (as the `service` kind)", Rule: readiness.EndpointSliceObject}},
	{"flowcontrol.apiserver.k8s.io", "v1", "flowschemas", "FlowSchema", cluster, "", readiness.Meaning{Ready: "not `Dangling=True` (its priority level exists)", Rule: readiness.FlowSchema}},
	{"flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations", "PriorityLevelConfiguration", cluster, "", readiness.Meaning{Ready: "exists: the apiserver applies a priority level once it exists", Rule: readiness.Exists}},
	{"resource.k8s.io", "v1", "deviceclasses", "DeviceClass", cluster, "", readiness.Meaning{Ready: "exists: a DeviceClass selects devices, nothing becomes ready", Rule: readiness.Exists}},
	{"resource.k8s.io", "v1", "resourceclaims", "ResourceClaim", ns, "", readiness.Meaning{Ready: "allocated (`status.allocation`)", Rule: readiness.ResourceClaim}},
	{"resource.k8s.io", "v1", "resourceclaimtemplates", "ResourceClaimTemplate", ns, "", readiness.Meaning{Ready: "exists: a ResourceClaimTemplate is a template", Rule: readiness.Exists}},
	{"resource.k8s.io", "v1", "resourceslices", "ResourceSlice", cluster, "", readiness.Meaning{Ready: "exists: a driver publishes a ResourceSlice when its devices are there", Rule: readiness.Exists}},
}

// IsBuiltinGroup reports whether group is one kube-apiserver serves itself
// (the core group included), which wins when a name matches types of
// several groups.
func IsBuiltinGroup(group string) bool {
	for _, r := range table() {
		if r.group == group {
			return true
		}
	}
	return false
}

// Lookup returns the built-in type with that resource and group.
func Lookup(group, resource string) (Type, bool) {
	for _, t := range Builtins() {
		if t.Group == group && t.Resource == resource {
			return t, true
		}
	}
	return Type{}, false
}
