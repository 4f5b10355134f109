{{/*
Shared helpers of the kwait library chart. Every public template
(kwait.initContainer, kwait.hookJob, kwait.rbac, kwait.serviceAccountName)
takes the same dict, the "call"; see README.md for its keys. Only the
templates in this file read the call directly: the others work on the
settings kwait.settings computes from it.
*/}}

{{/*
kwait.settings: the call checked and completed with defaults, as YAML to be
read back with fromYaml.

Input: the call. Required: context (the chart's root context, `$`) and
targets (a list of kwait targets in the mixed form). The defaults come from
.Values.kwait of the chart that depends on this library.

Output keys: name, namespace, serviceAccount, createServiceAccount, rbac,
containerName, targets, args, timeout, image, pullPolicy,
imagePullSecrets, resources, clusterScoped, labels, and hook (events,
weight, rbacWeight, deletePolicy, backoffLimit, activeDeadlineSeconds).
*/}}
{{- define "kwait.settings" -}}
{{- if not (and (kindIs "map" .) (hasKey . "context")) -}}
{{- fail "kwait: call the templates with a dict holding the chart's root context, e.g. (dict \"context\" $ \"targets\" (list ...))" -}}
{{- end -}}
{{- $ctx := .context -}}
{{- $v := $ctx.Values.kwait -}}
{{- if not $v -}}
{{- fail "kwait: .Values.kwait is missing: add the kwait library chart to the chart's dependencies under its own name (no alias)" -}}
{{- end -}}

{{- /* Targets: a non-empty list of strings. */ -}}
{{- $targets := .targets -}}
{{- if not (and (kindIs "slice" $targets) $targets) -}}
{{- fail "kwait: targets must be a non-empty list of targets in kwait's mixed form, e.g. (list \"crd/tenants.minio.min.io\" \"tcp://db:5432\")" -}}
{{- end -}}
{{- range $targets -}}
{{- if not (and (kindIs "string" .) .) -}}
{{- fail (printf "kwait: target %v is not a non-empty string" .) -}}
{{- end -}}
{{- end -}}

