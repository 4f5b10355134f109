{{/*
The security contexts of kwait's pod and container.
*/}}

{{/*
kwait.settingsSecurity: the pod's and the containers' securityContext:
the values', then the call's over them, key by key (kwait.mergeInto); the
init container's takes initContainer.securityContext between the two. On
OpenShift (kwait.openshift) runAsUser, runAsGroup and fsGroup are left out:
the platform assigns them. Into out: podSecurityContext, securityContext
and initSecurityContext.

  {{- include "kwait.settingsSecurity" $s -}}
*/}}
{{- define "kwait.settingsSecurity" -}}
{{- $call := .call -}}
{{- $v := .values -}}
{{- $podSC := deepCopy ($v.podSecurityContext | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $podSC "src" ($call.podSecurityContext | default dict)) -}}
{{- $sc := deepCopy ($v.securityContext | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $sc "src" ($call.securityContext | default dict)) -}}
{{- $initSC := deepCopy ($v.securityContext | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $initSC "src" ((($v.initContainer | default dict).securityContext) | default dict)) -}}
{{- include "kwait.mergeInto" (dict "dst" $initSC "src" ($call.securityContext | default dict)) -}}
{{- $bitnami := dig "compatibility" "openshift" "adaptSecurityContext" "" .global | toString -}}
{{- $openshift := include "kwait.openshift" (dict "value" $v.openshift "bitnami" $bitnami "context" .ctx) | eq "true" -}}
{{- if $openshift -}}
{{- range $m := list $podSC $sc $initSC -}}
{{- $_ := unset $m "runAsUser" -}}{{- $_ := unset $m "runAsGroup" -}}{{- $_ := unset $m "fsGroup" -}}
{{- end -}}
{{- end -}}
{{- $_ := set .out "podSecurityContext" $podSC -}}
{{- $_ := set .out "securityContext" $sc -}}
{{- $_ := set .out "initSecurityContext" $initSC -}}
{{- end -}}

{{/*
kwait.openshift: "true" when the pods are to leave user and group IDs to
the platform (OpenShift's SCCs assign them from the namespace's range).

Input: dict with value (kwait.openshift: "auto", true or false), bitnami
(global.compatibility.openshift.adaptSecurityContext, the switch Bitnami's
charts read: auto, force or disabled; "" when unset) and context. "auto"
follows bitnami when that is force or disabled, else it is true when the
cluster serves security.openshift.io/v1 (helm template: --api-versions
security.openshift.io/v1).

  {{- $openshift := include "kwait.openshift" (dict "value" $v.openshift "bitnami" $bitnami "context" $ctx) | eq "true" -}}
*/}}
{{- define "kwait.openshift" -}}
{{- $o := toString .value -}}
{{- if and (eq $o "auto") (eq .bitnami "force") -}}
true
{{- else if and (eq $o "auto") (eq .bitnami "disabled") -}}
false
{{- else if eq $o "auto" -}}
{{- .context.Capabilities.APIVersions.Has "security.openshift.io/v1" -}}
{{- else if has $o (list "true" "false") -}}
{{- $o -}}
{{- else -}}
{{- fail (printf "kwait: openshift must be auto, true or false, not %q" $o) -}}
{{- end -}}
{{- end -}}
