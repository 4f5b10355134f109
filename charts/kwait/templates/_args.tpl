{{/*
The targets of a call and the arguments kwait runs with.
*/}}

{{/*
kwait.settingsTargets: the call's targets, checked: a list of non-empty
strings, not empty unless admission probes are given (or the call is
kwait.manifests'). Into out: targets, clusterScoped, admission (the probes,
kwait.settingsProbes) and objects (kwait.manifestObjects; empty outside
kwait.manifests); into the state: table (kwait.table, read) and
probeTargets.

  {{- include "kwait.settingsTargets" $s -}}
*/}}
{{- define "kwait.settingsTargets" -}}
{{- $call := .call -}}
{{- $targets := $call.targets | default list -}}
{{- $admissionItems := $call.admission | default list -}}
{{- if not (kindIs "slice" $admissionItems) -}}
{{- fail "kwait: admission must be a list of probes, each (dict \"manifest\" OBJECT-OR-YAML \"resource\" \"PLURAL.GROUP\")" -}}
{{- end -}}
{{- if not (and (kindIs "slice" $targets) (or $targets $admissionItems .mode)) -}}
{{- fail "kwait: targets must be a non-empty list of targets in kwait's mixed form, e.g. (list \"crd/tenants.minio.min.io\" \"tcp://db:5432\")" -}}
{{- end -}}
{{- range $targets -}}
{{- if not (and (kindIs "string" .) .) -}}
{{- fail (printf "kwait: target %v is not a non-empty string" .) -}}
{{- end -}}
{{- end -}}
{{- $_ := set .out "targets" $targets -}}
{{- $_ := set .out "clusterScoped" ($call.clusterScoped | default list) -}}
{{- $_ := set . "table" (include "kwait.table" . | fromYaml) -}}
{{- include "kwait.settingsProbes" . -}}
{{- $objects := list -}}
{{- if .mode -}}
{{- $objects = (include "kwait.manifestObjects" (dict "items" $call.manifests "types" .table.types "clusterScoped" .out.clusterScoped) | fromYaml).objects -}}
{{- end -}}
{{- $_ := set .out "objects" $objects -}}
{{- end -}}

{{/*
kwait.settingsProbes: the call's admission probes (a list, as
kwait.settingsTargets checked), each a dict with
manifest (an object, or the YAML of one) and resource (PLURAL.GROUP, for a
kind that is not built in), checked and their resource worked out
(kwait.probe). Into out: admission, the probes; into the state:
probeTargets, an admission:{JSON} target for each.

  {{- include "kwait.settingsProbes" $s -}}
*/}}
{{- define "kwait.settingsProbes" -}}
{{- $probes := list -}}
{{- $probeTargets := list -}}
{{- $types := .table.types -}}
{{- $clusterScoped := .out.clusterScoped -}}
{{- range $i, $item := .call.admission | default list -}}
{{- $what := printf "admission probe %d" (add1 $i) -}}
{{- $read := dict "what" $what "unit" "probe" "item" $item -}}
{{- include "kwait.manifestItem" $read -}}
{{- $object := $read.object -}}
{{- $probe := include "kwait.probe" (dict "target" $what "object" $object "types" $types "clusterScoped" $clusterScoped "resource" ($item.resource | default "")) | fromYaml -}}
{{- $probes = append $probes $probe -}}
{{- $probeTargets = append $probeTargets (printf "admission:%s" (toJson $object)) -}}
{{- end -}}
{{- $_ := set .out "admission" $probes -}}
{{- $_ := set . "probeTargets" $probeTargets -}}
{{- end -}}

{{/*
kwait.settingsArgs: kwait's arguments: the targets and probes, the
deadline, then the call's extra flags (args; --timeout, -n, --namespace,
--kubeconfig and --context are the chart's to set and fail the render);
for kwait.manifests the kwait apply or delete command (kwait.manifestsArgs)
and the deadline. A call's timeout of null or "" is unset (a chart passing
an optional value through); 0 is no deadline. Into out: args, timeout
(kwait.duration) and for ("" outside kwait.manifests).

  {{- include "kwait.settingsArgs" $s -}}
*/}}
{{- define "kwait.settingsArgs" -}}
{{- $call := .call -}}
{{- $callTimeout := ternary $call.timeout nil (hasKey $call "timeout") -}}
{{- $timeout := include "kwait.duration" (ternary .values.timeout $callTimeout (or (kindIs "invalid" $callTimeout) (eq (toString $callTimeout) ""))) -}}
{{- $extra := $call.args | default list -}}
{{- range $extra -}}
{{- $flag := regexReplaceAll "=.*$" (toString .) "" -}}
{{- if has $flag (list "--timeout" "-n" "--namespace" "--kubeconfig" "--context") -}}
{{- fail (printf "kwait: %s is set by the chart (timeout, namespace), not in args" $flag) -}}
{{- end -}}
{{- end -}}
{{- $args := concat .out.targets .probeTargets (list "--timeout" $timeout) $extra -}}
{{- $for := "" -}}
{{- if .mode -}}
{{- $cmd := include "kwait.manifestsArgs" (dict "call" $call "mode" .mode) | fromYaml -}}
{{- $for = $cmd.for -}}
{{- $args = concat $cmd.args (list "--timeout" $timeout) -}}
{{- end -}}
{{- $_ := set .out "args" $args -}}
{{- $_ := set .out "timeout" $timeout -}}
{{- $_ := set .out "for" $for -}}
{{- end -}}

{{/*
kwait.duration: a timeout as kwait takes it, checked.

Input: a string of whole hours, minutes and seconds ("90s", "4m", "1h30m"),
or a whole number of seconds (90), as the values schema allows both; zero
("0s", 0) means no deadline.
Output: the duration string.

  {{- $timeout := include "kwait.duration" $v.timeout -}}
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

  {{- $seconds := include "kwait.seconds" $s.timeout | atoi -}}
*/}}
{{- define "kwait.seconds" -}}
{{- $h := regexFind "[0-9]+h" . | trimSuffix "h" | default "0" | atoi -}}
{{- $m := regexFind "[0-9]+m" . | trimSuffix "m" | default "0" | atoi -}}
{{- $s := regexFind "[0-9]+s" . | trimSuffix "s" | default "0" | atoi -}}
{{- add (mul $h 3600) (mul $m 60) $s -}}
{{- end -}}
