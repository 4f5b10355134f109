#!/usr/bin/env bash
# The demo behind `make demo`: on the local control plane, kwait holds back
# the way a chart's hook Job or init container would, while an "infra"
# release installs two operators' CRDs and Deployments a few seconds later,
# then waits for the operators, then for a database port and an HTTP health
# endpoint that come up late, and finally shows a timeout's final message.
#
# A cluster that is already up is reused and left running; otherwise the
# demo starts one and stops it at the end (KEEP_CLUSTER=1 keeps it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER=$ROOT/e2e/cluster/cluster.sh
KWAIT=${KWAIT_BIN:-$ROOT/_output/bin/kwait}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ ${started:-0} == 1 && ${KEEP_CLUSTER:-0} != 1 ]]; then
    step "stopping the control plane (KEEP_CLUSTER=1 keeps it)"
    "$CLUSTER" down
  fi
}
trap cleanup EXIT

started=0
if ! "$CLUSTER" status >/dev/null 2>&1; then
  step "starting a local control plane: etcd, kube-apiserver, controller-manager, scheduler, kwok"
  started=1
  "$CLUSTER" up
fi
eval "$("$CLUSTER" env)"
export KUBECONFIG=$E2E_ADMIN_KUBECONFIG KWAIT_LOG_FORMAT=console KWAIT_STATUS_INTERVAL=2s
kubectl() { "$E2E_KUBECTL" "$@"; }
kubectl delete -f "$ROOT/e2e/testdata/infra.yaml" --ignore-not-found --wait >/dev/null

step "1. a post-install hook waits for the operators' CRDs; the infra release applies them 3s later"
show "kwait crd tenants.minio.min.io clusters.postgresql.cnpg.io --timeout 60s"
"$KWAIT" crd tenants.minio.min.io clusters.postgresql.cnpg.io --timeout 60s &
waiter=$!
sleep 3 # the infra release arrives late, on purpose
show "kubectl apply -f e2e/testdata/infra.yaml"
kubectl apply -f "$ROOT/e2e/testdata/infra.yaml"
wait "$waiter"
echo "exit code $?"

step "2. then for the operators to finish rolling out"
show "kwait deployment cnpg-system/cnpg-controller-manager minio-operator/minio-operator --timeout 60s"
"$KWAIT" deployment cnpg-system/cnpg-controller-manager minio-operator/minio-operator --timeout 60s
echo "exit code $?"

step "3. an app's init container waits for its database port and an HTTP health URL that come up 3s late"
go build -o "$ROOT/_output/bin/demoserver" "$ROOT/e2e/demoserver"
"$ROOT/_output/bin/demoserver" --tcp 127.0.0.1:25432 --http 127.0.0.1:25080 --delay 3s --lifetime 2m &
pids+=($!)
show "kwait tcp 127.0.0.1:25432 && kwait http http://127.0.0.1:25080/health --status 200"
"$KWAIT" tcp 127.0.0.1:25432 --timeout 30s
"$KWAIT" http http://127.0.0.1:25080/health --status 200 --timeout 30s
echo "exit code $?"

step "4. or everything in one call, kinds and namespaces mixed, under one deadline"
show "kwait crd/tenants.minio.min.io deployment/cnpg-system/cnpg-controller-manager tcp://127.0.0.1:25432 http://127.0.0.1:25080/health --timeout 30s"
"$KWAIT" crd/tenants.minio.min.io deployment/cnpg-system/cnpg-controller-manager \
  tcp://127.0.0.1:25432 http://127.0.0.1:25080/health --timeout 30s
echo "exit code $?"

step "5. and what a timeout says: every target still pending, with its last reason"
show "kwait deployment/default/not-deployed tcp://127.0.0.1:25999 crd/tenants.minio.min.io --timeout 3s"
code=0
"$KWAIT" deployment/default/not-deployed tcp://127.0.0.1:25999 crd/tenants.minio.min.io --timeout 3s || code=$?
echo "exit code $code (124: timed out)"
[[ $code == 124 ]]
