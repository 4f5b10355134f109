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
true). A target kwait would refuse fails the render with kwait's reason.
Each form of target has a helper of its own: kwait.admissionGrants,
kwait.networkGrants, kwait.kubeGrants (kwait.kindGrants,
kwait.resourceGrants); kwait.settingsGrants adds what is not a target.

  {{- $grants := (include "kwait.grants" $s | fromJson).grants -}}

Input: the settings (kwait.settings): targets, namespace, clusterScoped,
events, args, admission (the probes of the call's admission list, each
{object, group, resource, namespaced}), and for a kwait.manifests Job mode
(apply or delete), for and objects (each {group, resource, namespaced,
namespace, name}).
*/}}
{{- define "kwait.grants" -}}
{{- $in := dict "s" . "table" (include "kwait.table" . | fromYaml) "flags" (include "kwait.rootFlags" .args | fromJson) -}}
{{- $grants := list -}}
{{- range $given := .targets -}}
  {{- $t := include "kwait.withoutDeadline" $given -}}
  {{- $form := "kube" -}}
  {{- if regexMatch "^(?i)admission:" $t }}{{ $form = "admission" }}{{ else if regexFind "^[^/]*://" $t }}{{ $form = "network" }}{{ end -}}
  {{- $grants = concat $grants (include (printf "kwait.%sGrants" $form) (merge (dict "target" $t) $in) | fromJsonArray) -}}
{{- end -}}
{{- $grants = concat $grants (include "kwait.settingsGrants" $in | fromJsonArray) -}}
{{- dict "grants" $grants | toJson -}}
{{- end -}}

{{/*
kwait.rootFlags: what the call's args say about rules, as JSON {for,
rules, failFor}: for is true when a --for flag is given, rules are its
values (--for=RULE and --for RULE), failFor is true when a --fail-for flag
is given.

  {{- $flags := include "kwait.rootFlags" $s.args | fromJson -}}
*/}}
{{- define "kwait.rootFlags" -}}
{{- $for := false -}}
{{- $rules := list -}}
{{- $failFor := false -}}
{{- $prev := "" -}}
{{- range . -}}
  {{- $a := toString . -}}
  {{- if hasPrefix "--for" $a }}{{ $for = true }}{{ end -}}
  {{- if hasPrefix "--for=" $a }}{{ $rules = append $rules (trimPrefix "--for=" $a) }}{{ end -}}
  {{- if eq $prev "--for" }}{{ $rules = append $rules $a }}{{ end -}}
  {{- if hasPrefix "--fail-for" $a }}{{ $failFor = true }}{{ end -}}
  {{- $prev = $a -}}
{{- end -}}
{{- dict "for" $for "rules" $rules "failFor" $failFor | toJson -}}
{{- end -}}

{{/*
kwait.withoutDeadline: a target without its own deadline (#timeout=30s),
which names nothing to grant; a deadline that is not a duration fails the
render.

  {{- $t := include "kwait.withoutDeadline" $given -}}
*/}}
{{- define "kwait.withoutDeadline" -}}
{{- $t := regexReplaceAll "(?i)#timeout=[^#]*$" . "" -}}
{{- if ne $t . -}}
{{- if not (regexMatch "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$" (trimPrefix $t . | substr 9 -1)) -}}
{{- fail (printf "kwait: target %q: #timeout= wants a duration such as 30s or 2m" .) -}}
{{- end -}}
{{- end -}}
{{- $t -}}
{{- end -}}

{{/*
kwait.admissionGrants: an admission:{JSON} target's grant, as a JSON list:
create on the object's resource (kwait.probe), in its namespace or the
call's. admission:FILE fails the render: the pod has no FILE.

  {{- $grants := include "kwait.admissionGrants" (dict "target" $t "s" $s "table" $table) | fromJsonArray -}}
*/}}
{{- define "kwait.admissionGrants" -}}
{{- $t := .target -}}
{{- $manifest := substr 10 (len $t) $t -}}
{{- if not (hasPrefix "{" (trim $manifest)) -}}
{{- fail (printf "kwait: target %q: the pod has no manifest file; give the object in the call's admission list" $t) -}}
{{- end -}}
{{- $object := fromJson $manifest -}}
{{- if hasKey $object "Error" -}}
{{- fail (printf "kwait: target %q: not a JSON object: %s" $t $object.Error) -}}
{{- end -}}
{{- $probe := include "kwait.probe" (dict "target" (printf "target %q" $t) "object" $object "types" .table.types "clusterScoped" .s.clusterScoped) | fromYaml -}}
{{- list (dict "namespace" (ternary ($probe.namespace | default .s.namespace) "" $probe.namespaced) "group" $probe.group "resource" $probe.resource "name" "" "verb" "create") | toJson -}}
{{- end -}}

