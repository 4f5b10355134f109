{{/*
kwait.manifests: objects a chart cannot create as templates, because their
kinds are not served when Helm maps the release (custom resources of an
operator the same release installs), applied by kwait once they can be, and
deleted by kwait before the release's other objects go. Renders:

  ConfigMap NAME-manifests   an ordinary object of the release, one data key
                             per object (NN-KIND-NAME.yaml): created before
                             the post-install hooks, updated before the
                             post-upgrade ones, deleted after the pre-delete
                             ones
  hook Job NAME-apply        post-install,post-upgrade,post-rollback:
                             kwait apply -f /etc/kwait/manifests [--for RULE]
                             [--field-manager M] [--force-conflicts]
                             --timeout T, which waits until each object's
                             type is served and admission accepts it, then
                             applies it server-side (and waits for RULE)
  hook Job NAME-delete       pre-delete: kwait delete -f /etc/kwait/manifests
                             --timeout T, which deletes each object and waits
                             until it is gone, its finalizers run by its
                             still-running operator

each Job with the ConfigMap mounted read-only at /etc/kwait/manifests and
its own ServiceAccount and RBAC (kwait.rbacObjects) as hooks of its events,
every rule naming exactly the objects (resourceNames): create and patch for
the apply Job (the apiserver authorizes an apply as a patch of the named
object, and one that creates it also as a create with its name), and, with
for, get, list and watch, as kwait then watches each object by name; delete,
get, list and watch for the delete Job. No CRD reads: kwait resolves the
types, and whether one has a status subresource, through discovery. Deleted
by their hook delete policy, so nothing is left after `helm uninstall`.

An object removed from the list is not deleted on upgrade: the ConfigMap no
longer names it (delete it by hand, or keep it in the list until then).

A Secret fails the render: the ConfigMap would show its data to anyone who
may read ConfigMaps. A Secret's kind is always served, so it belongs in the
chart's templates, where custom resources refer to it by name. Credentials
inside a custom resource's own fields cannot be told apart from other data:
keep them out of manifests the same way.

Input: the call, with kwait.manifestsKeys: context; manifests, a list of
(dict "manifest" OBJECT-OR-YAML "resource" "PLURAL.GROUP"), resource
required for a kind that is not built in, metadata.name required, no
namespace meaning the Jobs' namespace; for (a rule: ready,
condition=TYPE[=STATUS], jsonpath=EXPR[=VALUE]); fieldManager;
forceConflicts (true: take fields other managers own); clusterScoped; name
(default RELEASE-kwait: the Jobs are NAME-apply and NAME-delete); and the
hook Job's settings (timeout, image, resources, weight, deletePolicy,
backoffLimit, placement, security contexts). With enabled false it renders
nothing.

  {{ include "kwait.manifests" (dict "context" $ "for" "ready" "manifests" (list
        (dict "resource" "backstages.rhdh.redhat.com" "manifest" (include "mychart.backstage" .)))) }}
*/}}
{{- define "kwait.manifests" -}}
{{- $apply := include "kwait.settings" (merge (dict "_manifests" "apply") (omit . "_manifests")) | fromYaml -}}
{{- $delete := include "kwait.settings" (merge (dict "_manifests" "delete") (omit . "_manifests")) | fromYaml -}}
{{- if $apply.enabled }}
{{- $data := dict -}}
{{- range $apply.objects }}{{ $_ := set $data .key .text }}{{ end }}
---
apiVersion: v1
kind: ConfigMap
{{ include "kwait.metadata" (dict "s" $apply "class" "configMap" "name" $apply.configMap "namespace" $apply.namespace) }}
data:
  {{- toYaml $data | nindent 2 }}
{{ include "kwait.hookJobObjects" $apply }}
{{ include "kwait.hookJobObjects" $delete }}
{{- end }}
{{- end -}}

