#!/usr/bin/env bash
# node.sh: the real node of kwait's local e2e cluster (opt-in: E2E_REAL_NODE=1,
# then `cluster.sh up` runs `node.sh up` and `cluster.sh down` runs `node.sh down`).
#
# containerd + runc + kubelet + kube-proxy, a CNI bridge pod network and
# CoreDNS as a pod, so that pods run for real: kwait's image as an init
# container, Services by ClusterIP and by name. Everything of the node lives in
# namespaces of its own, so the host is left as found:
#   - a network namespace: the pod bridge, kube-proxy's and the CNI plugin's
#     iptables rules, ip_forward. It has one veth to the host (NODE_IP <->
#     HOST_IP on a /30) and no default route: nothing leaves the machine.
#     Pods get addresses in the upper half of the node's 10.250.INDEX.0/24;
#     the host routes that half through the veth (the route goes with it), so
#     the apiserver reaches a webhook's pod behind a Service
#     (--enable-aggregator-routing: it calls an endpoint's pod IP).
#   - a mount namespace: container root file systems, pod volumes and pod
#     network namespaces are mounted there only, over a tmpfs /run, /var/log
#     and /var/lib; the kernel sysctls the kubelet insists on (kernel.panic,
#     vm.overcommit_memory, ...) are files bind-mounted over /proc/sys there,
#     so the host's values never change.
#   - a cgroup subtree /kwait-node-N in every hierarchy: containerd, the
#     kubelet, the shims and every container, so `down` finds and ends them all.
# The kubelet and kube-proxy reach the apiserver (127.0.0.1 only) through a
# socat forwarder on HOST_IP; so do pods, through the `kubernetes` Service,
# whose EndpointSlice node.sh points at HOST_IP. The node is registered under
# its IP address and the apiserver prefers InternalIP, so nothing ever looks a
# node name up in the machine's resolver.
#
# Usage: node.sh up|down|status|import ARCHIVE [NAME]|nsexec CMD...
#   up      build images, start the node, wait until it is Ready and CoreDNS
#           answers. A no-op when already up.
#   down    delete the node, end every process, leave no mount, device,
#           iptables rule, cgroup or node object. Idempotent.
#   import  import an OCI archive into the node's containerd, under its
#           io.containerd.image.name or NAME (kwait's image: `make image`).
#   nsexec  run a command in the node's network and mount namespaces.
#
# Env: as cluster.sh, plus E2E_NODE_NET_INDEX (1-250; default from the
# apiserver port): the node's link is 10.250.INDEX.0/30, its veth kwn-INDEX,
# its pods' addresses 10.250.INDEX.128/25.
set -euo pipefail

NODE_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cluster.sh
source "$NODE_HERE/cluster.sh"
log() { printf 'node.sh: %s\n' "$*" >&2; }

# Default: apart for clusters whose apiserver ports differ by 1 or by 1000.
NET_INDEX=${E2E_NODE_NET_INDEX:-$(((APISERVER_PORT + 7 * (APISERVER_PORT / 1000)) % 250 + 1))}
if ! [[ $NET_INDEX =~ ^[0-9]+$ ]] || ((NET_INDEX < 1 || NET_INDEX > 250)); then
  die "E2E_NODE_NET_INDEX=$NET_INDEX is not in 1-250"
