{{/*
What each kwait target reads from the Kubernetes API, worked out from the
target strings the way kwait parses them (pkg/spec, pkg/cli, pkg/kube):

  crd/NAME                  customresourcedefinitions NAME (cluster)
  deployment/[NS/]NAME      deployments NAME in NS; statefulset, daemonset
                            and job alike (and their short names)
  service/[NS/]NAME         endpointslices in NS, by label: no resourceNames
  pods/[NS/]SELECTOR        pods in NS, by label: no resourceNames
  KIND/[NS/]NAME:RULE       the kind's own type by NAME (service: services)
  TYPE/[NS/]NAME:RULE       a built-in TYPE by NAME; any other TYPE is
                            PLURAL.GROUP: its CRD PLURAL.GROUP (cluster) and
                            PLURAL in GROUP by NAME, in NS unless the call
                            lists TYPE in clusterScoped
  tcp://, http(s)://, dns:// nothing

kwait lists and watches a named object with the field selector
metadata.name=NAME, which the API server authorizes against RBAC
resourceNames; a label selector cannot be narrowed that way. A target
without NS uses the namespace of the pod, the call's namespace. Discovery,
which kwait reads to see a CRD served, is open to every authenticated user.
*/}}

{{/*
kwait.kinds: the spellings kwait accepts for its built-in kinds, mapped to
the kind, and the resource type a kind's ":RULE" applies to.
*/}}
{{- define "kwait.kinds" -}}
aliases:
  crd: crd
  crds: crd
  customresourcedefinition: crd
  customresourcedefinitions: crd
  deployment: deployment
  deployments: deployment
  deploy: deployment
  statefulset: statefulset
  statefulsets: statefulset
  sts: statefulset
  daemonset: daemonset
  daemonsets: daemonset
  ds: daemonset
  job: job
  jobs: job
  service: service
  services: service
  svc: service
  pods: pods
  pod: pods
  po: pods
ruleTypes:
  crd: customresourcedefinitions.apiextensions.k8s.io
  deployment: deployments.apps
  statefulset: statefulsets.apps
  daemonset: daemonsets.apps
  job: jobs.batch
  service: services
{{- end -}}

{{/*
kwait.builtinTypes: the built-in resource types kwait addresses without
discovery, as [group, version, plural, namespaced]. Any other type in a
TYPE/NAME:RULE target is a custom resource.
*/}}
{{- define "kwait.builtinTypes" -}}
types:
  - [apiextensions.k8s.io, v1, customresourcedefinitions, false]
  - [apps, v1, deployments, true]
  - [apps, v1, statefulsets, true]
  - [apps, v1, daemonsets, true]
  - [batch, v1, jobs, true]
  - ["", v1, pods, true]
  - [discovery.k8s.io, v1, endpointslices, true]
  - ["", v1, services, true]
  - ["", v1, configmaps, true]
  - ["", v1, secrets, true]
  - ["", v1, serviceaccounts, true]
  - ["", v1, persistentvolumeclaims, true]
  - ["", v1, endpoints, true]
  - ["", v1, replicationcontrollers, true]
  - ["", v1, namespaces, false]
  - ["", v1, nodes, false]
  - ["", v1, persistentvolumes, false]
  - [apps, v1, replicasets, true]
  - [batch, v1, cronjobs, true]
  - [networking.k8s.io, v1, ingresses, true]
  - [networking.k8s.io, v1, ingressclasses, false]
  - [policy, v1, poddisruptionbudgets, true]
  - [autoscaling, v2, horizontalpodautoscalers, true]
  - [coordination.k8s.io, v1, leases, true]
  - [rbac.authorization.k8s.io, v1, roles, true]
  - [rbac.authorization.k8s.io, v1, rolebindings, true]
  - [rbac.authorization.k8s.io, v1, clusterroles, false]
  - [rbac.authorization.k8s.io, v1, clusterrolebindings, false]
  - [storage.k8s.io, v1, storageclasses, false]
  - [scheduling.k8s.io, v1, priorityclasses, false]
  - [admissionregistration.k8s.io, v1, validatingwebhookconfigurations, false]
  - [admissionregistration.k8s.io, v1, mutatingwebhookconfigurations, false]
  - [apiregistration.k8s.io, v1, apiservices, false]
{{- end -}}

