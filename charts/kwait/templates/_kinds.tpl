{{/*
GENERATED from the Go tables of packages kind, apitype, network and events by
go test ./pkg/kind -run TestChartTable -update; do not edit.

kwait.table: the kinds kwait waits for with rules of their own (the API
type each names, the type it watches and how it selects objects), the
built-in API types kwait knows without discovery, in discovery order,
the URL schemes of network targets, and the resource and verbs of the
Events kwait records on its pod.

  {{- $table := include "kwait.table" . | fromYaml -}}
*/}}
{{- define "kwait.table" -}}
events:
  group: events.k8s.io
  resource: events
  verbs:
  - create
  - patch
kinds:
- name: crd
  select: name
  then: served
  type:
    group: apiextensions.k8s.io
    names:
    - customresourcedefinition
    - crd
    - crds
    namespaced: false
    resource: customresourcedefinitions
    version: v1
  watch:
    group: apiextensions.k8s.io
    names:
    - customresourcedefinition
    - crd
    - crds
    namespaced: false
    resource: customresourcedefinitions
    version: v1
- name: deployment
  select: name
  type:
    group: apps
    names:
    - deployment
    - deploy
    namespaced: true
    resource: deployments
    version: v1
  watch:
    group: apps
    names:
    - deployment
    - deploy
    namespaced: true
    resource: deployments
    version: v1
- name: statefulset
  select: name
  type:
    group: apps
    names:
    - statefulset
    - sts
    namespaced: true
    resource: statefulsets
    version: v1
  watch:
    group: apps
    names:
    - statefulset
    - sts
    namespaced: true
    resource: statefulsets
    version: v1
- name: daemonset
  select: name
  type:
    group: apps
    names:
    - daemonset
    - ds
    namespaced: true
    resource: daemonsets
    version: v1
  watch:
    group: apps
    names:
    - daemonset
    - ds
    namespaced: true
    resource: daemonsets
    version: v1
- name: job
  select: name
  type:
    group: batch
    names:
    - job
    namespaced: true
    resource: jobs
    version: v1
  watch:
    group: batch
    names:
    - job
    namespaced: true
    resource: jobs
    version: v1
- name: service
  select: serviceName
  type:
    group: ""
    names:
    - service
    - svc
    namespaced: true
    resource: services
    version: v1
  watch:
    group: discovery.k8s.io
    names:
    - endpointslice
    namespaced: true
    resource: endpointslices
    version: v1
- name: pods
  select: selector
  type:
    group: ""
    names:
    - pod
    - po
    namespaced: true
    resource: pods
    version: v1
  watch:
    group: ""
    names:
    - pod
    - po
    namespaced: true
    resource: pods
    version: v1
- name: validatingwebhookconfiguration
  select: name
  then: endpoints
  type:
    group: admissionregistration.k8s.io
    names:
    - validatingwebhookconfiguration
    namespaced: false
    resource: validatingwebhookconfigurations
    version: v1
  watch:
    group: admissionregistration.k8s.io
    names:
    - validatingwebhookconfiguration
    namespaced: false
    resource: validatingwebhookconfigurations
    version: v1
- name: mutatingwebhookconfiguration
  select: name
  then: endpoints
  type:
    group: admissionregistration.k8s.io
    names:
    - mutatingwebhookconfiguration
    namespaced: false
    resource: mutatingwebhookconfigurations
    version: v1
  watch:
    group: admissionregistration.k8s.io
    names:
    - mutatingwebhookconfiguration
    namespaced: false
    resource: mutatingwebhookconfigurations
    version: v1
- looseNames: true
  name: apiservice
  select: name
  then: discovery
  type:
    group: apiregistration.k8s.io
    names:
    - apiservice
    namespaced: false
    resource: apiservices
    version: v1
  watch:
    group: apiregistration.k8s.io
    names:
    - apiservice
    namespaced: false
    resource: apiservices
    version: v1
schemes:
- tcp
- http
- https
- dns
- postgres
- postgresql
- mysql
- mariadb
- redis
- rediss
- amqp
- amqps
- memcached
- mongodb
- kafka
- grpc
- grpcs
types:
- group: ""
  names:
  - configmap
  - cm
  namespaced: true
  resource: configmaps
  version: v1
