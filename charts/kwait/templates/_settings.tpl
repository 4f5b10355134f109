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
targets (a list of kwait targets in the mixed form), which may be left out
when admission (a list of probes, each a dict with manifest, an object or
the YAML of one, and resource, PLURAL.GROUP for a kind that is not built
in) is given. The defaults come from
.Values.kwait of the chart that depends on this library, overridden by
.Values.global.kwait (one block for every subchart of an umbrella chart);
the call overrides both. A key of the call that is not one of
kwait.callKeys fails the render, so a typo never goes unnoticed.

kwait.manifests calls it once per Job with the private key _manifests
(apply or delete): the call's keys are then kwait.manifestsKeys, targets
are not needed, the names are NAME-apply and NAME-delete, the events fixed,
and args the kwait apply or delete command (kwait.manifestsArgs).

Output keys: enabled; when false only serviceAccount and
createServiceAccount follow. Otherwise also name, namespace, rbac, events,
containerName, targets, admission (each probe's group, resource,
namespaced and namespace), mode, objects and for (kwait.manifestObjects;
"" and empty outside kwait.manifests), configMap (the ConfigMap the Job
mounts, "" for none), args, timeout, image, pullPolicy,
imagePullSecrets, resources, clusterScoped, labels, podSecurityContext,
securityContext, initSecurityContext, and hook (events, weight, rbacWeight,
deletePolicy, backoffLimit, activeDeadlineSeconds, nodeSelector,
tolerations, affinity, priorityClassName, podLabels, podAnnotations,
outputLogPolicy, ttlSecondsAfterFinished).
*/}}
{{- define "kwait.settings" -}}
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
{{- $ctx := .context -}}
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

{{- $base := .name | default (printf "%s-kwait" $ctx.Release.Name) | toString -}}
{{- $serviceAccountDefault := include "kwait.fitName" (ternary (printf "%s-%s" $base $mode) $base (ne $mode "")) -}}
{{- $serviceAccount := .serviceAccount | default $serviceAccountDefault -}}
{{- $createServiceAccount := true -}}
{{- if hasKey . "createServiceAccount" -}}{{- $createServiceAccount = .createServiceAccount -}}{{- end -}}
{{- $enabled := ternary .enabled (ne (toString $v.enabled) "false") (hasKey . "enabled") -}}
{{- if not (kindIs "bool" $enabled) -}}
{{- fail (printf "kwait: enabled must be true or false, not %v" $enabled) -}}
{{- end -}}
{{- if not $enabled -}}
{{- dict "enabled" false "serviceAccount" $serviceAccount "createServiceAccount" $createServiceAccount | toYaml -}}
{{- else -}}

{{- /* Targets: a list of strings, not empty unless admission probes are given. */ -}}
{{- $targets := .targets | default list -}}
{{- $admissionItems := .admission | default list -}}
{{- if not (kindIs "slice" $admissionItems) -}}
{{- fail "kwait: admission must be a list of probes, each (dict \"manifest\" OBJECT-OR-YAML \"resource\" \"PLURAL.GROUP\")" -}}
{{- end -}}
{{- if not (and (kindIs "slice" $targets) (or $targets $admissionItems $mode)) -}}
{{- fail "kwait: targets must be a non-empty list of targets in kwait's mixed form, e.g. (list \"crd/tenants.minio.min.io\" \"tcp://db:5432\")" -}}
{{- end -}}
{{- range $targets -}}
{{- if not (and (kindIs "string" .) .) -}}
{{- fail (printf "kwait: target %v is not a non-empty string" .) -}}
{{- end -}}
{{- end -}}
{{- $clusterScoped := .clusterScoped | default list -}}