{{/*
kwait.grants: every read the targets need, as JSON {"grants": [...]} where
a grant is {namespace, group, resource, name}; namespace "" is
cluster-scoped and name "" means any object (label-selected reads). A target
kwait would refuse fails the render with kwait's reason.

Input: the settings (kwait.settings): targets, namespace, clusterScoped.
*/}}
{{- define "kwait.grants" -}}
{{- $s := . -}}
{{- $kinds := include "kwait.kinds" . | fromYaml -}}
{{- $grants := list -}}
{{- range $t := $s.targets -}}
{{- $scheme := regexFind "^[^/]*://" $t -}}
{{- if $scheme -}}
  {{- /* A network target, unless the scheme is one kwait does not know. */ -}}
  {{- if not (has (lower (trimSuffix "://" $scheme)) (list "tcp" "dns" "http" "https")) -}}
  {{- fail (printf "kwait: target %q: unknown scheme (want tcp://, http://, https:// or dns://)" $t) -}}
  {{- end -}}
{{- else -}}
  {{- $parts := regexSplit "/" $t 2 -}}
  {{- if or (lt (len $parts) 2) (eq (index $parts 1) "") -}}
  {{- fail (printf "kwait: target %q: want KIND/NAME, tcp://HOST:PORT, http(s)://URL or dns://NAME" $t) -}}
  {{- end -}}
  {{- $head := index $parts 0 -}}
  {{- $rest := index $parts 1 -}}
  {{- $rule := "" -}}
  {{- if contains ":" $rest -}}
    {{- $cut := regexSplit ":" $rest 2 -}}
    {{- $rest = index $cut 0 -}}
    {{- $rule = index $cut 1 -}}
    {{- if eq $rule "" -}}
    {{- fail (printf "kwait: target %q: empty rule after ':'" $t) -}}
    {{- end -}}
  {{- end -}}
  {{- $kind := get $kinds.aliases $head -}}
  {{- $type := "" -}}
  {{- if not $kind -}}
    {{- if not $rule -}}
    {{- fail (printf "kwait: target %q: unknown kind %q (a custom resource needs a rule: TYPE/[NS/]NAME:condition=Ready)" $t $head) -}}
    {{- end -}}
    {{- $type = $head -}}
  {{- else if $rule -}}
    {{- $type = get $kinds.ruleTypes $kind -}}
    {{- if not $type -}}
    {{- fail (printf "kwait: target %q: %s targets take no rule" $t $kind) -}}
    {{- end -}}
  {{- end -}}

  {{- if $type -}}
    {{- /* Judged by a rule: the object of that type, by name. */ -}}
    {{- $resolved := include "kwait.resolveType" (dict "target" $t "type" $type) | fromYaml -}}
    {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
    {{- $namespaced := $resolved.namespaced -}}
    {{- if $resolved.crd -}}
      {{- $grants = append $grants (dict "namespace" "" "group" "apiextensions.k8s.io" "resource" "customresourcedefinitions" "name" $resolved.crd) -}}
      {{- if has $resolved.crd $s.clusterScoped }}{{ $namespaced = false }}{{ end -}}
    {{- end -}}
    {{- if and (not $namespaced) $nsName.explicit -}}
    {{- fail (printf "kwait: target %q: %s is cluster-scoped: name it without a namespace" $t $type) -}}
    {{- end -}}
    {{- $grants = append $grants (dict "namespace" (ternary $nsName.namespace "" $namespaced) "group" $resolved.group "resource" $resolved.resource "name" $nsName.name) -}}
  {{- else if eq $kind "crd" -}}
    {{- if contains "/" $rest -}}
    {{- fail (printf "kwait: target %q: a CRD is cluster-scoped: want crd/PLURAL.GROUP" $t) -}}
    {{- end -}}
    {{- include "kwait.checkName" (dict "target" $t "name" $rest) -}}
    {{- if not (contains "." $rest) -}}
    {{- fail (printf "kwait: target %q: CRD name %q is not PLURAL.GROUP" $t $rest) -}}
    {{- end -}}
    {{- $grants = append $grants (dict "namespace" "" "group" "apiextensions.k8s.io" "resource" "customresourcedefinitions" "name" $rest) -}}
  {{- else if eq $kind "pods" -}}
    {{- /* By label selector. A first segment that is a DNS label, followed by more, is the namespace. */ -}}
    {{- $ns := $s.namespace -}}
    {{- $seg := regexSplit "/" $rest 2 -}}
    {{- if and (eq (len $seg) 2) (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" (index $seg 0)) (index $seg 1) -}}
      {{- $ns = index $seg 0 -}}
    {{- end -}}
    {{- $grants = append $grants (dict "namespace" $ns "group" "" "resource" "pods" "name" "") -}}
  {{- else if eq $kind "service" -}}
    {{- /* The Service's EndpointSlices, by the label kubernetes.io/service-name. */ -}}
    {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
    {{- $grants = append $grants (dict "namespace" $nsName.namespace "group" "discovery.k8s.io" "resource" "endpointslices" "name" "") -}}
  {{- else -}}
    {{- /* deployment, statefulset, daemonset, job: their own type, by name. */ -}}
    {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
    {{- $typeParts := regexSplit "\\." (get $kinds.ruleTypes $kind) 2 -}}
    {{- $grants = append $grants (dict "namespace" $nsName.namespace "group" (index $typeParts 1) "resource" (index $typeParts 0) "name" $nsName.name) -}}
  {{- end -}}
{{- end -}}
{{- end -}}
{{- dict "grants" $grants | toJson -}}
{{- end -}}

{{/*
kwait.namespacedName: "[NS/]NAME" split and checked.

Input: dict with target (for messages), rest ("[NS/]NAME") and namespace
(used when NS is not given).
Output: YAML {namespace, name, explicit}.
*/}}
{{- define "kwait.namespacedName" -}}
{{- $ns := .namespace -}}
{{- $name := .rest -}}
{{- $explicit := false -}}
{{- if contains "/" .rest -}}
  {{- $seg := regexSplit "/" .rest 2 -}}
  {{- $ns = index $seg 0 -}}
  {{- $name = index $seg 1 -}}
  {{- $explicit = true -}}
  {{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" $ns) -}}
  {{- fail (printf "kwait: target %q: namespace %q is not a DNS label" .target $ns) -}}
  {{- end -}}
{{- end -}}
{{- include "kwait.checkName" (dict "target" .target "name" $name) -}}
{{- dict "namespace" $ns "name" $name "explicit" $explicit | toYaml -}}
{{- end -}}

{{/*
kwait.checkName: fails unless name is an object name (a DNS subdomain).

Input: dict with target (for the message) and name. Output: nothing.
*/}}
{{- define "kwait.checkName" -}}
{{- if not (and (regexMatch "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" .name) (le (len .name) 253)) -}}
{{- fail (printf "kwait: target %q: name %q is not a valid object name" .target .name) -}}
{{- end -}}
{{- end -}}

{{/*
kwait.resolveType: a resource type PLURAL[.VERSION][.GROUP] resolved as kwait
does: a built-in type (kubectl's singular forms accepted), else the custom
resource of the CRD PLURAL.GROUP.

Input: dict with target (for messages) and type.
Output: YAML {group, resource, namespaced, crd}; crd is the CRD's name for a
custom resource, else empty. A custom resource counts as namespaced here.
*/}}
{{- define "kwait.resolveType" -}}
{{- $t := .target -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" .type) -}}
{{- fail (printf "kwait: target %q: resource type %q is not PLURAL[.VERSION][.GROUP] in lower case" $t .type) -}}
{{- end -}}
{{- $parts := regexSplit "\\." .type 2 -}}
{{- $plural := index $parts 0 -}}
{{- $group := "" -}}
{{- if eq (len $parts) 2 }}{{ $group = index $parts 1 }}{{ end -}}
{{- $version := "" -}}
{{- $versionPattern := "^v[0-9]+((alpha|beta)[0-9]+)?$" -}}
{{- $rest := regexSplit "\\." $group 2 -}}
{{- if and (eq (len $rest) 2) (regexMatch $versionPattern (index $rest 0)) -}}
  {{- $version = index $rest 0 -}}
  {{- $group = index $rest 1 -}}
{{- else if regexMatch $versionPattern $group -}}
  {{- $version = $group -}}
  {{- $group = "" -}}
{{- end -}}
{{- $found := dict -}}
{{- range (include "kwait.builtinTypes" . | fromYaml).types -}}
  {{- $bGroup := index . 0 -}}
  {{- $bVersion := index . 1 -}}
  {{- $bResource := index . 2 -}}
  {{- if and (not $found) (eq $bGroup $group) (or (not $version) (eq $version $bVersion)) -}}
    {{- if has $bResource (list $plural (printf "%ss" $plural) (printf "%ses" $plural)) | or (eq $plural (printf "%sy" (trimSuffix "ies" $bResource))) -}}
      {{- $found = dict "group" $bGroup "resource" $bResource "namespaced" (index . 3) "crd" "" -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- if not $found -}}
  {{- if not (contains "." $group) -}}
  {{- fail (printf "kwait: target %q: unknown resource type %q: not a built-in type, and custom resources are named PLURAL.GROUP" $t .type) -}}
  {{- end -}}
  {{- $found = dict "group" $group "resource" $plural "namespaced" true "crd" (printf "%s.%s" $plural $group) -}}
{{- end -}}
{{- toYaml $found -}}
{{- end -}}