- group: ""
  names:
  - endpoints
  - ep
  namespaced: true
  resource: endpoints
  version: v1
- group: ""
  names:
  - event
  - ev
  namespaced: true
  resource: events
  version: v1
- group: ""
  names:
  - limitrange
  - limits
  namespaced: true
  resource: limitranges
  version: v1
- group: ""
  names:
  - namespace
  - ns
  namespaced: false
  resource: namespaces
  version: v1
- group: ""
  names:
  - node
  - "no"
  namespaced: false
  resource: nodes
  version: v1
- group: ""
  names:
  - persistentvolumeclaim
  - pvc
  namespaced: true
  resource: persistentvolumeclaims
  version: v1
- group: ""
  names:
  - persistentvolume
  - pv
  namespaced: false
  resource: persistentvolumes
  version: v1
- group: ""
  names:
  - pod
  - po
  namespaced: true
  resource: pods
  version: v1
- group: ""
  names:
  - podtemplate
  namespaced: true
  resource: podtemplates
  version: v1
- group: ""
  names:
  - replicationcontroller
  - rc
  namespaced: true
  resource: replicationcontrollers
  version: v1
- group: ""
  names:
  - resourcequota
  - quota
  namespaced: true
  resource: resourcequotas
  version: v1
- group: ""
  names:
  - secret
  namespaced: true
  resource: secrets
  version: v1
- group: ""
  names:
  - serviceaccount
  - sa
  namespaced: true
  resource: serviceaccounts
  version: v1
- group: ""
  names:
  - service
  - svc
  namespaced: true
  resource: services
  version: v1
- group: apiregistration.k8s.io
  names:
  - apiservice
  namespaced: false
  resource: apiservices
  version: v1
- group: apps
  names:
  - controllerrevision
  namespaced: true
  resource: controllerrevisions
  version: v1
- group: apps
  names:
  - daemonset
  - ds
  namespaced: true
  resource: daemonsets
  version: v1
- group: apps
  names:
  - deployment
  - deploy
  namespaced: true
  resource: deployments
  version: v1
- group: apps
  names:
  - replicaset
  - rs
  namespaced: true
  resource: replicasets
  version: v1
- group: apps
  names:
  - statefulset
  - sts
  namespaced: true
  resource: statefulsets
  version: v1
- group: events.k8s.io
  names:
  - event
  - ev
  namespaced: true
  resource: events
  version: v1
- group: autoscaling
  names:
  - horizontalpodautoscaler
  - hpa
  namespaced: true
  resource: horizontalpodautoscalers
  version: v2
- group: batch
  names:
  - cronjob
  - cj
  namespaced: true
  resource: cronjobs
  version: v1
- group: batch
  names:
  - job
  namespaced: true
  resource: jobs
  version: v1
- group: certificates.k8s.io
  names:
  - certificatesigningrequest
  - csr
  namespaced: false
  resource: certificatesigningrequests
  version: v1
- group: networking.k8s.io
  names:
  - ingressclass
  namespaced: false
  resource: ingressclasses
  version: v1
- group: networking.k8s.io
  names:
  - ingress
  - ing
  namespaced: true
  resource: ingresses
  version: v1
- group: networking.k8s.io
  names:
  - ipaddress
  - ip
  namespaced: false
  resource: ipaddresses
  version: v1
- group: networking.k8s.io
  names:
  - networkpolicy
  - netpol
  namespaced: true
  resource: networkpolicies
  version: v1
- group: networking.k8s.io
  names:
  - servicecidr
  namespaced: false
  resource: servicecidrs
  version: v1
- group: policy
  names:
  - poddisruptionbudget
  - pdb
  namespaced: true
  resource: poddisruptionbudgets
  version: v1
- group: rbac.authorization.k8s.io
  names:
  - clusterrolebinding
  namespaced: false
  resource: clusterrolebindings
  version: v1
- group: rbac.authorization.k8s.io
  names:
  - clusterrole
  namespaced: false
  resource: clusterroles
  version: v1
