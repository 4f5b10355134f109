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
  validatingwebhookconfiguration/NAME, mutatingwebhookconfiguration/NAME
                            the configuration NAME (cluster), and endpointslices
                            by label in the call's namespace: the Services its
                            webhooks call are named only in the object; a Service
                            elsewhere needs a service/NS/NAME target of its own
  apiservice/NAME           apiservices NAME (cluster); its group/version is
                            read through discovery
  KIND/[NS/]NAME:RULE       the kind's own type by NAME (service: services,
                            pods: the pod NAME)
  TYPE/[NS/]NAME:RULE       a built-in TYPE (kind, plural, singular or short
                            name, optionally .VERSION and .GROUP) by NAME; any
                            other TYPE must be written PLURAL[.VERSION].GROUP:
                            its CRD PLURAL.GROUP (cluster) and PLURAL in GROUP
                            by NAME, in NS unless the call lists the CRD in
                            clusterScoped. A TYPE the chart cannot resolve
                            fails the render instead of guessing.
  SCHEME://... (tcp, http(s), dns, the databases, queues, gRPC: the
  table's schemes) nothing
  admission:{JSON}          create (a dry run) on the object's resource, in its
                            namespace (or the call's): a built-in kind only; a
                            custom resource's probe goes in the call's
                            admission list, which names its resource.
                            admission:FILE fails the render: the pod has no FILE.

A --for flag in the call's args gives every Kubernetes target without a
rule of its own that rule, as kwait does. The rule ready alone on a kind
(not pods) is the kind's own rule, with the kind's reads (on a Service
also the Service itself: a LoadBalancer's address comes first); on a custom
resource it reads the CRD, which the CRD grant already allows. A
--fail-for flag in args makes kwait read each kind's own object too (the
Service of service/NAME, beside its EndpointSlices). kwait lists and watches a named
object with the field selector metadata.name=NAME, which the API server
authorizes against RBAC resourceNames; a label selector cannot be narrowed
that way. A target without NS uses the namespace of the pod, the call's
namespace. Discovery, which kwait reads to resolve types and to see a CRD
served, is open to every authenticated user.
*/}}

