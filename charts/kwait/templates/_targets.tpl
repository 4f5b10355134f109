{{/*
Target grammar helpers: names, namespaces and API types read from target
strings as kwait reads them, for kwait.grants (_grants.tpl) and the
manifests of kwait.manifests.
*/}}

{{/*
kwait.typeName: a type as PLURAL.GROUP (PLURAL for the core group).
Input: dict with group and resource.

  {{- $name := include "kwait.typeName" $kind.type -}}
*/}}
{{- define "kwait.typeName" -}}
{{- if .group }}{{ printf "%s.%s" .resource .group }}{{ else }}{{ .resource }}{{ end -}}
{{- end -}}

{{/*
kwait.namespacedName: "[NS/]NAME" split and checked.

Input: dict with target (for messages), rest ("[NS/]NAME"), namespace
(used when NS is not given) and loose (the kind's looseNames).
Output: YAML {namespace, name, explicit}.

  {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $s.namespace) | fromYaml -}}
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
  {{- if not (regexMatch (include "kwait.pattern" "dnsLabel") $ns) -}}
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

  {{- include "kwait.checkName" (dict "target" $t "name" $rest "loose" $kind.looseNames) -}}
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

  {{- $probe := include "kwait.probe" (dict "target" $what "object" $object "types" $table.types "clusterScoped" $clusterScoped "resource" "") | fromYaml -}}
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

  {{- $found := include "kwait.findType" (dict "type" $head "types" $table.types) | fromYaml -}}
*/}}
{{- define "kwait.findType" -}}
{{- $parts := splitList "." .type -}}
{{- $n := len $parts -}}
{{- $token := lower (first $parts) -}}
{{- $versionPattern := include "kwait.pattern" "version" -}}
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

  {{- $resolved := include "kwait.resolveType" (dict "target" $t "type" $head "types" $table.types) | fromYaml -}}
*/}}
{{- define "kwait.resolveType" -}}
{{- $t := .target -}}
{{- if not (regexMatch (include "kwait.pattern" "typeName") .type) -}}
{{- fail (printf "kwait: target %q: resource type %q is not TYPE[.VERSION][.GROUP] (a kind, plural, singular or short name)" $t .type) -}}
{{- end -}}
{{- $found := include "kwait.findType" . | fromYaml -}}
{{- if $found -}}
{{- dict "group" $found.group "resource" $found.resource "namespaced" $found.namespaced "crd" "" | toYaml -}}
{{- else -}}
  {{- $parts := splitList "." .type -}}
  {{- if and (ge (len $parts) 4) (regexMatch (include "kwait.pattern" "version") (index $parts 1)) -}}
    {{- $parts = concat (list (first $parts)) (slice $parts 2) -}}
  {{- end -}}
  {{- if or (ne (lower .type) .type) (lt (len $parts) 3) -}}
  {{- fail (printf "kwait: target %q: the chart cannot tell which API type %q is: write a custom resource type as PLURAL.GROUP (kwait resolves other forms through discovery, but RBAC is computed when the chart renders)" $t .type) -}}
  {{- end -}}
  {{- dict "group" (join "." (rest $parts)) "resource" (first $parts) "namespaced" true "crd" (join "." $parts) | toYaml -}}
{{- end -}}
{{- end -}}