{{/*
kwait.networkGrants: a network target's grants, none, as a JSON list; a
scheme kwait does not know fails the render.

  {{- $grants := include "kwait.networkGrants" (dict "target" $t "table" $table) | fromJsonArray -}}
*/}}
{{- define "kwait.networkGrants" -}}
{{- $scheme := regexFind "^[^/]*://" .target -}}
{{- if not (has (lower (trimSuffix "://" $scheme)) .table.schemes) -}}
{{- fail (printf "kwait: target %q: unknown scheme (want one of %s)" .target (join ", " .table.schemes)) -}}
{{- end -}}
{{- list | toJson -}}
{{- end -}}

{{/*
kwait.kubeGrants: a Kubernetes target's grants, as a JSON list. The target
is split into HEAD/REST[:RULE]; without a rule of its own it takes --for's
(ready when --for ready is the only one). HEAD names a kind of the table
(its name, or any spelling of its type: kwait.kindGrants), else a
resource type (kwait.resourceGrants).

  {{- $grants := include "kwait.kubeGrants" (dict "target" $t "s" $s "table" $table "flags" $flags) | fromJsonArray -}}
*/}}
{{- define "kwait.kubeGrants" -}}
{{- $t := .target -}}
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
{{- $rules := .flags.rules -}}
{{- if and (not $rule) .flags.for }}{{ $rule = ternary "ready" "--for" (and (eq (len $rules) 1) (eq (lower (trim (first $rules | default ""))) "ready")) }}{{ end -}}
{{- $kind := dict -}}
{{- range .table.kinds }}{{ if eq (lower $head) .name }}{{ $kind = . }}{{ end }}{{ end -}}
{{- if not $kind -}}
  {{- $kindTypes := list -}}
  {{- range .table.kinds }}{{ $kindTypes = append $kindTypes .type }}{{ end -}}
  {{- $kt := include "kwait.findType" (dict "type" $head "types" $kindTypes) | fromYaml -}}
  {{- range .table.kinds }}{{ if and $kt.resource (eq .type.resource $kt.resource) (eq .type.group $kt.group) }}{{ $kind = . }}{{ end }}{{ end -}}
{{- end -}}
{{- $in := dict "target" $t "head" $head "rest" $rest "rule" $rule "kind" $kind "s" .s "table" .table "failFor" .flags.failFor -}}
{{- include (ternary "kwait.kindGrants" "kwait.resourceGrants" (not (empty $kind))) $in -}}
{{- end -}}

