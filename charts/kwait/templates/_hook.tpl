{{/*
The settings of kwait.hookJob's Job: events, weight, policies, placement.
*/}}

{{/*
kwait.settingsHook: the values' hook, with the call's weight,
deletePolicy, backoffLimit, affinity, tolerations and priorityClassName
over it, its nodeSelector, podLabels and podAnnotations merged key by key,
and the call's hook as its events (kwait.manifests: post-install,
post-upgrade, post-rollback for apply, pre-delete for delete). Events,
output log policy, delete policy and weight are checked. The Job's
activeDeadlineSeconds is the timeout plus hook.extraDeadlineSeconds, or
none (0) without a deadline: helm's --timeout bounds the hook. Into out:
hook (podLabels completed by kwait.settingsLabels).

  {{- include "kwait.settingsHook" $s -}}
*/}}
{{- define "kwait.settingsHook" -}}
{{- $call := .call -}}
{{- $hook := deepCopy .values.hook -}}
{{- range list "weight" "deletePolicy" "backoffLimit" "affinity" "tolerations" "priorityClassName" -}}
{{- if hasKey $call . -}}{{- $_ := set $hook . (get $call .) -}}{{- end -}}
{{- end -}}
{{- range list "nodeSelector" "podLabels" "podAnnotations" -}}
{{- $m := deepCopy (get $hook . | default dict) -}}
{{- include "kwait.mergeInto" (dict "dst" $m "src" (get $call . | default dict)) -}}
{{- $_ := set $hook . $m -}}
{{- end -}}
{{- if hasKey $call "hook" -}}{{- $_ := set $hook "events" $call.hook -}}{{- end -}}
{{- if .mode -}}{{- $_ := set $hook "events" (ternary "post-install,post-upgrade,post-rollback" "pre-delete" (eq .mode "apply")) -}}{{- end -}}
{{- include "kwait.checkHook" $hook -}}
{{- $weight := int (toString $hook.weight) -}}
{{- $deadline := 0 -}}
{{- if ne (include "kwait.seconds" .out.timeout) "0" -}}
{{- $deadline = add (include "kwait.seconds" .out.timeout) $hook.extraDeadlineSeconds -}}
{{- end -}}
{{- $_ := set .out "hook" (dict
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
      "podLabels" $hook.podLabels
      "podAnnotations" $hook.podAnnotations
      "outputLogPolicy" ($hook.outputLogPolicy | default "")
      "ttlSecondsAfterFinished" $hook.ttlSecondsAfterFinished) -}}
{{- end -}}

{{/*
kwait.checkHook: fails the render unless every hook event is pre- or
post- install, upgrade, rollback or delete, every output log policy
hook-succeeded or hook-failed, every delete policy before-hook-creation,
hook-succeeded or hook-failed, and the weight an integer.

  {{- include "kwait.checkHook" $hook -}}
*/}}
{{- define "kwait.checkHook" -}}
{{- range splitList "," .events -}}
{{- if not (regexMatch "^(pre|post)-(install|upgrade|rollback|delete)$" .) -}}
{{- fail (printf "kwait: hook event %q is not pre- or post- install, upgrade, rollback or delete" .) -}}
{{- end -}}
{{- end -}}
{{- range compact (splitList "," (.outputLogPolicy | default "")) -}}
{{- if not (has . (list "hook-succeeded" "hook-failed")) -}}
{{- fail (printf "kwait: hook output log policy %q is not hook-succeeded or hook-failed" .) -}}
{{- end -}}
{{- end -}}
{{- range splitList "," .deletePolicy -}}
{{- if not (has . (list "before-hook-creation" "hook-succeeded" "hook-failed")) -}}
{{- fail (printf "kwait: hook delete policy %q is not before-hook-creation, hook-succeeded or hook-failed" .) -}}
{{- end -}}
{{- end -}}
{{- if not (regexMatch "^-?[0-9]+$" (toString .weight)) -}}
{{- fail (printf "kwait: hook weight %v is not an integer" .weight) -}}
{{- end -}}
{{- end -}}
