{{/*
The image kwait runs from, and the secrets to pull it with.
*/}}

{{/*
kwait.settingsImage: the image, the call's over the values' (key by key,
kwait.mergeInto); global.imageRegistry over both registries
(kwait.imageRef). The pull secrets are the call's imagePullSecrets (else
the values'), then global.imagePullSecrets, each a name or {name: NAME},
without repeats. Into out: image (the reference), pullPolicy and
imagePullSecrets; into the state: image (the merged values, for the
version label).

  {{- include "kwait.settingsImage" $s -}}
*/}}
{{- define "kwait.settingsImage" -}}
{{- $call := .call -}}
{{- $image := deepCopy .values.image -}}
{{- include "kwait.mergeInto" (dict "dst" $image "src" ($call.image | default dict)) -}}
{{- $pullSecrets := list -}}
{{- $secretLists := list (ternary $call.imagePullSecrets .values.imagePullSecrets (hasKey $call "imagePullSecrets")) (.global.imagePullSecrets | default list) -}}
{{- $ref := include "kwait.imageRef" (dict "image" $image "global" .global) -}}
{{- range $secretLists -}}
{{- range . -}}
{{- $secret := ternary (get (kindIs "map" . | ternary . dict) "name") . (kindIs "map" .) -}}
{{- if not (and (kindIs "string" $secret) $secret) -}}
{{- fail (printf "kwait: image pull secret %v is not a name or {name: NAME}" .) -}}
{{- end -}}
{{- $pullSecrets = append $pullSecrets $secret -}}
{{- end -}}
{{- end -}}
{{- $_ := set . "image" $image -}}
{{- $_ := set .out "image" $ref -}}
{{- $_ := set .out "pullPolicy" $image.pullPolicy -}}
{{- $_ := set .out "imagePullSecrets" ($pullSecrets | uniq) -}}
{{- end -}}

{{/*
kwait.imageRef: the image reference to run.

Input: dict with image (registry, repository, tag, digest) and global (the
chart's .Values.global). The registry is global.imageRegistry, else
image.registry; when one is set, it replaces the registry host a
repository starts with (a first path segment with a dot or a colon, or
localhost), so ghcr.io/kwait-dev/kwait becomes MIRROR/kwait-dev/kwait. A
digest wins over the tag.

  {{- $ref := include "kwait.imageRef" (dict "image" $image "global" $global) -}}
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
