{{/*
kwait.initContainer: kwait as an init container, one YAML list item for a
pod's initContainers. The pod starts its other containers only once every
target is ready; after the timeout kwait exits 124 and the pod's
termination message names what was still pending.

The pod must run as the wait's ServiceAccount (kwait.serviceAccountName)
when a target reads the Kubernetes API, and kwait.rbac must be rendered for
it. The image's pull secret, if any, belongs in the pod's imagePullSecrets.

Input: the call (see README.md). Uses context, targets, timeout, args,
image, resources, containerName.

  initContainers:
    {{- include "kwait.initContainer" $wait | nindent 4 }}
*/}}
{{- define "kwait.initContainer" -}}
{{- include "kwait.container" (include "kwait.settings" . | fromYaml) -}}
{{- end -}}

{{/*
kwait.container: the kwait container, hardened: non-root (the image's user
65532), read-only root filesystem, no privilege escalation, every
capability dropped, the runtime's default seccomp profile. It satisfies the
"restricted" Pod Security Standard on its own, whatever the pod sets.

Input: the settings. Output: one YAML list item.
*/}}
{{- define "kwait.container" -}}
- name: {{ .containerName }}
  image: {{ .image | quote }}
  imagePullPolicy: {{ .pullPolicy }}
  args:
    {{- range .args }}
    - {{ . | quote }}
    {{- end }}
  {{- with .resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    readOnlyRootFilesystem: true
    allowPrivilegeEscalation: false
    capabilities:
      drop: ["ALL"]
    seccompProfile:
      type: RuntimeDefault
{{- end -}}
