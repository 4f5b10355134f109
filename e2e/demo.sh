#!/usr/bin/env bash
# The demo behind `make demo`: on the local control plane, kwait holds back
# the way a chart's hook Job or init container would, while an "infra"
# release installs two operators' CRDs and Deployments a few seconds later,
# then waits for the operators, then for a database port and an HTTP health
# endpoint that come up late, and finally shows a timeout's final message.
#
# With E2E_REAL_NODE=1 (make demo sets it) the cluster has a real node
# (e2e/cluster/node.sh), and the demo ends with kwait's image as a real init
# container there, waiting for a database Service whose pod starts late.
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
if [[ ${E2E_REAL_NODE:-0} == 1 ]]; then
  "$ROOT/e2e/cluster/build.sh" node
  "$ROOT/e2e/cluster/node.sh" up # a no-op when it runs
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

[[ ${E2E_REAL_NODE:-0} == 1 ]] || exit 0
step "6. on a real node (containerd, kubelet, kube-proxy, CoreDNS): kwait's image as an init container waits for Service db, whose pod starts 3s later"
image=${KWAIT_IMAGE_ARCHIVE:-$ROOT/_output/image/kwait-linux-amd64.oci.tar}
"$ROOT/e2e/cluster/node.sh" import "$image" kwait.local/kwait:demo
node=$(kubectl get nodes -o jsonpath='{range .items[?(@.spec.taints[0].key=="kwait.dev/real-node")]}{.metadata.name}{end}')
kubectl delete namespace demo --ignore-not-found --wait >/dev/null
kubectl create namespace demo >/dev/null
# pod NAME IMAGE ARGS [INIT_ARGS]: a pod on the real node, labelled app=NAME,
# under the restricted Pod Security level's security context.
pod() {
  local sc='{runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}'
  local init=[]
  [[ -z ${4:-} ]] || init="[{name: wait-for-db, image: kwait.local/kwait:demo, imagePullPolicy: Never, args: $4, securityContext: $sc}]"
  cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: demo, labels: {app: $1}}
spec:
  nodeName: $node
  tolerations: [{key: kwait.dev/real-node, operator: Exists}]
  automountServiceAccountToken: $([[ -n ${4:-} ]] && echo true || echo false)
  terminationGracePeriodSeconds: 5
  initContainers: $init
  containers: [{name: $1, image: $2, imagePullPolicy: Never, args: $3, securityContext: $sc}]
EOF
}
show "kubectl apply: Service db (no pod yet); pod app, init container: kwait tcp://db:5432 dns://db.demo.svc.cluster.local --timeout 60s"
kubectl -n demo create service clusterip db --tcp=5432:5432 >/dev/null
# What the chart grants every wait: Events on its own pod, so describe shows what it waits for.
kubectl -n demo create role kwait-events --verb=create,patch --resource=events.events.k8s.io >/dev/null
kubectl -n demo create rolebinding kwait-events --role=kwait-events --serviceaccount=demo:default >/dev/null
pod app kwait.local/pause:1 '[]' '[tcp://db:5432, dns://db.demo.svc.cluster.local, --timeout, 60s]' | kubectl apply -f -
kubectl -n demo wait pod/app --for=jsonpath='{.status.initContainerStatuses[0].started}'=true --timeout=60s >/dev/null
show "kubectl -n demo get pod app; kubectl -n demo describe pod app (its Events)"
kubectl -n demo get pod app
for _ in $(seq 50); do # the first reason's Event, within 10s
  kubectl -n demo get events.events.k8s.io --field-selector reason=Pending -o name | grep -q . && break
  sleep 0.2
done
kubectl -n demo describe pod app | sed -n '/^Events:/,$p'
sleep 3 # the database arrives late, on purpose
show "kubectl apply: pod db (listens on :5432)"
pod db kwait.local/listen:1 '[":5432"]' | kubectl apply -f -
kubectl -n demo wait pod/app --for=condition=Ready --timeout=60s >/dev/null
show "kubectl -n demo get pod app; kubectl -n demo logs app -c wait-for-db"
kubectl -n demo get pod app
kubectl -n demo logs app -c wait-for-db
kubectl delete namespace demo --wait=false >/dev/null