fi
HOST_IP=10.250.$NET_INDEX.1
NODE_IP=10.250.$NET_INDEX.2
VETH=kwn-$NET_INDEX
REAL_NODE=$NODE_IP # registered by IP: see the header
CGROUP=kwait-node-$NET_INDEX
NODE_POD_CIDR=10.250.$NET_INDEX.128/25
DNS_IP=10.0.0.10
TAINT=kwait.dev/real-node
NODE=$STATE/node
NRUN=$NODE/run # removed by down
IMAGES=$NODE/images
SOCK=$NRUN/containerd.sock
# Images the node runs besides kwait's: built here, imported at up.
PAUSE_IMAGE=kwait.local/pause:1
COREDNS_IMAGE=kwait.local/coredns:${COREDNS_VERSION#v}
LISTEN_IMAGE=kwait.local/listen:1
WEBHOOK_IMAGE=kwait.local/webhook:1
NODE_COMPONENTS=(node-holder node-apiproxy containerd kubelet kube-proxy)

# The sysctls the kubelet sets unless they already hold its values
# (pkg/kubelet/cm/container_manager_linux.go setupKernelTunables).
KUBELET_SYSCTLS=(vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1
  kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000)

holder() { running node-holder; }

# nsexec CMD...: run CMD in the node's network and mount namespaces.
nsexec() {
  local pid
  pid=$(holder) || die "the node is not running"
  nsenter -t "$pid" -m -n -- "$@"
}

# cgroup_dirs: the node's cgroup in every v1 hierarchy (cgroup2: the one).
cgroup_dirs() {
  local h
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [[ -f $h/cgroup.procs ]] || continue
    [[ $h == /sys/fs/cgroup/ && -d /sys/fs/cgroup/memory ]] && continue # v1: tmpfs root
    echo "${h%/}/$CGROUP"
  done
}

make_cgroups() {
  local d parent
  for d in $(cgroup_dirs); do
    mkdir -p "$d/system"
    # cpuset: a new cgroup has no CPUs or memory nodes until given its parent's.
    if [[ -f $d/cpuset.cpus ]]; then
      parent=$(dirname "$d")
      cat "$parent/cpuset.cpus" >"$d/cpuset.cpus"
      cat "$parent/cpuset.mems" >"$d/cpuset.mems"
      cat "$d/cpuset.cpus" >"$d/system/cpuset.cpus"
      cat "$d/cpuset.mems" >"$d/system/cpuset.mems"
    fi
  done
}

# cgroup_pids: every process in the node's cgroups.
cgroup_pids() {
  local d
  for d in $(cgroup_dirs); do
    [[ -d $d ]] && find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -un
}

# spawn_node NAME CMD...: like cluster.sh's spawn, for a command run in the
# node's cgroup (and, for all but the holder and forwarder, its namespaces).
spawn_node() {
  local name=$1 logf=$LOGS/$1.log pid start
  shift
  printf '=== %s node.sh starting %s\n' "$(date -u +%FT%TZ)" "$name" >>"$logf"
  setsid "$NODE_HERE/node.sh" enter-cgroup "$@" </dev/null >>"$logf" 2>&1 8>&- &
  pid=$!
  start=$(start_time "$pid") || start=0
  echo "$pid $start" >"$(pid_file "$name")"
  STARTED+=("$name")
  await_exec "$pid" || die "$name (pid $pid) was not exec'd within 10s"
  log "started $name (pid $pid, log $logf)"
}

# enter_cgroup CMD...: (internal) move this process into the node's cgroups, then exec CMD.
enter_cgroup() {
  local d
  for d in $(cgroup_dirs); do echo $$ >"$d/system/cgroup.procs"; done
  exec "$@"
}

# client_cert NAME CN ORG: a client certificate signed by the cluster CA.
client_cert() {
  local name=$1 cn=$2 org=$3
  [[ -f $NODE/pki/$name.crt && -f $NODE/pki/$name.key ]] &&
    openssl x509 -in "$NODE/pki/$name.crt" -noout -subject | grep -qF "CN = $cn" && return 0
  mkdir -p "$NODE/pki"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$NODE/pki/$name.key" -out "$NODE/pki/$name.csr" \
    -subj "/O=$org/CN=$cn" 2>/dev/null
  openssl x509 -req -in "$NODE/pki/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -CAcreateserial -CAserial "$PKI/ca.srl" -sha256 -days 3650 -out "$NODE/pki/$name.crt" \
    -extfile <(printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
      'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=clientAuth') 2>/dev/null
  rm -f "$NODE/pki/$name.csr"
  chmod 600 "$NODE/pki/$name.key"
}

# node_kubeconfig FILE NAME: a kubeconfig through the forwarder. The
# apiserver's certificate names `kubernetes`, not HOST_IP.
node_kubeconfig() {
  write_atomic "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $CLUSTER_NAME
  cluster:
    server: https://$HOST_IP:$APISERVER_PORT
    tls-server-name: kubernetes
    certificate-authority: $STATE/ca.crt
users:
- name: $2
  user:
    client-certificate: $NODE/pki/$2.crt
    client-key: $NODE/pki/$2.key
contexts:
- name: $2
  context: {cluster: $CLUSTER_NAME, user: $2}
current-context: $2
EOF
}

