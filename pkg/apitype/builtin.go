package apitype

import "strings"

// Builtins lists the types kube-apiserver itself serves in a stable version
// and kwait addresses without a discovery request, in discovery order (the
// core group first). An e2e test compares every entry with the discovery
// documents of a real apiserver. Types outside this table (beta and alpha
// versions, CRDs, aggregated APIs) are resolved through discovery.
//
// The table is built on each call, so no caller can change another's copy.
func Builtins() []Type {
	const ns, cluster = true, false
	return []Type{
		builtin("", "v1", "configmaps", "ConfigMap", ns, "cm"),
		builtin("", "v1", "endpoints", "Endpoints", ns, "ep"),
		builtin("", "v1", "events", "Event", ns, "ev"),
		builtin("", "v1", "limitranges", "LimitRange", ns, "limits"),
		builtin("", "v1", "namespaces", "Namespace", cluster, "ns"),
		builtin("", "v1", "nodes", "Node", cluster, "no"),
		builtin("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", ns, "pvc"),
		builtin("", "v1", "persistentvolumes", "PersistentVolume", cluster, "pv"),
		builtin("", "v1", "pods", "Pod", ns, "po"),
		builtin("", "v1", "podtemplates", "PodTemplate", ns),
		builtin("", "v1", "replicationcontrollers", "ReplicationController", ns, "rc"),
		builtin("", "v1", "resourcequotas", "ResourceQuota", ns, "quota"),
		builtin("", "v1", "secrets", "Secret", ns),
		builtin("", "v1", "serviceaccounts", "ServiceAccount", ns, "sa"),
		builtin("", "v1", "services", "Service", ns, "svc"),
		builtin("apiregistration.k8s.io", "v1", "apiservices", "APIService", cluster),
		builtin("apps", "v1", "controllerrevisions", "ControllerRevision", ns),
		builtin("apps", "v1", "daemonsets", "DaemonSet", ns, "ds"),
		builtin("apps", "v1", "deployments", "Deployment", ns, "deploy"),
		builtin("apps", "v1", "replicasets", "ReplicaSet", ns, "rs"),
		builtin("apps", "v1", "statefulsets", "StatefulSet", ns, "sts"),
		builtin("events.k8s.io", "v1", "events", "Event", ns, "ev"),
		builtin("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", ns, "hpa"),
		builtin("batch", "v1", "cronjobs", "CronJob", ns, "cj"),
		builtin("batch", "v1", "jobs", "Job", ns),
		builtin("certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest", cluster, "csr"),
		builtin("networking.k8s.io", "v1", "ingressclasses", "IngressClass", cluster),
		builtin("networking.k8s.io", "v1", "ingresses", "Ingress", ns, "ing"),
		builtin("networking.k8s.io", "v1", "ipaddresses", "IPAddress", cluster, "ip"),
		builtin("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", ns, "netpol"),
		builtin("networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR", cluster),
		builtin("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", ns, "pdb"),
		builtin("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", cluster),
		builtin("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", cluster),
		builtin("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", ns),
		builtin("rbac.authorization.k8s.io", "v1", "roles", "Role", ns),
		builtin("storage.k8s.io", "v1", "csidrivers", "CSIDriver", cluster),
		builtin("storage.k8s.io", "v1", "csinodes", "CSINode", cluster),
		builtin("storage.k8s.io", "v1", "csistoragecapacities", "CSIStorageCapacity", ns),
		builtin("storage.k8s.io", "v1", "storageclasses", "StorageClass", cluster, "sc"),
		builtin("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", cluster),
		builtin("storage.k8s.io", "v1", "volumeattributesclasses", "VolumeAttributesClass", cluster, "vac"),
		builtin("admissionregistration.k8s.io", "v1", "mutatingadmissionpolicies", "MutatingAdmissionPolicy", cluster),
		builtin("admissionregistration.k8s.io", "v1", "mutatingadmissionpolicybindings", "MutatingAdmissionPolicyBinding", cluster),
		builtin("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", cluster),
		builtin("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", cluster),
		builtin("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", cluster),
		builtin("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", cluster),
		builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", cluster, "crd", "crds"),
		builtin("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", cluster, "pc"),
		builtin("coordination.k8s.io", "v1", "leases", "Lease", ns),
		builtin("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", cluster),
		builtin("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", ns),
		builtin("flowcontrol.apiserver.k8s.io", "v1", "flowschemas", "FlowSchema", cluster),
		builtin("flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations", "PriorityLevelConfiguration", cluster),
		builtin("resource.k8s.io", "v1", "deviceclasses", "DeviceClass", cluster),
		builtin("resource.k8s.io", "v1", "resourceclaims", "ResourceClaim", ns),
		builtin("resource.k8s.io", "v1", "resourceclaimtemplates", "ResourceClaimTemplate", ns),
		builtin("resource.k8s.io", "v1", "resourceslices", "ResourceSlice", cluster),
	}
}

func builtin(group, version, resource, kind string, namespaced bool, shortNames ...string) Type {
	return Type{Group: group, Version: version, Resource: resource, Singular: strings.ToLower(kind),
		Kind: kind, Namespaced: namespaced, ShortNames: shortNames}
}

// isBuiltinGroup reports whether group is one kube-apiserver serves itself
// (the core group included), which wins when a name matches types of
// several groups.
func isBuiltinGroup(group string) bool {
	for _, t := range Builtins() {
		if t.Group == group {
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