{{/*
kwait.kindGrants: the grants of a target of a kind of the table, as a JSON
list. The rule ready alone is the kind's own rule, with the kind's reads
(on a kind judged by what it watches, a Service, it reads the object
first); --fail-for reads the kind's own object by name too. Judged by a
rule: the object of the kind's type, by name. By its own rule: what the
kind watches, by label selector (pods), by name (cluster-scoped kinds; a
webhook configuration also the EndpointSlices of the Services it calls, in
the call's namespace) or in the namespace (by name, or by the Service's
name label).

  {{- $grants := include "kwait.kindGrants" (dict "target" $t "rest" $rest "rule" $rule "kind" $kind "s" $s "failFor" $failFor) | fromJsonArray -}}
*/}}
{{- define "kwait.kindGrants" -}}
{{- $t := .target -}}
{{- $kind := .kind -}}
{{- $rest := .rest -}}
{{- $ns := .s.namespace -}}
{{- $rule := .rule -}}
{{- $grants := list -}}
{{- $readsObject := .failFor -}}
{{- if and (eq (lower (trim $rule)) "ready") (ne $kind.select "selector") -}}
  {{- $rule = "" -}}
  {{- $readsObject = or $readsObject (ne $kind.watch.resource $kind.type.resource) -}}
{{- end -}}
{{- if or $rule (and $readsObject (ne $kind.select "selector")) -}}
  {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $ns "loose" (and $rule $kind.looseNames)) | fromYaml -}}
  {{- if and $rule (not $kind.type.namespaced) $nsName.explicit -}}
  {{- fail (printf "kwait: target %q: %s is cluster-scoped: name it without a namespace" $t (include "kwait.typeName" $kind.type)) -}}
  {{- end -}}
  {{- $grants = append $grants (dict "namespace" (ternary $nsName.namespace "" $kind.type.namespaced) "group" $kind.type.group "resource" $kind.type.resource "name" $nsName.name "verb" "read") -}}
{{- end -}}
{{- if $rule -}}
{{- else if eq $kind.select "selector" -}}
  {{- /* By label selector. A first segment that is a DNS label, followed by more, is the namespace. */ -}}
  {{- $seg := regexSplit "/" $rest 2 -}}
  {{- if and (eq (len $seg) 2) (regexMatch (include "kwait.pattern" "dnsLabel") (index $seg 0)) (index $seg 1) -}}
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
    {{- $grants = append $grants (dict "namespace" $ns "group" "discovery.k8s.io" "resource" "endpointslices" "name" "" "verb" "read") -}}
  {{- end -}}
{{- else -}}
  {{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" $rest "namespace" $ns) | fromYaml -}}
  {{- $grants = append $grants (dict "namespace" $nsName.namespace "group" $kind.watch.group "resource" $kind.watch.resource "name" (ternary $nsName.name "" (eq $kind.select "name")) "verb" "read") -}}
{{- end -}}
{{- toJson $grants -}}
{{- end -}}

{{/*
kwait.resourceGrants: the grants of a TYPE/[NS/]NAME:RULE target, as a
JSON list: the object by name, in its namespace unless its type is
cluster-scoped (kwait.resolveType); for a custom resource also its CRD, by
name (cluster-scoped when the call lists the CRD in clusterScoped). A
resource without a rule fails the render, as kwait refuses it.

  {{- $grants := include "kwait.resourceGrants" (dict "target" $t "head" $head "rest" $rest "rule" $rule "s" $s "table" $table) | fromJsonArray -}}
*/}}
{{- define "kwait.resourceGrants" -}}
{{- $t := .target -}}
{{- if not .rule -}}
{{- fail (printf "kwait: target %q: a resource needs a rule: TYPE/[NS/]NAME:condition=Ready, or --for" $t) -}}
{{- end -}}
{{- $grants := list -}}
{{- $resolved := include "kwait.resolveType" (dict "target" $t "type" .head "types" .table.types) | fromYaml -}}
{{- $nsName := include "kwait.namespacedName" (dict "target" $t "rest" .rest "namespace" .s.namespace) | fromYaml -}}
{{- $namespaced := $resolved.namespaced -}}
{{- if $resolved.crd -}}
  {{- $grants = append $grants (dict "namespace" "" "group" "apiextensions.k8s.io" "resource" "customresourcedefinitions" "name" $resolved.crd "verb" "read") -}}
  {{- if has $resolved.crd .s.clusterScoped }}{{ $namespaced = false }}{{ end -}}
{{- end -}}
{{- if and (not $namespaced) $nsName.explicit -}}
{{- fail (printf "kwait: target %q: %s is cluster-scoped: name it without a namespace" $t (include "kwait.typeName" $resolved)) -}}
{{- end -}}
{{- $grants = append $grants (dict "namespace" (ternary $nsName.namespace "" $namespaced) "group" $resolved.group "resource" $resolved.resource "name" $nsName.name "verb" "read") -}}
{{- toJson $grants -}}
{{- end -}}

{{/*
kwait.settingsGrants: the grants that come from the settings rather than
the targets, as a JSON list: create on the resource of each probe of the
call's admission list; for a kwait.manifests Job its verb (apply or
delete) on each object by name, and with for a read of it too (kwait apply
then watches that one object); record on Events in the call's namespace,
with events true (kwait --events records them on its pod).

  {{- $grants := include "kwait.settingsGrants" (dict "s" $s "table" $table) | fromJsonArray -}}
*/}}
{{- define "kwait.settingsGrants" -}}
{{- $s := .s -}}
{{- $grants := list -}}
{{- range $s.admission -}}
  {{- $grants = append $grants (dict "namespace" (ternary (.namespace | default $s.namespace) "" .namespaced) "group" .group "resource" .resource "name" "" "verb" "create") -}}
{{- end -}}
{{- range $o := $s.objects -}}
  {{- $ns := ternary ($o.namespace | default $s.namespace) "" $o.namespaced -}}
  {{- $grants = append $grants (dict "namespace" $ns "group" $o.group "resource" $o.resource "name" $o.name "verb" $s.mode) -}}
  {{- if and (eq $s.mode "apply") $s.for -}}
    {{- $grants = append $grants (dict "namespace" $ns "group" $o.group "resource" $o.resource "name" $o.name "verb" "read") -}}
  {{- end -}}
{{- end -}}
{{- if $s.events -}}
  {{- $grants = append $grants (dict "namespace" $s.namespace "group" .table.events.group "resource" .table.events.resource "name" "" "verb" "record") -}}
{{- end -}}
{{- toJson $grants -}}
{{- end -}}
