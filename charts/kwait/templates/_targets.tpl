{{/*
What each kwait target reads from the Kubernetes API, worked out from the
target strings the way kwait parses them, with the tables kwait's Go code
generates into _kinds.tpl (packages kind and apitype):

  crd/NAME                  customresourcedefinitions NAME (cluster)
  deployment/[NS/]NAME      deployments NAME in NS; statefulset, daemonset
                            and job alike (any spelling of their types:
                            deploy, Deployment, deployments.apps)
  service/[NS/]NAME         endpointslices in NS, by label: no resourceNames
  pods/[NS/]SELECTOR        pods in NS, by label: no resourceNames
  KIND/[NS/]NAME:RULE       the kind's own type by NAME (service: services,
                            pods: the pod NAME)
  TYPE/[NS/]NAME:RULE       a built-in TYPE (kind, plural, singular or short
                            name, optionally .VERSION and .GROUP) by NAME; any
                            other TYPE must be written PLURAL[.VERSION].GROUP:
                            its CRD PLURAL.GROUP (cluster) and PLURAL in GROUP
                            by NAME, in NS unless the call lists the CRD in
                            clusterScoped. A TYPE the chart cannot resolve
                            fails the render instead of guessing.
  SCHEME://... (tcp, http(s), dns, postgres, mysql, redis, amqp: the
  table's schemes) nothing

A --for flag in the call's args gives every Kubernetes target without a
rule of its own that rule, as kwait does. kwait lists and watches a named
object with the field selector metadata.name=NAME, which the API server
authorizes against RBAC resourceNames; a label selector cannot be narrowed
that way. A target without NS uses the namespace of the pod, the call's
namespace. Discovery, which kwait reads to resolve types and to see a CRD
served, is open to every authenticated user.
*/}}

