{{/*
Names, labels and annotations of the objects kwait's templates render:
kwait.settings computes them once per call (kwait.fitName,
kwait.objectMetadata), and every object writes its metadata with
kwait.metadata.
*/}}

{{/*
kwait.objectMetadata: the labels and annotations of each kind of object a
call renders, merged in this order, each over the one before (maps key by
key, null removing a key, as kwait.mergeInto):

  values commonLabels / commonAnnotations       every object
  values hook.jobLabels / hook.jobAnnotations   the Job        (class job)
  values serviceAccount.labels / .annotations   ServiceAccount (class serviceAccount)
  values rbac.labels / rbac.annotations         Roles, ClusterRoles, bindings (class rbac)
  values configMap.labels / .annotations        the ConfigMap of kwait.manifests (class configMap)
  call labels / annotations                     every object of the call
  call jobLabels, serviceAccountLabels, rbacLabels, configMapLabels (and
  ...Annotations)                               the class's objects of the call

then the chart's own labels (input labels: app.kubernetes.io/*,
helm.sh/chart) over all. An annotation helm.sh/hook... fails the render:
the chart sets those from hook, weight, deletePolicy and
hook.outputLogPolicy. The Job's pod takes commonLabels and the call's
labels; its annotations are hook.podAnnotations alone.

Input: dict with values (the merged kwait values), call and labels.
Output: YAML {podLabels, objects: {CLASS: {labels, annotations}}}.

  {{- $meta := include "kwait.objectMetadata" (dict "values" $v "call" $call "labels" $labels) | fromYaml -}}
*/}}
{{- define "kwait.objectMetadata" -}}
{{- $v := .values -}}
{{- $call := .call -}}
{{- $sources := dict
      "job" (dict "labels" (dig "hook" "jobLabels" dict $v) "annotations" (dig "hook" "jobAnnotations" dict $v))
      "serviceAccount" (dict "labels" (dig "serviceAccount" "labels" dict $v) "annotations" (dig "serviceAccount" "annotations" dict $v))
      "rbac" (dict "labels" (dig "rbac" "labels" dict $v) "annotations" (dig "rbac" "annotations" dict $v))
      "configMap" (dict "labels" (dig "configMap" "labels" dict $v) "annotations" (dig "configMap" "annotations" dict $v)) -}}
{{- range $key := list "labels" "annotations" "jobLabels" "jobAnnotations" "serviceAccountLabels" "serviceAccountAnnotations" "rbacLabels" "rbacAnnotations" "configMapLabels" "configMapAnnotations" -}}
{{- $given := ternary (get $call $key) nil (hasKey $call $key) -}}
{{- if not (or (kindIs "invalid" $given) (kindIs "map" $given)) -}}
{{- fail (printf "kwait: %s must be a map of names to strings, not %v" $key $given) -}}
{{- end -}}
{{- end -}}
{{- $podLabels := deepCopy ($v.commonLabels | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $podLabels "src" ($call.labels | default dict)) -}}
{{- $objects := dict -}}
{{- range $class := keys $sources | sortAlpha -}}
{{- $src := get $sources $class -}}
{{- $out := dict -}}
{{- range $what := list "labels" "annotations" -}}
{{- $m := deepCopy (get $v (printf "common%s" (title $what)) | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $m "src" (get $src $what | default dict)) -}}
{{- include "kwait.mergeInto" (dict "dst" $m "src" (get $call $what | default dict)) -}}
{{- include "kwait.mergeInto" (dict "dst" $m "src" (get $call (printf "%s%s" $class (title $what)) | default dict)) -}}
{{- range $k, $val := $m -}}
{{- if not (kindIs "string" $val) -}}
{{- fail (printf "kwait: %s %s: %v is not a string (quote it)" (trimSuffix "s" $what) $k $val) -}}
{{- end -}}
{{- if and (eq $what "annotations") (hasPrefix "helm.sh/hook" $k) -}}
{{- fail (printf "kwait: annotation %s is the chart's: set hook, weight, deletePolicy or hook.outputLogPolicy instead" $k) -}}
{{- end -}}
{{- end -}}
{{- if eq $what "labels" -}}{{- $_ := mergeOverwrite $m $.labels -}}{{- end -}}
{{- $_ := set $out $what $m -}}
{{- end -}}
{{- $_ := set $objects $class $out -}}
{{- end -}}
{{- dict "podLabels" $podLabels "objects" $objects | toYaml -}}
{{- end -}}

