{{/*
kwait.hookJob: a Helm hook Job that holds the release until every target is
ready, with its ServiceAccount and RBAC (kwait.rbac) as hooks of the same
events one weight lower, so they exist before the Job starts and go away
with it.

Helm runs the hooks of an event in weight order and waits for a Job to
complete before the next hook. A custom resource whose CRD the Job waits
for therefore belongs in a hook of the same event with a higher weight:
Helm maps it to its API only when that hook runs, after the wait.

The Job runs one pod (restartPolicy Never). kwait's own verdicts, exit 1
(failed for good), 2 (bad input) and 124 (timed out), fail the Job at once
through its podFailurePolicy; other pod failures (a lost node, an OOM kill)
are retried up to backoffLimit times. activeDeadlineSeconds is the timeout
plus hook.extraDeadlineSeconds, a bound on all attempts together; with
timeout 0 (no deadline) there is none, and helm's --timeout bounds the hook.

When the Job fails, Helm 3.18 and later print its pod's logs (annotation
helm.sh/hook-output-log-policy, hook.outputLogPolicy), and delete the
ServiceAccount and RBAC, hooks that ran before it and succeeded, by their
hook-succeeded policy. Kubernetes deletes the failed Job after
hook.ttlSecondsAfterFinished.

The pod's labels are the objects' labels plus hook.podLabels; its
annotations hook.podAnnotations, by default opting out of Istio's and
Linkerd's sidecar injection: a sidecar keeps running after kwait exits,
and the Job would never complete.

Input: the call (see README.md). Uses everything kwait.rbac and
kwait.initContainer use, and hook (events), weight, deletePolicy,
backoffLimit, imagePullSecrets, rbac (false: render only the Job and run as
an existing serviceAccount), podSecurityContext, nodeSelector, tolerations,
affinity, priorityClassName, podLabels, podAnnotations. With enabled false
it renders nothing.

  {{ include "kwait.hookJob" (dict "context" $ "targets" (list "crd/tenants.minio.min.io")) }}
*/}}
{{- define "kwait.hookJob" -}}
{{- $s := include "kwait.settings" . | fromYaml -}}
{{- if $s.enabled }}
{{- include "kwait.hookJobObjects" $s }}
{{- end }}
{{- end -}}

{{/*
kwait.hookJobObjects: the objects of kwait.hookJob (and of each Job of
kwait.manifests, whose settings name a configMap to mount).

Input: the settings, enabled.

  {{- include "kwait.hookJobObjects" $s }}
*/}}
{{- define "kwait.hookJobObjects" -}}
{{- $s := . -}}
{{- if $s.rbac }}
{{- include "kwait.rbacObjects" (dict "s" $s "hookWeight" $s.hook.rbacWeight) }}
{{- end }}
---
apiVersion: batch/v1
kind: Job
{{ include "kwait.metadata" (dict "s" $s "class" "job" "name" $s.name "namespace" $s.namespace "hookWeight" $s.hook.weight "outputLogPolicy" $s.hook.outputLogPolicy) }}
spec:
  backoffLimit: {{ $s.hook.backoffLimit }}
  {{- with $s.hook.activeDeadlineSeconds }}
  activeDeadlineSeconds: {{ . }}
  {{- end }}
  {{- if not (kindIs "invalid" $s.hook.ttlSecondsAfterFinished) }}
  ttlSecondsAfterFinished: {{ int $s.hook.ttlSecondsAfterFinished }}
  {{- end }}
  podFailurePolicy:
    rules:
      - action: FailJob
        onExitCodes:
          containerName: {{ $s.containerName }}
          operator: In
          values: [1, 2, 124]
      - action: Ignore
        onPodConditions:
          - type: DisruptionTarget
  template:
    metadata:
      labels:
        {{- toYaml $s.hook.podLabels | nindent 8 }}
      {{- with $s.hook.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      {{- include "kwait.hookPodSpec" $s | nindent 6 }}
{{- end -}}

{{/*
kwait.hookPodSpec: the spec of the hook Job's pod: it runs once (restart
policy Never) as the wait's ServiceAccount, with the image's pull secrets,
the hook's placement (priority class, node selector, affinity,
tolerations), the pod's securityContext, the kwait container, and the
ConfigMap of a kwait.manifests Job mounted.

Input: the settings. Output: the pod spec's fields, unindented.

  spec:
    {{- include "kwait.hookPodSpec" $s | nindent 4 }}
*/}}
{{- define "kwait.hookPodSpec" -}}
restartPolicy: Never
serviceAccountName: {{ .serviceAccount }}
automountServiceAccountToken: true
{{- with .imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with .hook.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .hook.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .hook.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .hook.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  {{- include "kwait.container" (merge (dict "sc" .securityContext) .) | nindent 2 }}
{{- with .configMap }}
volumes:
  - name: kwait-manifests
    configMap:
      name: {{ . }}
{{- end }}
{{- end -}}