- group: rbac.authorization.k8s.io
  names:
  - rolebinding
  namespaced: true
  resource: rolebindings
  version: v1
- group: rbac.authorization.k8s.io
  names:
  - role
  namespaced: true
  resource: roles
  version: v1
- group: storage.k8s.io
  names:
  - csidriver
  namespaced: false
  resource: csidrivers
  version: v1
- group: storage.k8s.io
  names:
  - csinode
  namespaced: false
  resource: csinodes
  version: v1
- group: storage.k8s.io
  names:
  - csistoragecapacity
  namespaced: true
  resource: csistoragecapacities
  version: v1
- group: storage.k8s.io
  names:
  - storageclass
  - sc
  namespaced: false
  resource: storageclasses
  version: v1
- group: storage.k8s.io
  names:
  - volumeattachment
  namespaced: false
  resource: volumeattachments
  version: v1
- group: storage.k8s.io
  names:
  - volumeattributesclass
  - vac
  namespaced: false
  resource: volumeattributesclasses
  version: v1
- group: admissionregistration.k8s.io
  names:
  - mutatingadmissionpolicy
  namespaced: false
  resource: mutatingadmissionpolicies
  version: v1
- group: admissionregistration.k8s.io
  names:
  - mutatingadmissionpolicybinding
  namespaced: false
  resource: mutatingadmissionpolicybindings
  version: v1
- group: admissionregistration.k8s.io
  names:
  - mutatingwebhookconfiguration
  namespaced: false
  resource: mutatingwebhookconfigurations
  version: v1
- group: admissionregistration.k8s.io
  names:
  - validatingadmissionpolicy
  namespaced: false
  resource: validatingadmissionpolicies
  version: v1
- group: admissionregistration.k8s.io
  names:
  - validatingadmissionpolicybinding
  namespaced: false
  resource: validatingadmissionpolicybindings
  version: v1
- group: admissionregistration.k8s.io
  names:
  - validatingwebhookconfiguration
  namespaced: false
  resource: validatingwebhookconfigurations
  version: v1
- group: apiextensions.k8s.io
  names:
  - customresourcedefinition
  - crd
  - crds
  namespaced: false
  resource: customresourcedefinitions
  version: v1
- group: scheduling.k8s.io
  names:
  - priorityclass
  - pc
  namespaced: false
  resource: priorityclasses
  version: v1
- group: coordination.k8s.io
  names:
  - lease
  namespaced: true
  resource: leases
  version: v1
- group: node.k8s.io
  names:
  - runtimeclass
  namespaced: false
  resource: runtimeclasses
  version: v1
- group: discovery.k8s.io
  names:
  - endpointslice
  namespaced: true
  resource: endpointslices
  version: v1
- group: flowcontrol.apiserver.k8s.io
  names:
  - flowschema
  namespaced: false
  resource: flowschemas
  version: v1
- group: flowcontrol.apiserver.k8s.io
  names:
  - prioritylevelconfiguration
  namespaced: false
  resource: prioritylevelconfigurations
  version: v1
- group: resource.k8s.io
  names:
  - deviceclass
  namespaced: false
  resource: deviceclasses
  version: v1
- group: resource.k8s.io
  names:
  - resourceclaim
  namespaced: true
  resource: resourceclaims
  version: v1
- group: resource.k8s.io
  names:
  - resourceclaimtemplate
  namespaced: true
  resource: resourceclaimtemplates
  version: v1
- group: resource.k8s.io
  names:
  - resourceslice
  namespaced: false
  resource: resourceslices
  version: v1
{{- end -}}

{{/*
kwait.pattern: a regular expression kwait's Go code reads names with, by
name: dnsLabel (a namespace, a name the chart makes), typeName (a TYPE of a
target: parts of letters, digits and '-', joined by dots), version (an API
version in a TYPE: v1, v2beta1).

  {{- if not (regexMatch (include "kwait.pattern" "dnsLabel") $namespace) -}}
*/}}
{{- define "kwait.pattern" -}}
{{- get (dict
      "dnsLabel" "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
      "typeName" "^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$"
      "version" "^v[0-9]+((alpha|beta)[0-9]+)?$") . -}}
{{- end -}}