{{/*
kwait.grants: every request the targets need, as JSON {"grants": [...]}
where a grant is {namespace, group, resource, name, verb}; namespace "" is
cluster-scoped, name "" means any object (label-selected reads, creates),
verb is "read" (get, list, watch), "create" (the dry-run create of an
admission target), "apply" (create and patch: kwait apply), "delete"
(delete, get, list, watch: kwait delete) or "record" (the verbs of the
table's events entry: the Events kwait records on its pod, with events
true). A target kwait would refuse fails
the render with kwait's reason.

Input: the settings (kwait.settings): targets, namespace, clusterScoped,
events, args, admission (the probes of the call's admission list, each
{object, group, resource, namespaced}), and for a kwait.manifests Job mode
(apply or delete), for and objects (each {group, resource, namespaced,
namespace, name}).
*/}}
{{- define "kwait.grants" -}}
{{- $s := . -}}
{{- $table := include "kwait.table" . | fromYaml -}}
{{- $kindTypes := list -}}
{{- range $table.kinds }}{{ $kindTypes = append $kindTypes .type }}{{ end -}}
{{- $rootFor := false -}}
{{- $rootRules := list -}}
{{- $failFor := false -}}
{{- $prev := "" -}}
{{- range $s.args -}}
  {{- $a := toString . -}}
  {{- if hasPrefix "--for" $a }}{{ $rootFor = true }}{{ end -}}
  {{- if hasPrefix "--for=" $a }}{{ $rootRules = append $rootRules (trimPrefix "--for=" $a) }}{{ end -}}
  {{- if eq $prev "--for" }}{{ $rootRules = append $rootRules $a }}{{ end -}}
  {{- if hasPrefix "--fail-for" $a }}{{ $failFor = true }}{{ end -}}
  {{- $prev = $a -}}
{{- end -}}
{{- $grants := list -}}
{{- range $given := $s.targets -}}
{{- /* A target's own deadline (#timeout=30s) names nothing to grant. */ -}}
{{- $t := regexReplaceAll "(?i)#timeout=[^#]*$" $given "" -}}
{{- if ne $t $given -}}
{{- if not (regexMatch "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$" (trimPrefix $t $given | substr 9 -1)) -}}
{{- fail (printf "kwait: target %q: #timeout= wants a duration such as 30s or 2m" $given) -}}
{{- end -}}
{{- end -}}
{{- $scheme := regexFind "^[^/]*://" $t -}}
{{- if regexMatch "^(?i)admission:" $t -}}
  {{- $manifest := substr 10 (len $t) $t -}}
  {{- if not (hasPrefix "{" (trim $manifest)) -}}
  {{- fail (printf "kwait: target %q: the pod has no manifest file; give the object in the call's admission list" $t) -}}
  {{- end -}}
  {{- $object := fromJson $manifest -}}
  {{- if hasKey $object "Error" -}}
  {{- fail (printf "kwait: target %q: not a JSON object: %s" $t $object.Error) -}}
  {{- end -}}
  {{- $probe := include "kwait.probe" (dict "target" (printf "target %q" $t) "object" $object "types" $table.types "clusterScoped" $s.clusterScoped) | fromYaml -}}
  {{- $grants = append $grants (dict "namespace" (ternary ($probe.namespace | default $s.namespace) "" $probe.namespaced) "group" $probe.group "resource" $probe.resource "name" "" "verb" "create") -}}
{{- else if $scheme -}}
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
  {{- if and (not $rule) $rootFor }}{{ $rule = ternary "ready" "--for" (and (eq (len $rootRules) 1) (eq (lower (trim (first $rootRules | default ""))) "ready")) }}{{ end -}}

  {{- /* A kind of kwait's table: its name, or any spelling of its type. */ -}}
  {{- $kind := dict -}}
  {{- range $table.kinds }}{{ if eq (lower $head) .name }}{{ $kind = . }}{{ end }}{{ end -}}
  {{- if not $kind -}}
    {{- $kt := include "kwait.findType" (dict "type" $head "types" $kindTypes) | fromYaml -}}
    {{- range $table.kinds }}{{ if and $kt.resource (eq .type.resource $kt.resource) (eq .type.group $kt.group) }}{{ $kind = . }}{{ end }}{{ end -}}
  {{- end -}}

  {{- $readsObject := $failFor -}}
  {{- if and $kind (eq (lower (trim $rule)) "ready") (ne $kind.select "selector") -}}
    {{- /* ready alone is the kind's own rule, with the kind's reads; on a kind
         judged by what it watches (a Service) it reads the object first. */ -}}
    {{- $rule = "" -}}
    {{- $readsObject = or $readsObject (ne $kind.watch.resource $kind.type.resource) -}}
  {{- end -}}
  {{- if and $kind (not $rule) $readsObject (ne $kind.select "selector") -}}
    {{- /* --fail-for (and ready alone on a Service) reads the kind's own object by name. */ -}}
    {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
    {{- $grants = append $grants (dict "namespace" (ternary $nsName.namespace "" $kind.type.namespaced) "group" $kind.type.group "resource" $kind.type.resource "name" $nsName.name "verb" "read") -}}
  {{- end -}}
  {{- if and $kind $rule -}}
    {{- /* Judged by a rule: the object of the kind's type, by name. */ -}}
    {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace "loose" $kind.looseNames) | fromYaml -}}
    {{- if and (not $kind.type.namespaced) $nsName.explicit -}}
    {{- fail (printf "kwait: target %q: %s is cluster-scoped: name it without a namespace" $t (include "kwait.typeName" $kind.type)) -}}
    {{- end -}}
    {{- $grants = append $grants (dict "namespace" (ternary $nsName.namespace "" $kind.type.namespaced) "group" $kind.type.group "resource" $kind.type.resource "name" $nsName.name "verb" "read") -}}
  {{- else if $kind -}}
    {{- if eq $kind.select "selector" -}}
      {{- /* By label selector. A first segment that is a DNS label, followed by more, is the namespace. */ -}}
      {{- $ns := $s.namespace -}}
      {{- $seg := regexSplit "/" $rest 2 -}}
      {{- if and (eq (len $seg) 2) (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" (index $seg 0)) (index $seg 1) -}}
        {{- $ns = index $seg 0 -}}
      {{- end -}}
      {{- $grants = append $grants (dict "namespace" $ns "group" $kind.watch.group "resource" $kind.watch.resource "name" "" "verb" "read") -}}
    {{- else if not $kind.type.namespaced -}}
      {{- if contains "/" $rest -}}
      {{- fail (printf "kwait: target %q: %s is cluster-scoped: name it without a namespace" $t (include "kwait.typeName" $kind.type)) -}}
      {{- end -}}
      {{- include "kwait.checkName" (dict "target" $t "name" $rest "loose" $kind.looseNames) -}}
      {{- if and (eq $kind.name "crd") (not (contains "." $rest)) -}}
      {{- fail (printf "kwait: target %q: CRD name %q is not PLURAL.GROUP" $t $rest) -}}
      {{- end -}}
      {{- $grants = append $grants (dict "namespace" "" "group" $kind.watch.group "resource" $kind.watch.resource "name" $rest "verb" "read") -}}
      {{- if eq ($kind.then | default "") "endpoints" -}}
        {{- /* The Services the webhooks call: their EndpointSlices, by label, where the chart installs them. */ -}}
        {{- $grants = append $grants (dict "namespace" $s.namespace "group" "discovery.k8s.io" "resource" "endpointslices" "name" "" "verb" "read") -}}
      {{- end -}}
    {{- else -}}
      {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
      {{- $name := ternary $nsName.name "" (eq $kind.select "name") -}}
      {{- $grants = append $grants (dict "namespace" $nsName.namespace "group" $kind.watch.group "resource" $kind.watch.resource "name" $name "verb" "read") -}}
    {{- end -}}
  {{- else -}}
    {{- if not $rule -}}
    {{- fail (printf "kwait: target %q: a resource needs a rule: TYPE/[NS/]NAME:condition=Ready, or --for" $t) -}}
    {{- end -}}
    {{- $resolved := include "kwait.resolveType" (dict "target" $t "type" $head "types" $table.types) | fromYaml -}}
    {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
    {{- $namespaced := $resolved.namespaced -}}
    {{- if $resolved.crd -}}
      {{- $grants = append $grants (dict "namespace" "" "group" "apiextensions.k8s.io" "resource" "customresourcedefinitions" "name" $resolved.crd "verb" "read") -}}
      {{- if has $resolved.crd $s.clusterScoped }}{{ $namespaced = false }}{{ end -}}
    {{- end -}}
    {{- if and (not $namespaced) $nsName.explicit -}}
    {{- fail (printf "kwait: target %q: %s is cluster-scoped: name it without a namespace" $t (include "kwait.typeName" $resolved)) -}}
    {{- end -}}
    {{- $grants = append $grants (dict "namespace" (ternary $nsName.namespace "" $namespaced) "group" $resolved.group "resource" $resolved.resource "name" $nsName.name "verb" "read") -}}
  {{- end -}}
{{- end -}}
{{- end -}}
{{- range $s.admission -}}
  {{- $grants = append $grants (dict "namespace" (ternary (.namespace | default $s.namespace) "" .namespaced) "group" .group "resource" .resource "name" "" "verb" "create") -}}
{{- end -}}
{{- /* A kwait.manifests Job: its verbs on each object by name; with for, kwait apply then watches that one object. */ -}}
{{- range $o := $s.objects -}}
  {{- $ns := ternary ($o.namespace | default $s.namespace) "" $o.namespaced -}}
  {{- $grants = append $grants (dict "namespace" $ns "group" $o.group "resource" $o.resource "name" $o.name "verb" $s.mode) -}}
  {{- if and (eq $s.mode "apply") $s.for -}}
    {{- $grants = append $grants (dict "namespace" $ns "group" $o.group "resource" $o.resource "name" $o.name "verb" "read") -}}
  {{- end -}}
{{- end -}}
{{- /* Events on the pod kwait runs in, in its namespace (kwait --events). */ -}}
{{- if $s.events -}}
  {{- $grants = append $grants (dict "namespace" $s.namespace "group" $table.events.group "resource" $table.events.resource "name" "" "verb" "record") -}}
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

Input: dict with target (for messages), rest ("[NS/]NAME"), namespace
(used when NS is not given) and loose (the kind's looseNames).
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
{{- include "kwait.checkName" (dict "target" .target "name" $name "loose" .loose) -}}
{{- dict "namespace" $ns "name" $name "explicit" $explicit | toYaml -}}
{{- end -}}

{{/*
kwait.checkName: fails unless name is an object name: a DNS subdomain, or
with loose (an APIService's "v1.") any name a URL path can hold.

Input: dict with target (for the message), name and loose. Output: nothing.
*/}}
{{- define "kwait.checkName" -}}
{{- $ok := and (regexMatch "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" .name) (le (len .name) 253) -}}
{{- if .loose -}}
{{- $ok = and (regexMatch "^[^/%[:space:][:cntrl:]]+$" .name) (not (has .name (list "." ".."))) -}}
{{- end -}}
{{- if not $ok -}}
{{- fail (printf "kwait: target %q: name %q is not a valid object name" .target .name) -}}
{{- end -}}
{{- end -}}

{{/*
kwait.probe: the object of an admission target checked as kwait checks it
(apiVersion, kind, a name or generateName), and the resource a dry-run
create of it goes to: a built-in kind's, or, given resource (PLURAL.GROUP,
from the call's admission list), that one; a custom kind without it fails
the render, as the chart cannot tell its plural.

Input: dict with target (for messages), object, types (the table),
clusterScoped and optionally resource.
Output: YAML {group, resource, namespaced, namespace}.
*/}}
{{- define "kwait.probe" -}}
{{- $t := .target -}}
{{- $o := .object -}}
{{- if not (kindIs "map" $o) -}}
{{- fail (printf "kwait: %s: not an object (a map with apiVersion, kind and metadata)" $t) -}}
{{- end -}}
{{- $apiVersion := toString ($o.apiVersion | default "") -}}
{{- $kind := toString ($o.kind | default "") -}}
{{- $meta := $o.metadata | default dict -}}
{{- if not $apiVersion -}}
{{- fail (printf "kwait: %s: apiVersion is not set" $t) -}}
{{- end -}}
{{- if not $kind -}}
{{- fail (printf "kwait: %s: kind is not set" $t) -}}
{{- end -}}
{{- if not (or $meta.name $meta.generateName) -}}
{{- fail (printf "kwait: %s: %s has neither metadata.name nor metadata.generateName" $t $kind) -}}
{{- end -}}
{{- $gv := splitList "/" $apiVersion -}}
{{- if or (gt (len $gv) 2) (not (regexMatch "^[a-z0-9]" (last $gv))) -}}
{{- fail (printf "kwait: %s: apiVersion %q is not VERSION or GROUP/VERSION" $t $apiVersion) -}}
{{- end -}}
{{- $group := ternary (first $gv) "" (eq (len $gv) 2) -}}
{{- $version := last $gv -}}
{{- $typeName := ternary (printf "%s.%s.%s" $kind $version $group) (printf "%s.%s" $kind $version) (ne $group "") -}}
{{- $found := include "kwait.findType" (dict "type" $typeName "types" .types) | fromYaml -}}
{{- $out := dict -}}
{{- if .resource -}}
  {{- $parts := splitList "." .resource -}}
  {{- if ne (join "." (rest $parts)) $group -}}
  {{- fail (printf "kwait: %s: resource %q is not PLURAL.%s, the group of apiVersion %s" $t .resource $group $apiVersion) -}}
  {{- end -}}
  {{- $out = dict "group" $group "resource" (first $parts) "namespaced" (not (has .resource .clusterScoped)) -}}
{{- else if $found -}}
  {{- $out = dict "group" $found.group "resource" $found.resource "namespaced" $found.namespaced -}}
{{- else -}}
{{- fail (printf "kwait: %s: the chart cannot tell the resource of kind %s in %s: give the object in the call's admission list with its resource (PLURAL.GROUP)" $t $kind $apiVersion) -}}
{{- end -}}
{{- $_ := set $out "namespace" (toString ($meta.namespace | default "")) -}}
{{- toYaml $out -}}
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