{{/*
kwait.manifestObjects: the objects of a kwait.manifests call, checked as
kwait apply checks them (apiVersion, kind, metadata.name; one object per
item; no object twice), each with the resource it is applied to (see
kwait.probe) and its ConfigMap key and text.

Input: dict with items (the call's manifests), types (the table) and
clusterScoped. Output: YAML {objects: [{key, text, kind, name, namespace,
group, resource, namespaced}]}, where namespace is the one the object
names ("" for the Jobs' own).

  {{- $objects := (include "kwait.manifestObjects" (dict "items" $call.manifests "types" $table.types "clusterScoped" $clusterScoped) | fromYaml).objects -}}
*/}}
{{- define "kwait.manifestObjects" -}}
{{- $items := .items -}}
{{- if not (and (kindIs "slice" $items) $items) -}}
{{- fail "kwait: manifests must be a non-empty list of objects, each (dict \"manifest\" OBJECT-OR-YAML \"resource\" \"PLURAL.GROUP\")" -}}
{{- end -}}
{{- $objects := list -}}
{{- $seen := dict -}}
{{- range $i, $item := $items -}}
{{- $what := printf "manifest %d" (add1 $i) -}}
{{- $read := dict "what" $what "unit" "item" "item" $item -}}
{{- include "kwait.manifestItem" $read -}}
{{- $object := $read.object -}}
{{- $probe := include "kwait.probe" (dict "target" $what "object" $object "types" $.types "clusterScoped" $.clusterScoped "resource" ($item.resource | default "")) | fromYaml -}}
{{- $name := toString ($object.metadata.name | default "") -}}
{{- include "kwait.checkManifestObject" (dict "what" $what "object" $object "probe" $probe "name" $name) -}}
{{- $id := printf "%s.%s/%s/%s" $probe.resource $probe.group $probe.namespace $name -}}
{{- if hasKey $seen $id -}}
{{- fail (printf "kwait: %s: %s %s is given twice (also %s)" $what $object.kind $name (get $seen $id)) -}}
{{- end -}}
{{- $_ := set $seen $id $what -}}
{{- $objects = append $objects (dict
      "key" (printf "%02d-%s-%s.yaml" (add1 $i) (lower $object.kind) $name)
      "text" (printf "%s\n" $read.text)
      "kind" $object.kind
      "name" $name
      "namespace" $probe.namespace
      "group" $probe.group
      "resource" $probe.resource
      "namespaced" $probe.namespaced) -}}
{{- end -}}
{{- dict "objects" $objects | toYaml -}}
{{- end -}}

{{/*
kwait.manifestItem: one item of a call's manifests or admission list,
checked: a dict with manifest (an object, or the YAML of one object) and
optionally resource. Sets object (the object) and text (its YAML, trimmed)
in the input dict.

Input: dict with what (the item, for messages), unit ("item" or "probe",
for messages) and item.

  {{- $read := dict "what" $what "unit" "probe" "item" $item -}}
  {{- include "kwait.manifestItem" $read -}}
*/}}
{{- define "kwait.manifestItem" -}}
{{- $what := .what -}}
{{- $item := .item -}}
{{- if not (kindIs "map" $item) -}}
{{- fail (printf "kwait: %s: want (dict \"manifest\" OBJECT-OR-YAML \"resource\" \"PLURAL.GROUP\"), not %v" $what $item) -}}
{{- end -}}
{{- range $key := keys $item | sortAlpha -}}
{{- if not (has $key (list "manifest" "resource")) -}}
{{- fail (printf "kwait: %s: unknown key %q; accepted keys: manifest, resource" $what $key) -}}
{{- end -}}
{{- end -}}
{{- $object := $item.manifest -}}
{{- $text := "" -}}
{{- if kindIs "string" $object -}}
{{- $text = trimPrefix "---" (trim $object) | trim -}}
{{- if regexMatch "(?m)^---" $text -}}
{{- fail (printf "kwait: %s: one object per %s; give each its own" $what .unit) -}}
{{- end -}}
{{- $object = fromYaml $text -}}
{{- if hasKey $object "Error" -}}
{{- fail (printf "kwait: %s: manifest: %s" $what $object.Error) -}}
{{- end -}}
{{- else -}}
{{- $text = toYaml $object | trim -}}
{{- end -}}
{{- $_ := set . "object" $object -}}
{{- $_ := set . "text" $text -}}
{{- end -}}