{{- /* Admission probes: each object checked and its resource worked out (kwait.probe), then an admission:{JSON} target. */ -}}
{{- $table := include "kwait.table" . | fromYaml -}}
{{- $probes := list -}}
{{- $probeTargets := list -}}
{{- range $i, $item := $admissionItems -}}
{{- $what := printf "admission probe %d" (add1 $i) -}}
{{- if not (kindIs "map" $item) -}}
{{- fail (printf "kwait: %s: want (dict \"manifest\" OBJECT-OR-YAML \"resource\" \"PLURAL.GROUP\"), not %v" $what $item) -}}
{{- end -}}
{{- range $key := keys $item | sortAlpha -}}
{{- if not (has $key (list "manifest" "resource")) -}}
{{- fail (printf "kwait: %s: unknown key %q; accepted keys: manifest, resource" $what $key) -}}
{{- end -}}
{{- end -}}
{{- $object := $item.manifest -}}
{{- if kindIs "string" $object -}}
{{- if regexMatch "(?m)^---" (trimPrefix "---" (trim $object)) -}}
{{- fail (printf "kwait: %s: one object per probe; give each its own" $what) -}}
{{- end -}}
{{- $object = fromYaml $object -}}
{{- if hasKey $object "Error" -}}
{{- fail (printf "kwait: %s: manifest: %s" $what $object.Error) -}}
{{- end -}}
{{- end -}}
{{- $probe := include "kwait.probe" (dict "target" $what "object" $object "types" $table.types "clusterScoped" $clusterScoped "resource" ($item.resource | default "")) | fromYaml -}}
{{- $probes = append $probes $probe -}}
{{- $probeTargets = append $probeTargets (printf "admission:%s" (toJson $object)) -}}
{{- end -}}

{{- /* Manifests of kwait.manifests: each object checked, its resource worked out, its ConfigMap key and text. */ -}}
{{- $objects := list -}}
{{- if $mode -}}
{{- $objects = (include "kwait.manifestObjects" (dict "items" .manifests "types" $table.types "clusterScoped" $clusterScoped) | fromYaml).objects -}}
{{- end -}}