{{/*
kwait.grants: every read the targets need, as JSON {"grants": [...]} where
a grant is {namespace, group, resource, name}; namespace "" is
cluster-scoped and name "" means any object (label-selected reads). A target
kwait would refuse fails the render with kwait's reason.

Input: the settings (kwait.settings): targets, namespace, clusterScoped, args.
*/}}
{{- define "kwait.grants" -}}
{{- $s := . -}}
{{- $table := include "kwait.table" . | fromYaml -}}
{{- $kindTypes := list -}}
{{- range $table.kinds }}{{ $kindTypes = append $kindTypes .type }}{{ end -}}
{{- $rootFor := false -}}
{{- range $s.args }}{{ if hasPrefix "--for" (toString .) }}{{ $rootFor = true }}{{ end }}{{ end -}}
{{- $grants := list -}}
{{- range $t := $s.targets -}}
{{- $scheme := regexFind "^[^/]*://" $t -}}
{{- if $scheme -}}
  {{- /* A network target, unless the scheme is one kwait does not know. */ -}}
  {{- if not (has (lower (trimSuffix "://" $scheme)) $table.schemes) -}}
  {{- fail (printf "kwait: target %q: unknown scheme (want one of %s)" $t (join ", " $table.schemes)) -}}
  {{- end -}}
{{- else -}}
  {{- $parts := regexSplit "/" $t 2 -}}
  {{- if or (lt (len $parts) 2) (eq (index $parts 1) "") -}}
  {{- fail (printf "kwait: target %q: want KIND/NAME, TYPE/NAME:RULE, tcp://HOST:PORT, http(s)://URL, dns://NAME or a database URL (postgres://HOST)" $t) -}}
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
  {{- if and (not $rule) $rootFor }}{{ $rule = "--for" }}{{ end -}}

  {{- /* A kind of kwait's table: its name, or any spelling of its type. */ -}}
  {{- $kind := dict -}}
  {{- range $table.kinds }}{{ if eq (lower $head) .name }}{{ $kind = . }}{{ end }}{{ end -}}
  {{- if not $kind -}}
    {{- $kt := include "kwait.findType" (dict "type" $head "types" $kindTypes) | fromYaml -}}
    {{- range $table.kinds }}{{ if and $kt.resource (eq .type.resource $kt.resource) (eq .type.group $kt.group) }}{{ $kind = . }}{{ end }}{{ end -}}
  {{- end -}}

  {{- if and $kind $rule -}}
    {{- /* Judged by a rule: the object of the kind's type, by name. */ -}}
    {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
    {{- if and (not $kind.type.namespaced) $nsName.explicit -}}
    {{- fail (printf "kwait: target %q: %s is cluster-scoped: name it without a namespace" $t (include "kwait.typeName" $kind.type)) -}}
    {{- end -}}
    {{- $grants = append $grants (dict "namespace" (ternary $nsName.namespace "" $kind.type.namespaced) "group" $kind.type.group "resource" $kind.type.resource "name" $nsName.name) -}}
  {{- else if $kind -}}
    {{- if eq $kind.select "selector" -}}
      {{- /* By label selector. A first segment that is a DNS label, followed by more, is the namespace. */ -}}
      {{- $ns := $s.namespace -}}
      {{- $seg := regexSplit "/" $rest 2 -}}
      {{- if and (eq (len $seg) 2) (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" (index $seg 0)) (index $seg 1) -}}
        {{- $ns = index $seg 0 -}}
      {{- end -}}
      {{- $grants = append $grants (dict "namespace" $ns "group" $kind.watch.group "resource" $kind.watch.resource "name" "") -}}
    {{- else if not $kind.type.namespaced -}}
      {{- if contains "/" $rest -}}
      {{- fail (printf "kwait: target %q: %s is cluster-scoped: name it without a namespace" $t (include "kwait.typeName" $kind.type)) -}}
      {{- end -}}
      {{- include "kwait.checkName" (dict "target" $t "name" $rest) -}}
      {{- if and (eq $kind.name "crd") (not (contains "." $rest)) -}}
      {{- fail (printf "kwait: target %q: CRD name %q is not PLURAL.GROUP" $t $rest) -}}
      {{- end -}}
      {{- $grants = append $grants (dict "namespace" "" "group" $kind.watch.group "resource" $kind.watch.resource "name" $rest) -}}
    {{- else -}}
      {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
      {{- $name := ternary $nsName.name "" (eq $kind.select "name") -}}
      {{- $grants = append $grants (dict "namespace" $nsName.namespace "group" $kind.watch.group "resource" $kind.watch.resource "name" $name) -}}
    {{- end -}}
  {{- else -}}
    {{- if not $rule -}}
    {{- fail (printf "kwait: target %q: a resource needs a rule: TYPE/[NS/]NAME:condition=Ready, or --for" $t) -}}
    {{- end -}}
    {{- $resolved := include "kwait.resolveType" (dict "target" $t "type" $head "types" $table.types) | fromYaml -}}
    {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
    {{- $namespaced := $resolved.namespaced -}}
    {{- if $resolved.crd -}}
      {{- $grants = append $grants (dict "namespace" "" "group" "apiextensions.k8s.io" "resource" "customresourcedefinitions" "name" $resolved.crd) -}}
      {{- if has $resolved.crd $s.clusterScoped }}{{ $namespaced = false }}{{ end -}}
    {{- end -}}
    {{- if and (not $namespaced) $nsName.explicit -}}
    {{- fail (printf "kwait: target %q: %s is cluster-scoped: name it without a namespace" $t (include "kwait.typeName" $resolved)) -}}
    {{- end -}}
    {{- $grants = append $grants (dict "namespace" (ternary $nsName.namespace "" $namespaced) "group" $resolved.group "resource" $resolved.resource "name" $nsName.name) -}}
  {{- end -}}
{{- end -}}
{{- end -}}
{{- dict "grants" $grants | toJson -}}
{{- end -}}

{{/*
kwait.typeName: a type as PLURAL.GROUP (PLURAL for the core group).
Input: dict with group and resource.
*/}}
{{- define "kwait.typeName" -}}
{{- if .group }}{{ printf "%s.%s" .resource .group }}{{ else }}{{ .resource }}{{ end -}}
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
kwait.findType: the type a name answers to among types, with kubectl's
rules as kwait applies them (package apitype): the readings of the name are
tried most specific first (TOKEN.VERSION.GROUP, TOKEN.GROUP, TOKEN.VERSION
of the core group, TOKEN); TOKEN is a plural, singular, short name or kind
in any case; the first type in the table's order wins.

Input: dict with type (the name) and types (a table). Output: YAML of the
type found, or {} when none answers.
*/}}
{{- define "kwait.findType" -}}
{{- $parts := splitList "." .type -}}
{{- $n := len $parts -}}
{{- $token := lower (first $parts) -}}
{{- $versionPattern := "^v[0-9]+((alpha|beta)[0-9]+)?$" -}}
{{- $readings := list -}}
{{- if ge $n 3 }}{{ $readings = append $readings (dict "version" (index $parts 1) "group" (join "." (slice $parts 2)) "any" false) }}{{ end -}}
{{- if ge $n 2 }}{{ $readings = append $readings (dict "version" "" "group" (join "." (rest $parts)) "any" false) }}{{ end -}}
{{- if and (eq $n 2) (regexMatch $versionPattern (index $parts 1)) }}{{ $readings = append $readings (dict "version" (index $parts 1) "group" "" "any" false) }}{{ end -}}
{{- if eq $n 1 }}{{ $readings = append $readings (dict "version" "" "group" "" "any" true) }}{{ end -}}
{{- $found := dict -}}
{{- range $r := $readings -}}
  {{- range $ty := $.types -}}
    {{- if and (not $found) (or (eq $token $ty.resource) (has $token $ty.names)) (or (not $r.version) (eq $r.version $ty.version)) (or $r.any (eq $r.group $ty.group)) -}}
      {{- $found = $ty -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- toYaml $found -}}
{{- end -}}

{{/*
kwait.resolveType: a resource type resolved as kwait does without the API:
a built-in type of the table, else the custom resource of the CRD
PLURAL.GROUP for a name written PLURAL[.VERSION].GROUP in lower case. Any
other name fails the render: kwait would resolve it through discovery, but
the chart cannot compute its RBAC from the name.

Input: dict with target (for messages), type and types (the table).
Output: YAML {group, resource, namespaced, crd}; crd is the CRD's name for a
custom resource, else empty. A custom resource counts as namespaced here.
*/}}
{{- define "kwait.resolveType" -}}
{{- $t := .target -}}
{{- if not (regexMatch "^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$" .type) -}}
{{- fail (printf "kwait: target %q: resource type %q is not TYPE[.VERSION][.GROUP] (a kind, plural, singular or short name)" $t .type) -}}
{{- end -}}
{{- $found := include "kwait.findType" . | fromYaml -}}
{{- if $found -}}
{{- dict "group" $found.group "resource" $found.resource "namespaced" $found.namespaced "crd" "" | toYaml -}}
{{- else -}}
  {{- $parts := splitList "." .type -}}
  {{- if and (ge (len $parts) 4) (regexMatch "^v[0-9]+((alpha|beta)[0-9]+)?$" (index $parts 1)) -}}
    {{- $parts = concat (list (first $parts)) (slice $parts 2) -}}
  {{- end -}}
  {{- if or (ne (lower .type) .type) (lt (len $parts) 3) -}}
  {{- fail (printf "kwait: target %q: the chart cannot tell which API type %q is: write a custom resource type as PLURAL.GROUP (kwait resolves other forms through discovery, but RBAC is computed when the chart renders)" $t .type) -}}
  {{- end -}}
  {{- dict "group" (join "." (rest $parts)) "resource" (first $parts) "namespaced" true "crd" (join "." $parts) | toYaml -}}
{{- end -}}
{{- end -}}
