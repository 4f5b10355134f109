{{- /* The custom resources, one template each; no namespace: the release's. */ -}}
{{- define "operator-suite.serving" -}}
apiVersion: operator.knative.dev/v1beta1
kind: KnativeServing
metadata:
  name: {{ .Values.serving.name }}
spec:
  high-availability:
    replicas: {{ .Values.serving.replicas }}
{{- end -}}

{{- define "operator-suite.eventing" -}}
apiVersion: operator.knative.dev/v1beta1
kind: KnativeEventing
metadata:
  name: {{ .Values.eventing.name }}
spec:
  high-availability:
    replicas: {{ .Values.eventing.replicas }}
{{- end -}}

{{- define "operator-suite.workflows" -}}
apiVersion: sonataflow.org/v1alpha08
kind: SonataFlowPlatform
metadata:
  name: {{ .Values.workflows.name }}
spec:
  build:
    template:
      buildArgs: []
{{- end -}}

{{- define "operator-suite.portal" -}}
apiVersion: rhdh.redhat.com/v1alpha3
kind: Backstage
metadata:
  name: {{ .Values.portal.name }}
spec:
  application:
    replicas: {{ .Values.portal.replicas }}
{{- end -}}