{{- /* Names. The Job controller puts the Job name in a label, so 63 characters at most (kwait.fitName). */ -}}
{{- $name := $serviceAccountDefault -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" $name) -}}
{{- fail (printf "kwait: name %q is not a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit" $base) -}}
{{- end -}}
{{- $namespace := .namespace | default $ctx.Release.Namespace -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" $namespace) -}}
{{- fail (printf "kwait: namespace %q is not a DNS label" $namespace) -}}
{{- end -}}
{{- $rbac := true -}}
{{- if hasKey . "rbac" -}}{{- $rbac = .rbac -}}{{- end -}}
{{- if not (kindIs "bool" $v.events) -}}
{{- fail (printf "kwait: events %v is not true or false" $v.events) -}}
{{- end -}}

{{- /* Arguments: the targets, the deadline, then the caller's extra flags. */ -}}
{{- /* A call's timeout of null or "" is unset (a chart passing an optional value through); 0 is no deadline. */ -}}
{{- $callTimeout := ternary .timeout nil (hasKey . "timeout") -}}
{{- $timeout := include "kwait.duration" (ternary $v.timeout $callTimeout (or (kindIs "invalid" $callTimeout) (eq (toString $callTimeout) ""))) -}}
{{- $extra := .args | default list -}}
{{- range $extra -}}
{{- $flag := regexReplaceAll "=.*$" (toString .) "" -}}
{{- if has $flag (list "--timeout" "-n" "--namespace" "--kubeconfig" "--context") -}}
{{- fail (printf "kwait: %s is set by the chart (timeout, namespace), not in args" $flag) -}}
{{- end -}}
{{- end -}}
{{- $args := concat $targets $probeTargets (list "--timeout" $timeout) $extra -}}
{{- $for := "" -}}
{{- if $mode -}}
{{- $cmd := include "kwait.manifestsArgs" (dict "call" . "mode" $mode) | fromYaml -}}
{{- $for = $cmd.for -}}
{{- $args = concat $cmd.args (list "--timeout" $timeout) -}}
{{- end -}}

{{- /* Image: the call wins over the values; global.imageRegistry over both registries. */ -}}
{{- $image := deepCopy $v.image -}}
{{- include "kwait.mergeInto" (dict "dst" $image "src" (.image | default dict)) -}}
{{- $ref := include "kwait.imageRef" (dict "image" $image "global" $global) -}}
{{- $pullSecrets := list -}}
{{- $secretLists := list (ternary .imagePullSecrets $v.imagePullSecrets (hasKey . "imagePullSecrets")) ($global.imagePullSecrets | default list) -}}
{{- range $secretLists -}}
{{- range . -}}
{{- $secret := ternary (get (kindIs "map" . | ternary . dict) "name") . (kindIs "map" .) -}}
{{- if not (and (kindIs "string" $secret) $secret) -}}
{{- fail (printf "kwait: image pull secret %v is not a name or {name: NAME}" .) -}}
{{- end -}}
{{- $pullSecrets = append $pullSecrets $secret -}}
{{- end -}}
{{- end -}}

{{- /* Security contexts: values, then the call; OpenShift assigns the IDs itself. */ -}}
{{- $podSC := deepCopy ($v.podSecurityContext | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $podSC "src" (.podSecurityContext | default dict)) -}}
{{- $sc := deepCopy ($v.securityContext | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $sc "src" (.securityContext | default dict)) -}}
{{- $initSC := deepCopy ($v.securityContext | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $initSC "src" ((($v.initContainer | default dict).securityContext) | default dict)) -}}
{{- include "kwait.mergeInto" (dict "dst" $initSC "src" (.securityContext | default dict)) -}}
{{- $bitnami := dig "compatibility" "openshift" "adaptSecurityContext" "" $global | toString -}}
{{- $openshift := include "kwait.openshift" (dict "value" $v.openshift "bitnami" $bitnami "context" $ctx) | eq "true" -}}
{{- if $openshift -}}
{{- range $m := list $podSC $sc $initSC -}}
{{- $_ := unset $m "runAsUser" -}}{{- $_ := unset $m "runAsGroup" -}}{{- $_ := unset $m "fsGroup" -}}
{{- end -}}
{{- end -}}

{{- /* Hook Job settings. */ -}}
{{- $hook := deepCopy $v.hook -}}
{{- range list "weight" "deletePolicy" "backoffLimit" "affinity" "tolerations" "priorityClassName" -}}
{{- if hasKey $ . -}}{{- $_ := set $hook . (get $ .) -}}{{- end -}}
{{- end -}}
{{- range list "nodeSelector" "podLabels" "podAnnotations" -}}
{{- $m := deepCopy (get $hook . | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $m "src" (get $ . | default dict)) -}}
{{- $_ := set $hook . $m -}}
{{- end -}}
{{- if hasKey . "hook" -}}{{- $_ := set $hook "events" .hook -}}{{- end -}}
{{- if $mode -}}{{- $_ := set $hook "events" (ternary "post-install,post-upgrade,post-rollback" "pre-delete" (eq $mode "apply")) -}}{{- end -}}
{{- range splitList "," $hook.events -}}
{{- if not (regexMatch "^(pre|post)-(install|upgrade|rollback|delete)$" .) -}}
{{- fail (printf "kwait: hook event %q is not pre- or post- install, upgrade, rollback or delete" .) -}}
{{- end -}}
{{- end -}}
{{- range compact (splitList "," ($hook.outputLogPolicy | default "")) -}}
{{- if not (has . (list "hook-succeeded" "hook-failed")) -}}
{{- fail (printf "kwait: hook output log policy %q is not hook-succeeded or hook-failed" .) -}}
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
{{- /* No deadline for kwait, none for its Job: helm's --timeout bounds the hook. */ -}}
{{- $deadline := 0 -}}
{{- if ne (include "kwait.seconds" $timeout) "0" -}}
{{- $deadline = add (include "kwait.seconds" $timeout) $hook.extraDeadlineSeconds -}}
{{- end -}}

{{- /* The recommended labels; name=kwait finds every wait of a release. */ -}}
{{- $labels := (dict
      "app.kubernetes.io/name" "kwait"
      "app.kubernetes.io/instance" ($ctx.Release.Name | trunc 63 | trimSuffix "-")
      "app.kubernetes.io/component" "wait"
      "app.kubernetes.io/part-of" ($ctx.Chart.Name | trunc 63 | trimSuffix "-")
      "app.kubernetes.io/managed-by" $ctx.Release.Service
      "helm.sh/chart" (printf "%s-%s" $ctx.Chart.Name $ctx.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-")) -}}
{{- $version := regexReplaceAll "[^-A-Za-z0-9_.]" (toString ($image.tag | default "")) "" | trunc 63 | trimAll "-_." -}}
{{- with $version -}}{{- $_ := set $labels "app.kubernetes.io/version" . -}}{{- end -}}
{{- $meta := include "kwait.objectMetadata" (dict "values" $v "call" . "labels" $labels) | fromYaml -}}
{{- $podLabels := $meta.podLabels | default dict -}}
{{- include "kwait.mergeInto" (dict "dst" $podLabels "src" $hook.podLabels) -}}
{{- $_ := mergeOverwrite $podLabels $labels -}}

{{- dict
      "enabled" true
      "name" $name
      "namespace" $namespace
      "serviceAccount" $serviceAccount
      "createServiceAccount" $createServiceAccount
      "rbac" $rbac
      "events" $v.events
      "containerName" (.containerName | default "kwait")
      "ownToken" (.ownToken | default false)
      "targets" $targets
      "admission" $probes
      "mode" $mode
      "objects" $objects
      "for" $for
      "configMap" (ternary (include "kwait.fitName" (printf "%s-manifests" $base)) "" (ne $mode ""))
      "args" $args
      "timeout" $timeout
      "image" $ref
      "pullPolicy" $image.pullPolicy
      "imagePullSecrets" ($pullSecrets | uniq)
      "resources" (ternary .resources $v.resources (hasKey . "resources"))
      "clusterScoped" $clusterScoped
      "labels" $labels
      "meta" $meta.objects
      "podSecurityContext" $podSC
      "securityContext" $sc
      "initSecurityContext" $initSC
      "hook" (dict
        "events" $hook.events
        "weight" $weight
        "rbacWeight" (sub $weight 1)
        "deletePolicy" $hook.deletePolicy
        "backoffLimit" (int $hook.backoffLimit)
        "activeDeadlineSeconds" $deadline
        "nodeSelector" $hook.nodeSelector
        "tolerations" ($hook.tolerations | default list)
        "affinity" ($hook.affinity | default dict)
        "priorityClassName" ($hook.priorityClassName | default "")
        "podLabels" $podLabels
        "podAnnotations" $hook.podAnnotations
        "outputLogPolicy" ($hook.outputLogPolicy | default "")
        "ttlSecondsAfterFinished" $hook.ttlSecondsAfterFinished)
    | toYaml -}}
{{- end -}}
{{- end -}}

{{/*
kwait.callKeys: the keys a call may have, as a JSON list, sorted.
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
kwait.imageRef: the image reference to run.

Input: dict with image (registry, repository, tag, digest) and global (the
chart's .Values.global). The registry is global.imageRegistry, else
image.registry; when one is set, it replaces the registry host a
repository starts with (a first path segment with a dot or a colon, or
localhost), so ghcr.io/kwait-dev/kwait becomes MIRROR/kwait-dev/kwait. A
digest wins over the tag.
*/}}
{{- define "kwait.imageRef" -}}
{{- $image := .image -}}
{{- if not (and (kindIs "string" $image.repository) $image.repository) -}}
{{- fail "kwait: image.repository must be set" -}}
{{- end -}}
{{- if not (or $image.digest $image.tag) -}}
{{- fail "kwait: image.tag or image.digest must be set" -}}
{{- end -}}
{{- $repo := $image.repository -}}
{{- $registry := .global.imageRegistry | default $image.registry | default "" | trimSuffix "/" -}}
{{- if $registry -}}
{{- $parts := splitList "/" $repo -}}
{{- $first := first $parts -}}
{{- if and (gt (len $parts) 1) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) -}}
{{- $repo = rest $parts | join "/" -}}
{{- end -}}
{{- $repo = printf "%s/%s" $registry $repo -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $repo $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (toString $image.tag) -}}
{{- end -}}
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

{{/*
kwait.duration: a timeout as kwait takes it, checked.

Input: a string of whole hours, minutes and seconds ("90s", "4m", "1h30m"),
or a whole number of seconds (90), as the values schema allows both; zero
("0s", 0) means no deadline.
Output: the duration string.
*/}}
{{- define "kwait.duration" -}}
{{- $t := . -}}
{{- if or (kindIs "float64" $t) (kindIs "int" $t) (kindIs "int64" $t) -}}
{{- if ne (float64 $t) (float64 (int $t)) -}}
{{- fail (printf "kwait: timeout %v is not a whole number of seconds" $t) -}}
{{- end -}}
{{- $t = printf "%ds" (int $t) -}}
{{- end -}}
{{- $t = toString $t -}}
{{- if not (and (regexMatch "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$" $t) (ne $t "")) -}}
{{- fail (printf "kwait: timeout %q is not a duration in whole hours, minutes and seconds such as 90s, 4m or 1h30m" $t) -}}
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

Input: the call. Output: the name. With enabled false it is empty (the pod
runs as the namespace's default ServiceAccount), unless the call names an
existing one with createServiceAccount false: that one exists either way.
*/}}
{{- define "kwait.serviceAccountName" -}}
{{- $s := include "kwait.settings" . | fromYaml -}}
{{- if or $s.enabled (not $s.createServiceAccount) -}}
{{- $s.serviceAccount -}}
{{- end -}}
{{- end -}}