{{/*
kwait.checkManifestObject: fails the render for an object kwait.manifests
cannot carry: a Secret (it would sit in a ConfigMap), an object without a
valid metadata.name, a namespace that is not a DNS label, a namespace on a
cluster-scoped type.

  {{- include "kwait.checkManifestObject" (dict "what" $what "object" $object "probe" $probe "name" $name) -}}
*/}}
{{- define "kwait.checkManifestObject" -}}
{{- $what := .what -}}
{{- $probe := .probe -}}
{{- $name := .name -}}
{{- if and (eq $probe.group "") (eq $probe.resource "secrets") -}}
{{- fail (printf "kwait: %s: Secret %s would be stored in a ConfigMap, which anyone allowed to read ConfigMaps (the built-in view role) can read: make it an ordinary template of the chart (Secrets are always served), and let the custom resource refer to it by name" $what ($name | default "without a name")) -}}
{{- end -}}
{{- if not $name -}}
{{- fail (printf "kwait: %s: %s has no metadata.name: kwait applies and deletes objects by name" $what .object.kind) -}}
{{- end -}}
{{- if not (and (regexMatch "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" $name) (le (len $name) 253)) -}}
{{- fail (printf "kwait: %s: name %q is not a valid object name" $what $name) -}}
{{- end -}}
{{- if and $probe.namespace (not (regexMatch (include "kwait.pattern" "dnsLabel") $probe.namespace)) -}}
{{- fail (printf "kwait: %s: namespace %q is not a DNS label" $what $probe.namespace) -}}
{{- end -}}
{{- if and $probe.namespace (not $probe.namespaced) -}}
{{- fail (printf "kwait: %s: %s is cluster-scoped: give it no metadata.namespace" $what .object.kind) -}}
{{- end -}}
{{- end -}}

{{/*
kwait.manifestsArgs: the kwait command of a kwait.manifests Job, before
--timeout, with the call's for, fieldManager and forceConflicts checked
(for the delete Job too, so both renders refuse the same call).

Input: dict with call and mode (apply or delete). Output: YAML {args, for}.
A for or fieldManager of null or "" is unset.

  {{- $cmd := include "kwait.manifestsArgs" (dict "call" $call "mode" "apply") | fromYaml -}}
*/}}
{{- define "kwait.manifestsArgs" -}}
{{- $c := .call -}}
{{- $args := list .mode "-f" "/etc/kwait/manifests" -}}
{{- $for := ternary $c.for "" (hasKey $c "for") | default "" -}}
{{- if not (kindIs "string" $for) -}}
{{- fail (printf "kwait: for must be a rule such as ready or condition=Ready, not %v" $for) -}}
{{- end -}}
{{- $for = trim $for -}}
{{- if has (lower $for) (list "delete" "create") -}}
{{- fail (printf "kwait: for %q: the apply Job waits for the applied objects (ready, condition=TYPE[=STATUS], jsonpath=EXPR[=VALUE]); the delete Job already waits until they are gone" $for) -}}
{{- end -}}
{{- if and $for (not (regexMatch "^(?i)(ready|condition=[^=[:space:]]+(=[^=[:space:]]+)?|jsonpath=.+)$" $for)) -}}
{{- fail (printf "kwait: for %q is not ready, condition=TYPE[=STATUS] or jsonpath=EXPR[=VALUE]" $for) -}}
{{- end -}}
{{- $manager := ternary $c.fieldManager "" (hasKey $c "fieldManager") | default "" -}}
{{- if not (and (kindIs "string" $manager) (le (len $manager) 128) (not (regexMatch "[[:space:][:cntrl:]]" $manager))) -}}
{{- fail (printf "kwait: fieldManager %v is not a name of at most 128 characters without spaces" $manager) -}}
{{- end -}}
{{- $force := ternary $c.forceConflicts false (hasKey $c "forceConflicts") -}}
{{- if not (kindIs "bool" $force) -}}
{{- fail (printf "kwait: forceConflicts must be true or false, not %v" $force) -}}
{{- end -}}
{{- if eq .mode "apply" -}}
{{- with $for }}{{ $args = concat $args (list "--for" .) }}{{ end -}}
{{- with $manager }}{{ $args = concat $args (list "--field-manager" .) }}{{ end -}}
{{- if $force }}{{ $args = append $args "--force-conflicts" }}{{ end -}}
{{- end -}}
{{- dict "args" $args "for" $for | toYaml -}}
{{- end -}}
