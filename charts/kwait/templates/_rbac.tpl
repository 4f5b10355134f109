{{/*
kwait.rbac: the ServiceAccount a wait runs as and the least RBAC its
targets need: get, list and watch only, on only the resources the targets
read, limited to the named objects wherever kwait reads by name, and create
on the resources of admission probes, which kwait only dry-runs (see
_targets.tpl); for the Jobs of kwait.manifests, their verbs on exactly
their objects. Rendered as YAML documents, each starting with "---":

  ServiceAccount SERVICEACCOUNT in NAMESPACE (unless createServiceAccount is false)
  Role + RoleBinding NAME in NAMESPACE              for targets in the pod's namespace
  Role + RoleBinding NAMESPACE-NAME in each other namespace a target names
  ClusterRole + ClusterRoleBinding NAMESPACE-NAME   for CRDs and cluster-scoped objects

Only network targets: the ServiceAccount, and with events true (the
default) the Role that lets kwait record Events on its pod: create and
patch on events.events.k8s.io in the pod's namespace. Include it at the top level of
a template file, next to the workload whose init container runs the wait.

With enabled false it renders nothing.

Input: the call (see README.md). Uses context, targets, name, namespace,
serviceAccount, createServiceAccount, clusterScoped.

  {{ include "kwait.rbac" (dict "context" $ "targets" (list "deployment/api")) }}
*/}}
{{- define "kwait.rbac" -}}
{{- $s := include "kwait.settings" . | fromYaml -}}
{{- if $s.enabled -}}
{{- include "kwait.rbacObjects" (dict "s" $s) -}}
{{- end -}}
{{- end -}}

{{/*
kwait.rbacObjects: the objects of kwait.rbac.

Input: dict with s (the settings) and, for the RBAC of a hook Job,
hookWeight, which makes every object a hook of the Job's events.

  {{- include "kwait.rbacObjects" (dict "s" $s "hookWeight" $s.hook.rbacWeight) }}
*/}}
{{- define "kwait.rbacObjects" -}}
{{- $s := .s -}}
{{- $meta := pick . "s" "hookWeight" -}}
{{- $rules := include "kwait.rules" $s | fromJson -}}
{{- $subject := printf "- kind: ServiceAccount\n  name: %s\n  namespace: %s" $s.serviceAccount $s.namespace -}}
{{- if $s.createServiceAccount }}
---
apiVersion: v1
kind: ServiceAccount
{{ include "kwait.metadata" (merge (dict "class" "serviceAccount" "name" $s.serviceAccount "namespace" $s.namespace) $meta) }}
{{- end }}
{{- range $rules.namespaces }}
{{- $name := ternary $s.name (printf "%s-%s" $s.namespace $s.name) (eq .namespace $s.namespace) }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
{{ include "kwait.metadata" (merge (dict "class" "rbac" "name" $name "namespace" .namespace) $meta) }}
rules:
{{- include "kwait.ruleList" .rules }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
{{ include "kwait.metadata" (merge (dict "class" "rbac" "name" $name "namespace" .namespace) $meta) }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ $name }}
subjects:
  {{- $subject | nindent 2 }}
{{- end }}
{{- with $rules.cluster }}
{{- $name := printf "%s-%s" $s.namespace $s.name }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
{{ include "kwait.metadata" (merge (dict "class" "rbac" "name" $name) $meta) }}
rules:
{{- include "kwait.ruleList" . }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
{{ include "kwait.metadata" (merge (dict "class" "rbac" "name" $name) $meta) }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $name }}
subjects:
  {{- $subject | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
kwait.rules: the grants of kwait.grants merged into RBAC rules, one per
resource, verb and scope; a resource's read rule comes before its create,
apply and delete rules. A resource read by label anywhere in a scope gets a
rule without resourceNames; otherwise the rule lists every name, sorted. A
create rule (a dry run's) never lists names: RBAC cannot narrow a POST by
name. An apply rule does: kwait apply PATCHes the named object. A record
rule (Events) never does: the Events' names are made up by the apiserver.

Input: the settings. Output: JSON {"cluster": [RULE...], "namespaces":
[{"namespace", "rules": [RULE...]}...]}, namespaces sorted, where RULE is
{group, resource, names, verb}.

  {{- $rules := include "kwait.rules" $s | fromJson -}}
*/}}
{{- define "kwait.rules" -}}
{{- $byScope := dict -}}
{{- range (include "kwait.grants" . | fromJson).grants -}}
  {{- $scope := get $byScope .namespace | default dict -}}
  {{- $_ := set $byScope .namespace $scope -}}
  {{- $key := printf "%s/%s/%s" .group .resource (get (dict "read" "1-read" "create" "2-create" "apply" "3-apply" "delete" "4-delete" "record" "5-record") .verb) -}}
  {{- $rule := get $scope $key | default (dict "group" .group "resource" .resource "names" list "byLabel" (has .verb (list "create" "record")) "verb" .verb) -}}
  {{- $_ := set $scope $key $rule -}}
  {{- if .name -}}
    {{- $_ := set $rule "names" (append $rule.names .name) -}}
  {{- else -}}
    {{- $_ := set $rule "byLabel" true -}}
  {{- end -}}
{{- end -}}
{{- $out := dict "cluster" list "namespaces" list -}}
{{- range $ns := keys $byScope | sortAlpha -}}
  {{- $scope := get $byScope $ns -}}
  {{- $rules := list -}}
  {{- range $key := keys $scope | sortAlpha -}}
    {{- $r := get $scope $key -}}
    {{- $names := ternary list ($r.names | uniq | sortAlpha) $r.byLabel -}}
    {{- $rules = append $rules (dict "group" $r.group "resource" $r.resource "names" $names "verb" $r.verb) -}}
  {{- end -}}
  {{- if eq $ns "" -}}
    {{- $_ := set $out "cluster" $rules -}}
  {{- else -}}
    {{- $_ := set $out "namespaces" (append $out.namespaces (dict "namespace" $ns "rules" $rules)) -}}
  {{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
kwait.ruleList: RBAC rules as YAML list items: get, list and watch for a
read, create for an admission probe, create and patch for kwait apply,
delete, get, list and watch for kwait delete, the events entry's verbs of
kwait.table (create and patch) for recording Events.

Input: a list of {group, resource, names, verb}.

  {{- include "kwait.ruleList" $rules.namespaced }}
*/}}
{{- define "kwait.ruleList" -}}
{{- $recordVerbs := list -}}
{{- range (include "kwait.table" . | fromYaml).events.verbs }}{{ $recordVerbs = append $recordVerbs (quote .) }}{{ end -}}
{{- range . }}
  - apiGroups: [{{ .group | quote }}]
    resources: [{{ .resource | quote }}]
    {{- with .names }}
    resourceNames: [{{ range $i, $n := . }}{{ if $i }}, {{ end }}{{ $n | quote }}{{ end }}]
    {{- end }}
    verbs: {{ get (dict "read" "[\"get\", \"list\", \"watch\"]" "create" "[\"create\"]" "apply" "[\"create\", \"patch\"]" "delete" "[\"delete\", \"get\", \"list\", \"watch\"]" "record" (printf "[%s]" (join ", " $recordVerbs))) .verb }}
{{- end }}
{{- end -}}
