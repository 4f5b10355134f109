{{/*
Shared helpers of the kwait library chart. Every public template
(kwait.initContainer, kwait.hookJob, kwait.rbac, kwait.manifests,
kwait.serviceAccountName) takes the same dict, the "call"; see README.md for
its keys. Only kwait.settings and the kwait.settings* helpers it calls read
the call directly: the others work on the settings it computes from it.
*/}}

{{/*
kwait.settings: the call checked and completed with defaults, as YAML to be
read back with fromYaml.

  {{- $s := include "kwait.settings" . | fromYaml -}}

Input: the call. Required: context (the chart's root context, `$`) and
targets (a list of kwait targets in the mixed form), which may be left out
when admission (a list of probes, each a dict with manifest, an object or
the YAML of one, and resource, PLURAL.GROUP for a kind that is not built
in) is given. The defaults come from .Values.kwait of the chart that
depends on this library, overridden by .Values.global.kwait (one block for
every subchart of an umbrella chart); the call overrides both. A key of
the call that is not one of kwait.callKeys fails the render, so a typo
never goes unnoticed.

kwait.manifests calls it once per Job with the private key _manifests
(apply or delete): the call's keys are then kwait.manifestsKeys, targets
are not needed, the names are NAME-apply and NAME-delete, the events fixed,
and args the kwait apply or delete command (kwait.manifestsArgs).

Each topic is a helper of its own, run in this order on one dict, the
state: call, mode (_manifests or ""), ctx (the root context), then what
each helper adds: kwait.settingsValues (values, global),
kwait.settingsAccount (base, name, enabled), kwait.settingsTargets
(probeTargets, table), kwait.settingsArgs, kwait.settingsImage (image),
kwait.settingsSecurity, kwait.settingsHook, kwait.settingsLabels. Every
helper writes its output keys into the state's out, which is the result.

Output keys: enabled; when false only serviceAccount and
createServiceAccount follow. Otherwise also name, namespace, rbac, events,
containerName, targets, admission (each probe's group, resource,
namespaced and namespace), mode, objects and for (kwait.manifestObjects;
"" and empty outside kwait.manifests), configMap (the ConfigMap the Job
mounts, "" for none), args, timeout, image, pullPolicy,
imagePullSecrets, resources, clusterScoped, labels, meta,
podSecurityContext, securityContext, initSecurityContext, and hook
(events, weight, rbacWeight, deletePolicy, backoffLimit,
activeDeadlineSeconds, nodeSelector, tolerations, affinity,
priorityClassName, podLabels, podAnnotations, outputLogPolicy,
ttlSecondsAfterFinished).
*/}}
{{- define "kwait.settings" -}}
{{- include "kwait.checkCall" . -}}
{{- $s := dict "call" . "mode" (get . "_manifests" | default "") "ctx" .context "out" dict -}}
{{- include "kwait.settingsValues" $s -}}
{{- include "kwait.settingsAccount" $s -}}
{{- if not $s.enabled -}}
{{- pick $s.out "enabled" "serviceAccount" "createServiceAccount" | toYaml -}}
{{- else -}}
{{- include "kwait.settingsTargets" $s -}}
{{- include "kwait.settingsPlace" $s -}}
{{- include "kwait.settingsArgs" $s -}}
{{- include "kwait.settingsImage" $s -}}
{{- include "kwait.settingsSecurity" $s -}}
{{- include "kwait.settingsHook" $s -}}
{{- include "kwait.settingsLabels" $s -}}
{{- $call := . -}}
{{- $_ := set $s.out "containerName" ($call.containerName | default "kwait") -}}
{{- $_ := set $s.out "ownToken" ($call.ownToken | default false) -}}
{{- $_ := set $s.out "mode" $s.mode -}}
{{- $_ := set $s.out "configMap" (ternary (include "kwait.fitName" (printf "%s-manifests" $s.base)) "" (ne $s.mode "")) -}}
{{- $_ := set $s.out "resources" (ternary $call.resources $s.values.resources (hasKey $call "resources")) -}}
{{- toYaml $s.out -}}
{{- end -}}
{{- end -}}

