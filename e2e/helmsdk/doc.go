// Package helmsdk tests kwait's chart through the Helm SDK the way GitOps
// controllers drive it, not through the helm CLI. Flux's helm-controller
// builds its action.Configuration with action.NewConfiguration and never
// calls Init(), which is where the CLI sets HookOutputFunc; a hook that
// asks Helm for its logs (helm.sh/hook-output-log-policy) then makes the
// SDK call a nil function when it fails (fluxcd/helm-controller#1562).
// helm-controller itself is not served by the Go module proxy, so the tests
// build that configuration here, with the Helm SDK version of the helm4
// binary (e2e/cluster/versions.sh), against the e2e control plane.
//
// A module of its own (GOWORK=off), so the Helm SDK and its Kubernetes
// client versions never enter kwait's build list. e2e/run.sh runs it.
package helmsdk
