#!/usr/bin/env bash
# smoke-test.sh: checks that a cluster started by cluster.sh behaves like the
# e2e tests expect: workloads become ready under kwok, Jobs complete, Services
# get ready EndpointSlices, CRDs get Established, tokens and RBAC work, the
# audit log records requests. Run after `cluster.sh up`; cleans up after
# itself. Prints one PASS/FAIL line per check and a closing count.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
eval "$("$HERE/cluster.sh" env)"
K=$E2E_KUBECTL
NS=kwait-smoke-$$
WAIT=60s
PASSED=0 FAILED=0

kc() { "$K" --kubeconfig "$E2E_ADMIN_KUBECONFIG" -n "$NS" "$@"; }

# check NAME CMD...: run CMD, record and print the outcome.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    PASSED=$((PASSED + 1))
    printf 'PASS %s\n' "$name"
  else
    FAILED=$((FAILED + 1))
    printf 'FAIL %s\n%s\n' "$name" "${out//$'\n'/$'\n'    }"
  fi
}

# poll SECONDS CMD...: retry CMD until it succeeds or SECONDS pass.
poll() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

cleanup() { "$K" --kubeconfig "$E2E_ADMIN_KUBECONFIG" delete namespace "$NS" --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT

"$K" --kubeconfig "$E2E_ADMIN_KUBECONFIG" create namespace "$NS" >/dev/null

deployment_available() {
  kc create deployment web --image=fake --replicas=3 --port=80 &&
    kc wait --for=condition=Available deployment/web --timeout=$WAIT &&
    [[ $(kc get deployment web -o jsonpath='{.status.readyReplicas}') == 3 ]]
}
check "Deployment with 3 replicas becomes Available" deployment_available

job_completes() {
  kc create job once --image=fake -- /bin/true &&
    kc wait --for=condition=Complete job/once --timeout=$WAIT
}
check "Job completes" job_completes

ready_endpoints() {
  [[ $(kc get endpointslices -l kubernetes.io/service-name=web \
    -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}x{end}') == xxx ]]
}
service_endpoints() {
  kc expose deployment web --port=80 && poll 60 ready_endpoints
}
check "Service gets an EndpointSlice with 3 ready endpoints" service_endpoints

statefulset_ready() {
  kc apply -f - <<'EOF' && kc rollout status statefulset/db --timeout=$WAIT
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: fake}]}
EOF
}
check "StatefulSet rolls out" statefulset_ready

daemonset_ready() {
  kc apply -f - <<'EOF' && kc rollout status daemonset/agent --timeout=$WAIT
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: fake}]}
EOF
}
check "DaemonSet rolls out on the kwok node" daemonset_ready

crd_established() {
  kc apply -f - <<EOF && kc wait --for=condition=Established crd/widgets$$.smoke.kwait.dev --timeout=$WAIT
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets$$.smoke.kwait.dev}
spec:
  group: smoke.kwait.dev
  scope: Namespaced
  names: {plural: widgets$$, singular: widget$$, kind: Widget$$}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
EOF
}
check "CRD becomes Established" crd_established
"$K" --kubeconfig "$E2E_ADMIN_KUBECONFIG" delete crd "widgets$$.smoke.kwait.dev" --wait=false >/dev/null 2>&1 || true

TOKEN= # the robot ServiceAccount's token, minted below
can_list_pods() { [[ $(kc --token "$TOKEN" auth can-i list pods || true) == "$1" ]]; }
sa_token_rbac() {
  kc create serviceaccount robot >/dev/null
  TOKEN=$(kc create token robot --duration=10m)
  [[ $(kc --token "$TOKEN" auth whoami -o jsonpath='{.status.userInfo.username}') == "system:serviceaccount:$NS:robot" ]] || return 1
  can_list_pods no || return 1 # no binding yet
  kc create rolebinding robot-view --clusterrole=view --serviceaccount="$NS:robot" >/dev/null
  # RBAC changes reach the authorizer through an informer: poll briefly.
  poll 10 can_list_pods yes &&
    [[ $(kc --token "$TOKEN" auth can-i delete pods || true) == no ]]
}
check "ServiceAccount token authenticates and follows RBAC" sa_token_rbac

unprivileged_denied() {
  local out
  [[ $("$K" --kubeconfig "$E2E_UNPRIVILEGED_KUBECONFIG" auth whoami -o jsonpath='{.status.userInfo.username}') == unprivileged ]] || return 1
  ! out=$("$K" --kubeconfig "$E2E_UNPRIVILEGED_KUBECONFIG" -n "$NS" get pods 2>&1) &&
    grep -q Forbidden <<<"$out"
}
check "unprivileged user is denied listing pods" unprivileged_denied

audit_has_user_agents() {
  # The unprivileged request just above must be there, with its userAgent.
  poll 10 grep -q '"username":"unprivileged"' "$AUDIT_LOG" &&
    jq -e -s 'map(select(.user.username == "unprivileged" and (.userAgent | startswith("kubectl/")))) | length > 0' \
      "$AUDIT_LOG" >/dev/null
}
check "audit log records requests with user and userAgent" audit_has_user_agents

namespace_deleted() {
  "$K" --kubeconfig "$E2E_ADMIN_KUBECONFIG" delete namespace "$NS" --timeout=$WAIT
}
check "namespace deletion completes (namespace controller, GC, kwok pod-delete)" namespace_deleted

echo "smoke: $PASSED passed, $FAILED failed"
((FAILED == 0))
