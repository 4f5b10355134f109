{{/*
kwait.initContainer: kwait as an init container, one YAML list item for a
pod's initContainers. The pod starts its other containers only once every
target is ready; after the timeout kwait exits 124 and the pod's
termination message names what was still pending.

The pod must run as the wait's ServiceAccount (kwait.serviceAccountName)
when a target reads the Kubernetes API, and kwait.rbac must be rendered for
it. The image's pull secret, if any, belongs in the pod's imagePullSecrets.

Its securityContext is kwait.securityContext with
kwait.initContainer.securityContext over it (e.g. runAsUser 1337, the UID
Istio's proxy does not redirect), then the call's securityContext. With
enabled false it renders nothing, and the pod keeps its other init
containers.

Input: the call (see README.md). Uses context, targets, timeout, args,
image, resources, containerName, securityContext.

  initContainers:
    {{- include "kwait.initContainer" $wait | nindent 4 }}
*/}}
{{- define "kwait.initContainer" -}}
{{- $s := include "kwait.settings" . | fromYaml -}}
{{- if $s.enabled -}}
{{- include "kwait.container" (merge (dict "sc" $s.initSecurityContext) $s) -}}
{{- end -}}
{{- end -}}

{{/*
kwait.container: the kwait container. Its default securityContext
(kwait.securityContext) is hardened: non-root (the image's user 65532),
read-only root filesystem, no privilege escalation, every capability
dropped, the runtime's default seccomp profile. It satisfies the
"restricted" Pod Security Standard on its own, whatever the pod sets.

Input: the settings, with sc the container's securityContext. Output: one
YAML list item.

  {{- include "kwait.container" (merge (dict "sc" $s.securityContext) $s) | nindent 8 }}
*/}}
{{- define "kwait.container" -}}
- name: {{ .containerName }}
  image: {{ .image | quote }}
  imagePullPolicy: {{ .pullPolicy }}
  args:
    {{- range .args }}
    - {{ . | quote }}
    {{- end }}
  {{- include "kwait.eventsEnv" . | nindent 2 }}
  {{- with .resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .sc }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if or .ownToken .configMap }}
  volumeMounts:
    {{- if .ownToken }}
    - name: kwait-token
      mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      readOnly: true
    {{- end }}
    {{- if .configMap }}
    - name: kwait-manifests
      mountPath: /etc/kwait/manifests
      readOnly: true
    {{- end }}
  {{- end }}
{{- end -}}

{{/*
kwait.eventsEnv: the container's env. With events true, the pod's name,
namespace and UID from the downward API, which kwait records its Events
about (kubectl describe pod matches them by UID); with events false,
KWAIT_EVENTS=false, so kwait records none (and kwait.rbac grants nothing
for them).

Input: the settings. Output: an env: block.

  {{- include "kwait.eventsEnv" $s | nindent 2 }}
*/}}
{{- define "kwait.eventsEnv" -}}
env:
{{- if .events }}
  {{- range $name, $path := dict "POD_NAME" "metadata.name" "POD_NAMESPACE" "metadata.namespace" "POD_UID" "metadata.uid" }}
  - name: {{ $name }}
    valueFrom:
      fieldRef:
        fieldPath: {{ $path }}
  {{- end }}
{{- else }}
  - name: KWAIT_EVENTS
    value: "false"
{{- end }}
{{- end -}}

{{/*
kwait.tokenVolume: the volume that gives the init container, and only it,
the ServiceAccount's credentials, for a call with "ownToken" true. The pod
sets automountServiceAccountToken: false, so its other containers get no
token; the init container mounts this one where kwait (and every client)
looks for it: a token of at most an hour, the cluster's CA and the
namespace. One YAML list item for the pod's volumes.

  automountServiceAccountToken: false
  volumes:
    {{- include "kwait.tokenVolume" $wait | nindent 4 }}
*/}}
{{- define "kwait.tokenVolume" -}}
{{- $s := include "kwait.settings" . | fromYaml -}}
{{- if $s.enabled -}}
- name: kwait-token
  projected:
    sources:
      - serviceAccountToken:
          path: token
          expirationSeconds: 3600
      - configMap:
          name: kube-root-ca.crt
          items:
            - key: ca.crt
              path: ca.crt
      - downwardAPI:
          items:
            - path: namespace
              fieldRef:
                fieldPath: metadata.namespace
{{- end -}}
{{- end -}}