{{- /* Names. The Job controller puts the Job name in a label, so 63 characters at most. */ -}}
{{- $name := .name | default (printf "%s-kwait" $ctx.Release.Name | trunc 63 | trimSuffix "-") -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" $name) -}}
{{- fail (printf "kwait: name %q is not a DNS label of at most 63 characters" $name) -}}
{{- end -}}
{{- $namespace := .namespace | default $ctx.Release.Namespace -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" $namespace) -}}
{{- fail (printf "kwait: namespace %q is not a DNS label" $namespace) -}}
{{- end -}}
{{- $serviceAccount := .serviceAccount | default $name -}}
{{- $createServiceAccount := true -}}
{{- if hasKey . "createServiceAccount" -}}{{- $createServiceAccount = .createServiceAccount -}}{{- end -}}
{{- $rbac := true -}}
{{- if hasKey . "rbac" -}}{{- $rbac = .rbac -}}{{- end -}}

{{- /* Arguments: the targets, the deadline, then the caller's extra flags. */ -}}
{{- $timeout := include "kwait.duration" (.timeout | default $v.timeout) -}}
{{- $extra := .args | default list -}}
{{- range $extra -}}
{{- $flag := regexReplaceAll "=.*$" (toString .) "" -}}
{{- if has $flag (list "--timeout" "-n" "--namespace" "--kubeconfig" "--context") -}}
{{- fail (printf "kwait: %s is set by the chart (timeout, namespace), not in args" $flag) -}}
{{- end -}}
{{- end -}}
{{- $args := concat $targets (list "--timeout" $timeout) $extra -}}

{{- /* Image and pod settings: the call wins over .Values.kwait. */ -}}
{{- $image := mergeOverwrite (deepCopy $v.image) (.image | default dict) -}}
{{- $ref := printf "%s:%s" $image.repository (toString $image.tag) -}}
{{- if $image.digest -}}{{- $ref = printf "%s@%s" $image.repository $image.digest -}}{{- end -}}
{{- if not (or $image.digest $image.tag) -}}
{{- fail "kwait: image.tag or image.digest must be set" -}}
{{- end -}}
{{- $pullSecrets := list -}}
{{- range (ternary .imagePullSecrets $v.imagePullSecrets (hasKey . "imagePullSecrets")) -}}
{{- if kindIs "map" . }}{{ $pullSecrets = append $pullSecrets .name }}{{ else }}{{ $pullSecrets = append $pullSecrets . }}{{ end -}}
{{- end -}}
{{- $clusterScoped := .clusterScoped | default list -}}

{{- /* Hook Job settings. */ -}}
{{- $hook := deepCopy $v.hook -}}
{{- range list "weight" "deletePolicy" "backoffLimit" -}}
{{- if hasKey $ . -}}{{- $_ := set $hook . (get $ .) -}}{{- end -}}
{{- end -}}
{{- if hasKey . "hook" -}}{{- $_ := set $hook "events" .hook -}}{{- end -}}
{{- range splitList "," $hook.events -}}
{{- if not (regexMatch "^(pre|post)-(install|upgrade|rollback|delete)$" .) -}}
{{- fail (printf "kwait: hook event %q is not pre- or post- install, upgrade, rollback or delete" .) -}}
{{- end -}}
{{- end -}}
{{- range splitList "," $hook.deletePolicy -}}
{{- if not (has . (list "before-hook-creation" "hook-succeeded" "hook-failed")) -}}
{{- fail (printf "kwait: hook delete policy %q is not before-hook-creation, hook-succeeded or hook-failed" .) -}}
{{- end -}}
{{- end -}}
{{- if not (regexMatch "^-?[0-9]+$" (toString $hook.weight)) -}}
{{- fail (printf "kwait: hook weight %v is not an integer" $hook.weight) -}}
{{- end -}}
{{- $weight := int (toString $hook.weight) -}}
{{- $deadline := add (include "kwait.seconds" $timeout) $hook.extraDeadlineSeconds -}}

{{- /* The recommended labels; name=kwait finds every wait of a release. */ -}}
{{- $labels := dict
      "app.kubernetes.io/name" "kwait"
      "app.kubernetes.io/instance" ($ctx.Release.Name | trunc 63 | trimSuffix "-")
      "app.kubernetes.io/component" "wait"
      "app.kubernetes.io/part-of" ($ctx.Chart.Name | trunc 63 | trimSuffix "-")
      "app.kubernetes.io/managed-by" $ctx.Release.Service
      "helm.sh/chart" (printf "%s-%s" $ctx.Chart.Name $ctx.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-") -}}

{{- dict
      "name" $name
      "namespace" $namespace
      "serviceAccount" $serviceAccount
      "createServiceAccount" $createServiceAccount
      "rbac" $rbac
      "containerName" (.containerName | default "kwait")
      "targets" $targets
      "args" $args
      "timeout" $timeout
      "image" $ref
      "pullPolicy" $image.pullPolicy
      "imagePullSecrets" $pullSecrets
      "resources" (ternary .resources $v.resources (hasKey . "resources"))
      "clusterScoped" $clusterScoped
      "labels" $labels
      "hook" (dict
        "events" $hook.events
        "weight" $weight
        "rbacWeight" (sub $weight 1)
        "deletePolicy" $hook.deletePolicy
        "backoffLimit" (int $hook.backoffLimit)
        "activeDeadlineSeconds" $deadline)
    | toYaml -}}
{{- end -}}

{{/*
kwait.duration: a timeout as kwait takes it, checked.

Input: a string of whole hours, minutes and seconds ("90s", "4m", "1h30m"),
or a number of seconds.
Output: the duration string.
*/}}
{{- define "kwait.duration" -}}
{{- $t := . -}}
{{- if or (kindIs "float64" $t) (kindIs "int" $t) (kindIs "int64" $t) -}}
{{- $t = printf "%ds" (int $t) -}}
{{- end -}}
{{- $t = toString $t -}}
{{- if not (and (regexMatch "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$" $t) (ne $t "")) -}}
{{- fail (printf "kwait: timeout %q is not a duration in whole hours, minutes and seconds such as 90s, 4m or 1h30m" $t) -}}
{{- end -}}
{{- if eq (include "kwait.seconds" $t) "0" -}}
{{- fail (printf "kwait: timeout %q must be longer than zero" $t) -}}
{{- end -}}
{{- $t -}}
{{- end -}}

{{/*
kwait.seconds: the number of seconds in a duration kwait.duration accepted.

Input: the duration string. Output: the seconds, as a string.
*/}}
{{- define "kwait.seconds" -}}
{{- $h := regexFind "[0-9]+h" . | trimSuffix "h" | default "0" | atoi -}}
{{- $m := regexFind "[0-9]+m" . | trimSuffix "m" | default "0" | atoi -}}
{{- $s := regexFind "[0-9]+s" . | trimSuffix "s" | default "0" | atoi -}}
{{- add (mul $h 3600) (mul $m 60) $s -}}
{{- end -}}

{{/*
kwait.serviceAccountName: the ServiceAccount a wait runs as, for the
serviceAccountName of the pod that holds kwait.initContainer.

Input: the call. Output: the name.
*/}}
{{- define "kwait.serviceAccountName" -}}
{{- (include "kwait.settings" . | fromYaml).serviceAccount -}}
{{- end -}}

{{/*
kwait.metadata: name, namespace, labels and, for hooks, the hook
annotations of one object.

Input: dict with s (the settings), name, namespace (omit for a
cluster-scoped object) and hookWeight (omit for an object that is not a
hook).
*/}}
{{- define "kwait.metadata" -}}
metadata:
  name: {{ .name }}
  {{- with .namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- toYaml .s.labels | nindent 4 }}
  {{- if hasKey . "hookWeight" }}
  annotations:
    helm.sh/hook: {{ .s.hook.events }}
    helm.sh/hook-weight: {{ .hookWeight | quote }}
    helm.sh/hook-delete-policy: {{ .s.hook.deletePolicy }}
  {{- end }}
{{- end -}}