write_configs() {
  local conf=$NODE/conf
  mkdir -p "$conf" "$conf/cni" "$NODE/containerd" "$NRUN" "$NODE/kubelet" "$NODE/pod-logs"
  client_cert kubelet "system:node:$REAL_NODE" system:nodes
  client_cert kube-proxy system:kube-proxy system:node-proxier
  node_kubeconfig "$conf/kubelet.kubeconfig" kubelet
  node_kubeconfig "$conf/kube-proxy.kubeconfig" kube-proxy
  # restrict_oom_score_adj: root here may not lower oom_score_adj.
  # netns_mounts_under_state_dir: pod network namespaces under NRUN, not /run/netns.
  # NRI would listen on /var/run/nri; it is not needed.
  write_atomic "$conf/containerd.toml" <<EOF
version = 3
root = "$NODE/containerd"
state = "$NRUN/containerd"
disabled_plugins = ["io.containerd.nri.v1.nri"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins.'io.containerd.internal.v1.opt']
  path = "$NODE/opt"
[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = "$PAUSE_IMAGE"
[plugins.'io.containerd.cri.v1.runtime']
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  cdi_spec_dirs = []
[plugins.'io.containerd.cri.v1.runtime'.cni]
  bin_dirs = ["/usr/lib/cni"]
  conf_dir = "$conf/cni"
[plugins.'io.containerd.cri.v1.runtime'.containerd]
  default_runtime_name = "runc"
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  BinaryName = "$(command -v runc)"
  SystemdCgroup = false
EOF
  # ipMasq: pods reach HOST_IP (the apiserver forwarder) as NODE_IP, the only
  # address the host knows a route back to. The node has no default route.
  write_atomic "$conf/cni/10-kwait.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "kwait-pods",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$NRUN/ipam", "ranges": [[{"subnet": "$NODE_POD_CIDR"}]],
              "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "loopback"}
  ]
}
EOF
  write_atomic "$conf/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
# The apiserver reaches the kubelet (logs, exec) without a client
# certificate; the port is reachable from this machine only.
authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: unix://$SOCK
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: ""
podLogsDirectory: $NODE/pod-logs
registerWithTaints: [{key: $TAINT, effect: NoSchedule}]
evictionHard: {memory.available: 50Mi, nodefs.available: 1%, imagefs.available: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
maxPods: 50
EOF
  write_atomic "$conf/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $conf/kube-proxy.kubeconfig}
mode: iptables
hostnameOverride: $REAL_NODE
clusterCIDR: $NODE_POD_CIDR
nodePortAddresses: [primary]
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# No conntrack sysctl is touched (some are global), nor route_localnet.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
# A pod reaching a Service backed by a pod on the same bridge needs its
# reply to come back through the node's tables: masquerade everything.
iptables: {masqueradeAll: true, localhostNodePorts: false}
EOF
}

# ---------------------------------------------------------------------------
# Images

