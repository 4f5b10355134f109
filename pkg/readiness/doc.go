// Package readiness decides whether one Kubernetes object is ready, as pure
// functions from the object to a target.Status: Ready, Pending with a short
// human reason, or Failed when the object can never become ready on its own.
//
// Nothing here talks to the API server. Callers fetch or watch objects and
// feed every new version to these functions; the doc comment of each
// function lists its decision rules in the order they are applied, and the
// first rule that matches gives the verdict.
//
// The typed functions (CRD, Deployment, StatefulSet, DaemonSet, Job, Pods,
// EndpointSlices) follow `kubectl rollout status` where it has an answer and
// are stricter where it is not: kwait runs before other software starts, so
// when in doubt it keeps waiting rather than declaring something ready.
// WebhookConfiguration and APIService read the few fields kwait needs into
// structs of their own, not the API's packages, to keep the binary small.
// Rule covers every other kind through the kubectl-style --for forms. What
// the ready rule means for each built-in type is a Meaning, one per row of
// package apitype's table, built from the rules here (PersistentVolumeClaim,
// ReplicaSet, PodDisruptionBudget, Pod, ...); Current is the ready rule for
// the types outside that table: kstatus's "Current", closed where kstatus
// is open (a custom resource whose type has a status subresource is not
// ready before it has a status). A Rule used with --fail-for says when a
// target failed for good (Holds).
package readiness