{{/*
kwait.fitName: a name of at most 63 characters, a DNS label's limit (the
Job controller puts a Job's name in a label). A longer one keeps its first
54 characters and ends in 8 hex digits of its SHA-256, so long release
names render (as Bitnami's charts shorten names) and two long names that
differ only at the end stay apart.

Input: the name. Output: it, or its shortened form.

  {{- $name := include "kwait.fitName" (printf "%s-manifests" $base) -}}
*/}}
{{- define "kwait.fitName" -}}
{{- if le (len .) 63 -}}
{{- . -}}
{{- else -}}
{{- printf "%s-%s" (regexReplaceAll "-+$" (trunc 54 .) "") (sha256sum . | trunc 8) -}}
{{- end -}}
{{- end -}}

{{/*
kwait.metadata: name, namespace, labels and, for hooks, the hook
annotations of one object.

Input: dict with s (the settings), class (job, serviceAccount, rbac or
configMap: which of the settings' meta applies), name, namespace (omit for
a cluster-scoped object), hookWeight (omit for an object that is not a
hook) and outputLogPolicy (a Job hook's).

  {{ include "kwait.metadata" (dict "s" $s "class" "job" "name" $s.name "namespace" $s.namespace "hookWeight" $s.hook.weight) }}
*/}}
{{- define "kwait.metadata" -}}
{{- $meta := get .s.meta .class -}}
metadata:
  name: {{ .name }}
  {{- with .namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- toYaml $meta.labels | nindent 4 }}
  {{- if or $meta.annotations (hasKey . "hookWeight") }}
  annotations:
    {{- with $meta.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- if hasKey . "hookWeight" }}
    helm.sh/hook: {{ .s.hook.events }}
    helm.sh/hook-weight: {{ .hookWeight | quote }}
    helm.sh/hook-delete-policy: {{ .s.hook.deletePolicy }}
    {{- with .outputLogPolicy }}
    helm.sh/hook-output-log-policy: {{ . }}
    {{- end }}
    {{- end }}
  {{- end }}
{{- end -}}


{{/*
kwait.settingsLabels: the recommended labels of every object (name=kwait
finds every wait of a release; version from the image's tag, cut to a
label value), each kind of object's labels and annotations
(kwait.objectMetadata), and the Job's pod labels: the objects' pod labels,
then hook.podLabels, then the recommended labels over both. Into out:
labels, meta (kwait.objectMetadata's objects) and hook.podLabels.

  {{- include "kwait.settingsLabels" $s -}}
*/}}
{{- define "kwait.settingsLabels" -}}
{{- $ctx := .ctx -}}
{{- $labels := (dict
      "app.kubernetes.io/name" "kwait"
      "app.kubernetes.io/instance" ($ctx.Release.Name | trunc 63 | trimSuffix "-")
      "app.kubernetes.io/component" "wait"
      "app.kubernetes.io/part-of" ($ctx.Chart.Name | trunc 63 | trimSuffix "-")
      "app.kubernetes.io/managed-by" $ctx.Release.Service
      "helm.sh/chart" (printf "%s-%s" $ctx.Chart.Name $ctx.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-")) -}}
{{- $version := regexReplaceAll "[^-A-Za-z0-9_.]" (toString (.image.tag | default "")) "" | trunc 63 | trimAll "-_." -}}
{{- with $version -}}{{- $_ := set $labels "app.kubernetes.io/version" . -}}{{- end -}}
{{- $meta := include "kwait.objectMetadata" (dict "values" .values "call" .call "labels" $labels) | fromYaml -}}
{{- $podLabels := $meta.podLabels | default dict -}}
{{- include "kwait.mergeInto" (dict "dst" $podLabels "src" .out.hook.podLabels) -}}
{{- $_ := mergeOverwrite $podLabels $labels -}}
{{- $_ := set .out.hook "podLabels" $podLabels -}}
{{- $_ := set .out "labels" $labels -}}
{{- $_ := set .out "meta" $meta.objects -}}
{{- end -}}