# build_images: the pause, CoreDNS, listen and webhook images as OCI archives in
# IMAGES, rebuilt only when their binaries changed.
build_images() {
  local src=$NODE/src
  mkdir -p "$IMAGES" "$src"
  (cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$src/" ./e2e/cluster/images/pause ./e2e/cluster/images/listen \
    ./e2e/cluster/images/webhook)
  image_of pause "$PAUSE_IMAGE" 65535:65535 /pause "/pause=$src/pause"
  image_of listen "$LISTEN_IMAGE" 65532:65532 /listen "/listen=$src/listen"
  image_of webhook "$WEBHOOK_IMAGE" 65532:65532 /webhook "/webhook=$src/webhook"
  image_of coredns "$COREDNS_IMAGE" 65532:65532 /coredns "/coredns=$BIN/coredns"
}

# image_of FILE NAME USER ENTRYPOINT PATH=SOURCE: one image archive.
image_of() {
  local file=$IMAGES/$1.oci.tar stamp
  stamp="$2 $3 $4 $(sha256sum "${5#*=}" | cut -c1-16)"
  [[ -f $file && -f $file.stamp && $(<"$file.stamp") == "$stamp" ]] && return 0
  (cd "$ROOT/hack/ocibuild" && GOWORK=off GOFLAGS=-mod=readonly go run ./nodeimage -out "$file" -name "$2" \
    -user "$3" -entrypoint "$4" -file "$5") >/dev/null
  echo "$stamp" >"$file.stamp"
}

# import ARCHIVE [NAME]: import an OCI archive into containerd's k8s.io
# namespace, under the archive's io.containerd.image.name, or under NAME (an
# archive tagged like kwait's, with only org.opencontainers.image.ref.name).
cmd_import() {
  local f=${1:-} name=${2:-} tag
  [[ -f $f ]] || die "import: no archive '$f'"
  [[ -S $SOCK ]] || die "the node is not running"
  if [[ -z $name ]]; then
    "$BIN/ctr" --address "$SOCK" -n k8s.io images import --platform linux/amd64 "$f" >/dev/null 2>&1 ||
      die "importing $f failed"
    return 0
  fi
  # --base-name also filters: only images whose name starts with it.
  "$BIN/ctr" --address "$SOCK" -n k8s.io images import --base-name kwait.local/import \
    --platform linux/amd64 "$f" >/dev/null 2>&1 || die "importing $f failed"
  tag=$(tar -xOf "$f" index.json | jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"] // empty')
  [[ -n $tag ]] || die "$f names no image (org.opencontainers.image.ref.name)"
  "$BIN/ctr" --address "$SOCK" -n k8s.io images tag --force "kwait.local/import:$tag" "$name" >/dev/null 2>&1 ||
    die "tagging kwait.local/import:$tag as $name failed"
}

# ---------------------------------------------------------------------------
# Cluster objects

# The `kubernetes` Service's EndpointSlice (the apiserver, with
# --endpoint-reconciler-type=none, publishes none) and CoreDNS.
apply_objects() {
  kctl apply -f - >/dev/null <<EOF
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes
  namespace: default
  labels: {kubernetes.io/service-name: kubernetes, endpointslice.kubernetes.io/managed-by: kwait-e2e-node}
addressType: IPv4
endpoints:
- addresses: [$HOST_IP]
  conditions: {ready: true}
ports:
- {name: https, port: $APISERVER_PORT, protocol: TCP}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kwait-e2e:coredns}
rules:
- {apiGroups: [""], resources: [services, namespaces, pods], verbs: [list, watch]}
- {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kwait-e2e:coredns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kwait-e2e:coredns}
subjects: [{kind: ServiceAccount, name: coredns, namespace: kube-system}]
---
# No forward plugin: a name outside cluster.local gets SERVFAIL, never a
# query to the machine's resolver.
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
    .:1053 {
        errors
        health :8080
        ready :8181
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
            ttl 5
        }
        cache 5
    }
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $DNS_IP
  selector: {k8s-app: kube-dns}
  ports:
  - {name: dns, port: 53, targetPort: 1053, protocol: UDP}
  - {name: dns-tcp, port: 53, targetPort: 1053, protocol: TCP}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      dnsPolicy: Default
      nodeSelector: {kubernetes.io/hostname: $REAL_NODE}
      tolerations: [{key: $TAINT, operator: Exists}]
      terminationGracePeriodSeconds: 5
      volumes: [{name: config, configMap: {name: coredns}}]
      containers:
      - name: coredns
        image: $COREDNS_IMAGE
        imagePullPolicy: Never
        args: [-conf, /etc/coredns/Corefile]
        volumeMounts: [{name: config, mountPath: /etc/coredns, readOnly: true}]
        ports:
        - {name: dns, containerPort: 1053, protocol: UDP}
        - {name: dns-tcp, containerPort: 1053, protocol: TCP}
        readinessProbe: {httpGet: {path: /ready, port: 8181}, periodSeconds: 1}
        livenessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 10, failureThreshold: 5}
        securityContext:
          runAsNonRoot: true
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
          seccompProfile: {type: RuntimeDefault}
EOF
}