{{/*
kwait.checkCall: fails the render unless the call is a dict with context
whose keys are all kwait.callKeys (kwait.manifestsKeys for a call of
kwait.manifests, which sets _manifests to apply or delete).

  {{- include "kwait.checkCall" . -}}
*/}}
{{- define "kwait.checkCall" -}}
{{- if not (and (kindIs "map" .) (hasKey . "context")) -}}
{{- fail "kwait: call the templates with a dict holding the chart's root context, e.g. (dict \"context\" $ \"targets\" (list ...))" -}}
{{- end -}}
{{- /* kwait.manifests sets _manifests (apply or delete): its call has keys of its own. */ -}}
{{- $mode := get . "_manifests" | default "" -}}
{{- if not (has $mode (list "" "apply" "delete")) -}}
{{- fail (printf "kwait: _manifests %q is the library's own key" $mode) -}}
{{- end -}}
{{- $accepted := include (ternary "kwait.manifestsKeys" "kwait.callKeys" (ne $mode "")) . | fromJsonArray -}}
{{- range $key := keys (omit . "_manifests") | sortAlpha -}}
{{- if not (has $key $accepted) -}}
{{- fail (printf "kwait: unknown key %q in the call; accepted keys: %s" $key (join ", " $accepted)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
kwait.callKeys: the keys a call may have, as a JSON list, sorted.

  {{- $accepted := include "kwait.callKeys" . | fromJsonArray -}}
*/}}
{{- define "kwait.callKeys" -}}
{{- list "admission" "affinity" "annotations" "args" "backoffLimit" "clusterScoped" "containerName" "context"
      "createServiceAccount" "deletePolicy" "enabled" "hook" "image" "imagePullSecrets" "jobAnnotations" "jobLabels"
      "labels" "name" "namespace" "nodeSelector" "ownToken" "podAnnotations" "podLabels" "podSecurityContext"
      "priorityClassName" "rbac" "rbacAnnotations" "rbacLabels" "resources" "securityContext" "serviceAccount"
      "serviceAccountAnnotations" "serviceAccountLabels" "targets" "timeout" "tolerations" "weight" | toJson -}}
{{- end -}}

{{/*
kwait.manifestsKeys: the keys a kwait.manifests call may have, as a JSON
list, sorted. Not targets, admission, args or hook: the Jobs run kwait apply
and kwait delete on the manifests, on fixed events; not serviceAccount,
createServiceAccount or rbac: each Job has its own ServiceAccount and RBAC.

  {{- $accepted := include "kwait.manifestsKeys" . | fromJsonArray -}}
*/}}
{{- define "kwait.manifestsKeys" -}}
{{- list "affinity" "annotations" "backoffLimit" "clusterScoped" "configMapAnnotations" "configMapLabels" "context"
      "deletePolicy" "enabled" "fieldManager" "for" "forceConflicts" "image" "imagePullSecrets" "jobAnnotations"
      "jobLabels" "labels" "manifests" "name" "namespace" "nodeSelector" "podAnnotations" "podLabels"
      "podSecurityContext" "priorityClassName" "rbacAnnotations" "rbacLabels" "resources" "securityContext"
      "serviceAccountAnnotations" "serviceAccountLabels" "timeout" "tolerations" "weight" | toJson -}}
{{- end -}}

{{/*
kwait.mergeInto: merges src into dst, changing dst, with Helm's rules for
values: maps merge key by key, anything else replaces, and a null removes
the key. Unlike sprig's mergeOverwrite, false, 0 and "" override too.

Input: dict with dst and src, both maps.

  {{- include "kwait.mergeInto" (dict "dst" $image "src" ($call.image | default dict)) -}}
*/}}
{{- define "kwait.mergeInto" -}}
{{- $dst := .dst -}}
{{- range $k, $val := .src -}}
{{- if kindIs "invalid" $val -}}
{{- $_ := unset $dst $k -}}
{{- else if and (kindIs "map" $val) (kindIs "map" (get $dst $k)) -}}
{{- include "kwait.mergeInto" (dict "dst" (get $dst $k) "src" $val) -}}
{{- else -}}
{{- $_ := set $dst $k (deepCopy $val) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
kwait.settingsValues: the chart's kwait values with global.kwait merged
over them (kwait.mergeInto), into the state's values; the chart's
.Values.global, or an empty dict, into its global. A key of global.kwait
that kwait's values do not have fails the render.

  {{- include "kwait.settingsValues" $s -}}
*/}}
{{- define "kwait.settingsValues" -}}
{{- $ctx := .ctx -}}
{{- if not $ctx.Values.kwait -}}
{{- fail "kwait: .Values.kwait is missing: add the kwait library chart to the chart's dependencies under its own name (no alias)" -}}
{{- end -}}
{{- $global := $ctx.Values.global | default dict -}}
{{- $v := deepCopy $ctx.Values.kwait -}}
{{- with $global.kwait -}}
{{- if not (kindIs "map" .) -}}
{{- fail "kwait: global.kwait must be a map of kwait's values" -}}
{{- end -}}
{{- $own := omit $v "global" -}}
{{- range $key := keys . | sortAlpha -}}
{{- if not (hasKey $own $key) -}}
{{- fail (printf "kwait: unknown key %q in global.kwait; accepted keys: %s" $key (keys $own | sortAlpha | join ", ")) -}}
{{- end -}}
{{- end -}}
{{- include "kwait.mergeInto" (dict "dst" $v "src" .) -}}
{{- end -}}
{{- $_ := set . "values" $v -}}
{{- $_ := set . "global" $global -}}
{{- end -}}

{{/*
kwait.settingsAccount: the ServiceAccount and whether the wait is enabled.
Into the state: base (the call's name, else RELEASE-kwait), name (base, or
base-MODE for kwait.manifests, fitted to 63 characters) and enabled; into
out: enabled, serviceAccount (the call's, else name) and
createServiceAccount.

  {{- include "kwait.settingsAccount" $s -}}
*/}}
{{- define "kwait.settingsAccount" -}}
{{- $call := .call -}}
{{- $base := $call.name | default (printf "%s-kwait" .ctx.Release.Name) | toString -}}
{{- $name := include "kwait.fitName" (ternary (printf "%s-%s" $base .mode) $base (ne .mode "")) -}}
{{- $createServiceAccount := true -}}
{{- if hasKey $call "createServiceAccount" -}}{{- $createServiceAccount = $call.createServiceAccount -}}{{- end -}}
{{- $enabled := ternary $call.enabled (ne (toString .values.enabled) "false") (hasKey $call "enabled") -}}
{{- if not (kindIs "bool" $enabled) -}}
{{- fail (printf "kwait: enabled must be true or false, not %v" $enabled) -}}
{{- end -}}
{{- $_ := set . "base" $base -}}
{{- $_ := set . "name" $name -}}
{{- $_ := set . "enabled" $enabled -}}
{{- $_ := set .out "enabled" $enabled -}}
{{- $_ := set .out "serviceAccount" ($call.serviceAccount | default $name) -}}
{{- $_ := set .out "createServiceAccount" $createServiceAccount -}}
{{- end -}}

{{/*
kwait.settingsPlace: the names and switches of the objects. Into out: name
(a DNS label: the Job controller puts it in a label), namespace (the
call's, else the release's), rbac and events (checked to be a bool).

  {{- include "kwait.settingsPlace" $s -}}
*/}}
{{- define "kwait.settingsPlace" -}}
{{- $call := .call -}}
{{- if not (regexMatch (include "kwait.pattern" "dnsLabel") .name) -}}
{{- fail (printf "kwait: name %q is not a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit" .base) -}}
{{- end -}}
{{- $namespace := $call.namespace | default .ctx.Release.Namespace -}}
{{- if not (regexMatch (include "kwait.pattern" "dnsLabel") $namespace) -}}
{{- fail (printf "kwait: namespace %q is not a DNS label" $namespace) -}}
{{- end -}}
{{- $rbac := true -}}
{{- if hasKey $call "rbac" -}}{{- $rbac = $call.rbac -}}{{- end -}}
{{- if not (kindIs "bool" .values.events) -}}
{{- fail (printf "kwait: events %v is not true or false" .values.events) -}}
{{- end -}}
{{- $_ := set .out "name" .name -}}
{{- $_ := set .out "namespace" $namespace -}}
{{- $_ := set .out "rbac" $rbac -}}
{{- $_ := set .out "events" .values.events -}}
{{- end -}}

{{/*
kwait.serviceAccountName: the ServiceAccount a wait runs as, for the
serviceAccountName of the pod that holds kwait.initContainer.

Input: the call. Output: the name. With enabled false it is empty (the pod
runs as the namespace's default ServiceAccount), unless the call names an
existing one with createServiceAccount false: that one exists either way.

  serviceAccountName: {{ include "kwait.serviceAccountName" $wait }}
*/}}
{{- define "kwait.serviceAccountName" -}}
{{- $s := include "kwait.settings" . | fromYaml -}}
{{- if or $s.enabled (not $s.createServiceAccount) -}}
{{- $s.serviceAccount -}}
{{- end -}}
{{- end -}}