real_node_ready() {
  [[ $(kctl get node "$REAL_NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}

coredns_ready() {
  [[ $(kctl -n kube-system get deployment coredns -o jsonpath='{.status.readyReplicas}') == 1 ]]
}

# kube_proxy_synced: the `kubernetes` Service (the one with endpoints
# before CoreDNS runs) is in kube-proxy's rules.
kube_proxy_synced() {
  nsexec iptables -t nat -S KUBE-SERVICES 2>/dev/null | grep -q -- "-d $SERVICE_IP/32"
}

# ---------------------------------------------------------------------------
# Commands

check_node_binaries() {
  local b
  for b in containerd containerd-shim-runc-v2 ctr kubelet kube-proxy coredns kubectl; do
    [[ -x $BIN/$b ]] || die "$BIN/$b missing (run e2e/cluster/build.sh node)"
  done
  for b in runc iptables socat nsenter unshare; do
    command -v "$b" >/dev/null || die "$b is not installed (hack/apt-install.sh runc iptables socat containernetworking-plugins jq)"
  done
  [[ -x /usr/lib/cni/bridge ]] || die "no CNI plugins in /usr/lib/cni (hack/apt-install.sh containernetworking-plugins)"
}

# private_mounts: in the node's mount namespace, a tmpfs over the host paths
# the node's programs write to whatever their configuration says (the
# kubelet's /var/log/containers links, the CNI result cache in /var/lib/cni,
# iptables' /run/xtables.lock), and a file over each sysctl the kubelet sets
# that the host does not already hold, so that write lands there.
private_mounts() {
  local kv key want dir
  case $STATE/ in
    /run/* | /var/run/* | /var/log/* | /var/lib/*) die "E2E_CLUSTER_DIR=$STATE: the node hides /run, /var/log and /var/lib; choose another" ;;
  esac
  for dir in /run /var/log /var/lib; do
    nsexec mount -t tmpfs -o mode=0755 tmpfs "$dir"
  done
  mkdir -p "$NRUN/sysctl"
  for kv in "${KUBELET_SYSCTLS[@]}"; do
    key=${kv%%=*} want=${kv#*=}
    [[ $(<"/proc/sys/$key") == "$want" ]] && continue
    echo "$want" >"$NRUN/sysctl/${key//\//.}"
    nsexec mount --bind "$NRUN/sysctl/${key//\//.}" "/proc/sys/$key"
  done
}

# await_namespaces: the holder has exec'd unshare, but unshare may not have
# made its namespaces yet; until it has, it is still in the host's.
await_namespaces() {
  local pid deadline=$((SECONDS + 10))
  pid=$(holder) || die "node-holder exited"
  until [[ $(readlink "/proc/$pid/exe") == */sleep &&
    $(readlink "/proc/$pid/ns/net") != "$(readlink /proc/$$/ns/net)" &&
    $(readlink "/proc/$pid/ns/mnt") != "$(readlink /proc/$$/ns/mnt)" ]]; do
    ((SECONDS < deadline)) || die "node-holder made no namespaces within 10s"
    sleep 0.01
  done
}

start_network() {
  local pid
  await_namespaces
  pid=$(holder)
  ip link show "$VETH" >/dev/null 2>&1 && die "$VETH exists: another node uses index $NET_INDEX (set E2E_NODE_NET_INDEX)"
  ip link add "$VETH" type veth peer name eth0 netns "$pid"
  ip addr add "$HOST_IP/30" dev "$VETH"
  ip link set "$VETH" up
  nsexec ip addr add "$NODE_IP/30" dev eth0
  nsexec ip link set eth0 up
  nsexec ip link set lo up
  nsexec sysctl -qw net.ipv4.ip_forward=1
  # The apiserver calls webhooks' pods at their pod IPs (see the header).
  ip route add "$NODE_POD_CIDR" via "$NODE_IP" dev "$VETH"
}

cmd_up() {
  local start=$SECONDS f
  PATH=$BIN:$PATH # containerd finds its shim on PATH
  export PATH
  check_node_binaries
  [[ ${E2E_STATE_LOCKED:-0} == 1 ]] || lock_state # cluster.sh up holds it already
  running kube-apiserver >/dev/null || die "the control plane is not running (cluster.sh up)"
  trap 'rc=$?; if ((rc != 0)); then log "up failed, tearing the node down"; teardown; fi' EXIT
  trap 'exit 130' INT TERM
  if ! running node-holder >/dev/null; then
    teardown # whatever a killed run left
    build_images
    write_configs
    make_cgroups
    spawn_node node-holder unshare --mount --net --propagation private sleep infinity
    start_network
    private_mounts
    spawn_node node-apiproxy socat "TCP-LISTEN:$APISERVER_PORT,bind=$HOST_IP,fork,reuseaddr" "TCP:$HOST:$APISERVER_PORT"
    spawn_node containerd nsenter -t "$(holder)" -m -n -- "$BIN/containerd" --config "$NODE/conf/containerd.toml"
    wait_for "containerd serving" containerd -- "$BIN/ctr" --address "$SOCK" version
    for f in "$IMAGES"/*.oci.tar; do cmd_import "$f"; done
    spawn_node kubelet nsenter -t "$(holder)" -m -n -- "$BIN/kubelet" --config "$NODE/conf/kubelet.yaml" \
      --kubeconfig "$NODE/conf/kubelet.kubeconfig" --root-dir "$NODE/kubelet" \
      --hostname-override "$REAL_NODE" --node-ip "$NODE_IP"
    spawn_node kube-proxy nsenter -t "$(holder)" -m -n -- "$BIN/kube-proxy" --config "$NODE/conf/kube-proxy.yaml"
  fi
  apply_objects
  wait_for "node $REAL_NODE Ready" "kubelet containerd" -- real_node_ready
  wait_for "kube-proxy rules" kube-proxy -- kube_proxy_synced
  wait_for "CoreDNS ready" "kubelet containerd" -- coredns_ready
  trap - EXIT INT TERM
  log "node $REAL_NODE up in $((SECONDS - start))s"
}

# teardown: everything up made, in reverse; safe to run on nothing.
teardown() {
  local i pid d
  if [[ -f $COMP/setup.kubeconfig ]] && running kube-apiserver >/dev/null; then
    kctl delete node "$REAL_NODE" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    kctl -n default delete endpointslice kubernetes --ignore-not-found >/dev/null 2>&1 || true
  fi
  for ((i = ${#NODE_COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop "${NODE_COMPONENTS[i]}"
  done
  # Shims and containers outlive containerd: end whatever is left in the cgroups.
  for pid in $(cgroup_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  for d in $(cgroup_dirs); do
    [[ -d $d ]] || continue
    local deadline=$((SECONDS + 10))
    until find "$d" -depth -type d -exec rmdir {} + 2>/dev/null && [[ ! -d $d ]]; do
      for pid in $(cgroup_pids); do kill -KILL "$pid" 2>/dev/null || true; done
      ((SECONDS < deadline)) || die "cgroup $d is still busy"
      sleep 0.1
    done
  done
  # The veth goes with the namespace; this is for a half-made start.
  ip link del "$VETH" 2>/dev/null || true
  rm -rf "$NRUN"
}

cmd_down() {
  [[ ${E2E_STATE_LOCKED:-0} == 1 ]] || lock_state
  teardown
  log "node down"
}

cmd_status() {
  local c pid ok=0
  for c in "${NODE_COMPONENTS[@]}"; do
    if pid=$(running "$c"); then
      printf '%-24s running (pid %s)\n' "$c" "$pid"
    else
      printf '%-24s stopped\n' "$c"
      ok=1
    fi
  done
  if real_node_ready 2>/dev/null; then printf '%-24s Ready\n' "node/$REAL_NODE"; else
    printf '%-24s not ready\n' "node/$REAL_NODE"
    ok=1
  fi
  return "$ok"
}

node_main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    import) cmd_import "$@" ;;
    nsexec) nsexec "$@" ;;
    enter-cgroup) enter_cgroup "$@" ;;
    *)
      sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

# Sourced, it only defines its functions (cluster.sh's too).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  node_main "$@"
fi
