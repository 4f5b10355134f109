#!/usr/bin/env bash
# cluster.sh: a local Kubernetes control plane for kwait's e2e tests and demo.
#
# Runs etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
# (which plays the kubelet for one fake Node) as plain processes bound to
# 127.0.0.1. No container engine, no network: binaries come from build.sh.
#
# Usage: cluster.sh up|down|status|env|restart-apiserver|stop-apiserver|
#                   start-apiserver|fallback-apiserver up|down|kubectl ARGS...
#
#   up                 build if needed, start whatever is not running, wait
#                      until the cluster is usable. A no-op when already up.
#   down               stop everything, delete the etcd data. Idempotent.
#   status             show processes and health; exit 0 only when fully up.
#   env                print shell exports (eval "$(cluster.sh env)").
#   restart-apiserver  stop and start only kube-apiserver, same flags.
#   stop-apiserver / start-apiserver   the two halves of the above.
#   fallback-apiserver up|down   a second kube-apiserver on the same etcd,
#                      port E2E_FALLBACK_APISERVER_PORT, with the WatchList
#                      feature gate off (no streaming lists); its kubeconfig
#                      is fallback.kubeconfig in the state dir. `down` of
#                      the cluster stops it too.
#   kubectl ARGS       run the built kubectl as admin against this cluster.
#
# Environment (all optional):
#   E2E_CLUSTER_DIR      state dir (default $ROOT/_output/cluster)
#   E2E_BIN_DIR          binaries (default $ROOT/.cache/bin)
#   E2E_APISERVER_PORT   26443     E2E_ETCD_PORT       23790
#   E2E_ETCD_PEER_PORT   23800     E2E_KCM_PORT        26257
#   E2E_SCHEDULER_PORT   26259     E2E_FALLBACK_APISERVER_PORT  apiserver's + 1
#   E2E_APISERVER_FEATURE_GATES  --feature-gates of kube-apiserver, e.g.
#                        WatchList=false to run the suite without streaming
#                        lists (recorded: restarts keep it, `down` forgets it)
#   E2E_CLUSTER_TIMEOUT  max seconds for each readiness wait (default 120)
#   E2E_STOP_TIMEOUT     seconds between TERM and KILL on stop (default 15)
#   E2E_NODE_MONITOR_GRACE_PERIOD  see start_kcm (default 5m)
#   E2E_SKIP_BUILD=1     do not run build.sh from `up`
#   E2E_REAL_NODE=1      `up` also starts the real node (node.sh: containerd,
#                        kubelet, kube-proxy, CoreDNS); `down` always stops it
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=versions.sh
source "$HERE/versions.sh"

BIN=${E2E_BIN_DIR:-$ROOT/.cache/bin}
STATE=${E2E_CLUSTER_DIR:-$ROOT/_output/cluster}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd) # absolute: it ends up in kubeconfigs and flags

HOST=127.0.0.1 # every listener binds loopback only
CLUSTER_NAME=kwait-e2e
NODE_NAME=kwok-node-0
SERVICE_CIDR=10.0.0.0/24
SERVICE_IP=10.0.0.1 # first address of SERVICE_CIDR: the `kubernetes` Service
SA_ISSUER=https://kubernetes.default.svc.cluster.local
# Pod IPs kwok hands out. Kept apart from SERVICE_CIDR so a pod IP is never
# mistaken for a ClusterIP; nothing ever connects to these addresses.
POD_CIDR=10.244.0.1/16
TIMEOUT=${E2E_CLUSTER_TIMEOUT:-120}
STOP_TIMEOUT=${E2E_STOP_TIMEOUT:-15}
POLL=0.2 # seconds between readiness probes

PKI=$STATE/pki
LOGS=$STATE/logs
RUN=$STATE/run
COMP=$STATE/components # kubeconfigs and configs only the components use
ETCD_DATA=$STATE/etcd
AUDIT_LOG=$STATE/audit.log
ENV_FILE=$STATE/env
TOKENS=$STATE/tokens.csv

# Start order; stop order is the reverse. Names are also the binary names.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
# The second apiserver of `fallback-apiserver up`, not part of `up`.
FALLBACK=kube-apiserver@fallback
# Components this invocation started: stopped again if `up` fails midway.
STARTED=()

log() { printf 'cluster.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# recorded VAR: the value VAR had when this state dir's env file was written,
# so status/down/env in a plain shell find a cluster started on other ports.
recorded() {
  [[ -f $ENV_FILE ]] || return 0
  # printf %q writes an empty value as ''
  sed -n "s/^export $1=//p" "$ENV_FILE" | tail -n1 | sed "s/^''\$//"
}

# Ports: explicit environment first, then what the running cluster used,
# then the defaults (chosen far from the usual 2379/6443/10257/10259).
port() {
  local var=$1 def=$2 val
  val=${!var:-}
  [[ -n $val ]] || val=$(recorded "$var")
  [[ -n $val ]] || val=$def
  [[ $val =~ ^[0-9]+$ ]] || die "$var=$val is not a port number"
  echo "$val"
}
ETCD_PORT=$(port E2E_ETCD_PORT 23790)
ETCD_PEER_PORT=$(port E2E_ETCD_PEER_PORT 23800)
APISERVER_PORT=$(port E2E_APISERVER_PORT 26443)
KCM_PORT=$(port E2E_KCM_PORT 26257)
SCHEDULER_PORT=$(port E2E_SCHEDULER_PORT 26259)
FALLBACK_APISERVER_PORT=$(port E2E_FALLBACK_APISERVER_PORT $((APISERVER_PORT + 1)))
FEATURE_GATES=${E2E_APISERVER_FEATURE_GATES-$(recorded E2E_APISERVER_FEATURE_GATES)}
[[ $FEATURE_GATES =~ ^[A-Za-z0-9=,]*$ ]] || die "E2E_APISERVER_FEATURE_GATES=$FEATURE_GATES is not a list of GATE=BOOL"
APISERVER_URL=https://$HOST:$APISERVER_PORT
ETCD_URL=http://$HOST:$ETCD_PORT

# ---------------------------------------------------------------------------
# Processes

pid_file() { echo "$RUN/$1.pid"; }

# start_time PID: when PID started (field 22 of /proc/PID/stat, clock ticks
# since boot), printed only while PID exists and is not a zombie. A component
# stopped by the same shell that started it stays a zombie until reaped, and
# kill -0 would still report it.
start_time() {
  local stat fields
  { stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
  # Field 2, the command name, may hold spaces and parentheses: split what
  # follows its closing parenthesis, which starts with field 3 (the state).
  read -r -a fields <<<"${stat##*) }"
  ((${#fields[@]} > 19)) && [[ ${fields[0]} != Z ]] || return 1
  echo "${fields[19]}"
}

alive() { start_time "$1" >/dev/null; }

# A child forked by this shell runs this shell's code until it execs, with
# this shell's traps still in place: a TERM in that window runs our EXIT
# trap, a rollback, inside the child. So nothing is signalled before it has
# exec'd (see await_exec).
SHELL_EXE=$(readlink "/proc/$$/exe")

# await_exec PID: wait until PID runs another binary than this shell's, or
# is gone; at most 10 seconds (it takes milliseconds).
await_exec() {
  local deadline=$((SECONDS + 10))
  while [[ $(readlink "/proc/$1/exe" 2>/dev/null) == "$SHELL_EXE" ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.01
  done
}

# running NAME: print the pid of component NAME if it is up.
#
# A component is known by its pid and the pid's start time, both recorded by
# spawn. The start time is fixed at fork and kept across exec, so the check
# holds from the first instant: right after the fork the child still runs
# setsid or this shell's code, and its cmdline is not yet the binary's (that
# race made `up` report live components as exited, and its rollback then
# missed them). A recycled pid has another start time, so it is never
# mistaken for, or killed as, a component.
running() {
  local f pid start arg0
  f=$(pid_file "$1")
  [[ -f $f ]] || return 1
  read -r pid start <"$f" || [[ -n ${pid:-} ]] || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  if [[ -n ${start:-} ]]; then
    [[ $(start_time "$pid") == "$start" ]] || return 1
  else
    # A pid file written before start times were recorded: the process
    # must run our binary.
    alive "$pid" || return 1
    arg0=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | head -n1) || return 1
    [[ $arg0 == "$BIN/$1" ]] || return 1
  fi
  echo "$pid"
}

# spawn NAME ARGS...: start component NAME detached from this shell: its own
# session (a Ctrl-C or hangup of the caller does not reach it), stdio on its
# log file (a caller reading our stdout never waits on it), and without the
# lock fd (8) so it cannot keep the state dir locked. The pid file holds
# "PID START_TIME" (see running); a child that is already gone gets start
# time 0, which never matches, so waiting on it fails at once with its log.
# spawn returns once the child has exec'd (setsid, then the component).
# NAME@SUFFIX runs binary NAME as a component of its own (pid and log).
spawn() {
  local name=$1 logf=$LOGS/$1.log pid start
  shift
  printf '=== %s cluster.sh starting %s\n' "$(date -u +%FT%TZ)" "$name" >>"$logf"
  setsid "$BIN/${name%%@*}" "$@" </dev/null >>"$logf" 2>&1 8>&- &
  pid=$!
  start=$(start_time "$pid") || start=0
  echo "$pid $start" >"$(pid_file "$name")"
  STARTED+=("$name")
  await_exec "$pid" || die "$name (pid $pid) was not exec'd within 10s"
  log "started $name (pid $pid, log $logf)"
}

# wait_gone PID START SECONDS: poll until the process PID that started at
# START has exited, at most SECONDS.
wait_gone() {
  local pid=$1 start=$2 deadline=$((SECONDS + $3))
  while [[ $(start_time "$pid") == "$start" ]]; do
    ((SECONDS < deadline)) || return 1
    sleep "$POLL"
  done
}

# terminate WHAT PID: TERM, then KILL if PID has not exited within
# STOP_TIMEOUT. Nothing happens when PID is already gone. A child that never
# left this shell's code gets KILL, which runs no trap.
terminate() {
  local what=$1 pid=$2 start sig=TERM
  start=$(start_time "$pid") || return 0
  await_exec "$pid" || sig=KILL
  kill -"$sig" "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$start" "$STOP_TIMEOUT"; then
    log "$what (pid $pid) ignored TERM for ${STOP_TIMEOUT}s, killing"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" "$start" 10 || die "$what (pid $pid) survived KILL"
  fi
  log "stopped $what (pid $pid)"
}

# stop NAME: stop component NAME if it runs, and forget its pid.
stop() {
  local pid
  if pid=$(running "$1"); then
    terminate "$1" "$pid"
  fi
  rm -f "$(pid_file "$1")"
}

# strays: pids of our binaries that reference this state dir but are not a
# component's recorded pid (e.g. a pid file deleted by hand, or a crash
# between fork and writing it). down and a failed up stop them, so nothing
# outlives either.
strays() {
  local p pid arg0 name c known=" "
  for c in "${COMPONENTS[@]}" "$FALLBACK"; do
    pid=$(running "$c") && known+="$pid "
  done
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [[ $known == *" $pid "* ]] && continue
    arg0=$(tr '\0' '\n' 2>/dev/null <"$p/cmdline" | head -n1) || continue
    for name in "${COMPONENTS[@]}"; do
      [[ $arg0 == "$BIN/$name" ]] || continue
      grep -qzF -- "$STATE/" "$p/cmdline" 2>/dev/null && echo "$pid"
    done
  done
}

# stop_strays: stop every stray (see strays).
stop_strays() {
  local pid
  for pid in $(strays); do
    log "stopping stray component pid $pid"
    terminate "stray" "$pid"
  done
}

any_running() {
  local c
  for c in "${COMPONENTS[@]}"; do running "$c" >/dev/null && return 0; done
  return 1
}

# ---------------------------------------------------------------------------
# Waiting

# tail_logs NAME...: the end of each component's log, for failure messages.
tail_logs() {
  local c
  for c in "$@"; do
    [[ -f $LOGS/$c.log ]] || continue
    printf -- '--- last lines of %s\n' "$LOGS/$c.log" >&2
    tail -n 25 "$LOGS/$c.log" >&2
  done
}

# wait_for WHAT COMPONENTS -- CMD...: poll CMD until it succeeds. Fails at
# once if one of COMPONENTS (space-separated) dies, or after TIMEOUT seconds,
# showing their logs either way.
wait_for() {
  local what=$1 comps=$2 c deadline=$((SECONDS + TIMEOUT)) start=$SECONDS
  shift 3
  until "$@" >/dev/null 2>&1; do
    for c in $comps; do
      running "$c" >/dev/null || {
        tail_logs "$c"
        die "$c exited while waiting for $what"
      }
    done
    if ((SECONDS >= deadline)); then
      # shellcheck disable=SC2086 # comps is a word list on purpose
      tail_logs $comps
      die "timed out after ${TIMEOUT}s waiting for $what"
    fi
    sleep "$POLL"
  done
  log "$what ($((SECONDS - start))s)"
}

token_of() { awk -F, -v u="$1" '$2 == u { print $1; exit }' "$TOKENS"; }

# kctl: kubectl as the cluster's own setup user, so requests made by this
# script are not counted against `admin` in the audit log.
kctl() { "$BIN/kubectl" --kubeconfig "$COMP/setup.kubeconfig" "$@"; }

etcd_healthy() { curl -fsS --max-time 2 "$ETCD_URL/health" | grep -q '"health":"true"'; }

# apiserver_ready URL: the apiserver at URL is ready.
apiserver_ready() {
  [[ $(curl -fsS --max-time 5 --cacert "$STATE/ca.crt" \
    -H "Authorization: Bearer $(token_of kwait-cluster-setup)" \
    "$1/readyz") == ok ]]
}

# Controller-manager and scheduler serve /healthz (always allowed, no auth)
# on their own self-signed certificate.
healthz_ok() { [[ $(curl -fsSk --max-time 2 "https://$HOST:$1/healthz") == ok ]]; }

default_sa_exists() { kctl -n default get serviceaccount default; }

# node_ready: Ready=True and no taints left. The node lifecycle controller
# removes its not-ready taint a moment after Ready flips; until then the
# scheduler would refuse pods.
node_ready() {
  [[ $(kctl get node "$NODE_NAME" -o \
    jsonpath='{.status.conditions[?(@.type=="Ready")].status}/{.spec.taints}') == True/ ]]
}

# ---------------------------------------------------------------------------
# Files generated once per state dir

# make_ca KEY CRT CN: a self-signed CA certificate.
make_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$1" -out "$2" -subj "/CN=$3" \
    -config <(printf '%s\n' '[req]' 'distinguished_name=dn' 'x509_extensions=ext' '[dn]' '[ext]' \
      'basicConstraints=critical,CA:TRUE' 'keyUsage=critical,keyCertSign,cRLSign' \
      'subjectKeyIdentifier=hash') 2>/dev/null
}

# make_cert NAME CA_NAME CN EXTENDED_KEY_USAGE [SUBJECT_ALT_NAMES]: a key and
# certificate pki/NAME.{key,crt} signed by pki/CA_NAME.{key,crt}.
make_cert() {
  local name=$1 ca=$2 cn=$3 eku=$4 san=${5:-}
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" \
    -out "$PKI/$name.csr" -subj "/CN=$cn" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" \
    -CAcreateserial -CAserial "$PKI/$ca.srl" -sha256 -days 3650 -out "$PKI/$name.crt" \
    -extfile <(printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
      'keyUsage=critical,digitalSignature,keyEncipherment' "extendedKeyUsage=$eku" \
      ${san:+"subjectAltName=$san"}) 2>/dev/null
  rm -f "$PKI/$name.csr"
}

# ensure_pki: CA, apiserver serving cert, front-proxy CA and client cert,
# service-account key pair. Generated once per state dir and kept across
# down/up so kubeconfigs and tokens handed out earlier stay valid.
ensure_pki() {
  mkdir -p "$PKI"
  if [[ ! -f $PKI/ca.key || ! -f $PKI/ca.crt ]]; then
    log "generating CA"
    make_ca "$PKI/ca.key" "$PKI/ca.crt" "$CLUSTER_NAME-ca"
    rm -f "$PKI/apiserver.crt" # signed by the old CA, if any
  fi
  write_atomic "$STATE/ca.crt" <"$PKI/ca.crt" # the copy tests are told about
  if [[ ! -f $PKI/apiserver.crt || ! -f $PKI/apiserver.key ]]; then
    log "generating apiserver serving certificate"
    make_cert apiserver ca kube-apiserver serverAuth \
      "IP:$HOST,IP:::1,DNS:localhost,IP:$SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  fi
  # The front proxy (requestheader) pair lets the apiserver authenticate to
  # aggregated API servers, and gives the controller-manager and scheduler
  # the requestheader CA their delegated authentication insists on (without
  # it they log an error every few seconds). Its own CA, as kubeadm does, so
  # no cluster-CA client cert can assert X-Remote-User.
  if [[ ! -f $PKI/front-proxy-ca.key || ! -f $PKI/front-proxy-ca.crt ]]; then
    log "generating front-proxy CA"
    make_ca "$PKI/front-proxy-ca.key" "$PKI/front-proxy-ca.crt" "$CLUSTER_NAME-front-proxy-ca"
    rm -f "$PKI/front-proxy-client.crt"
  fi
  if [[ ! -f $PKI/front-proxy-client.crt || ! -f $PKI/front-proxy-client.key ]]; then
    make_cert front-proxy-client front-proxy-ca front-proxy-client clientAuth
  fi
  if [[ ! -f $PKI/sa.key || ! -f $PKI/sa.pub ]]; then
    log "generating service-account signing key"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key" 2>/dev/null
    openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
  fi
  chmod 600 "$PKI"/*.key
}

# ensure_tokens: static bearer tokens (kube-apiserver --token-auth-file,
# format token,user,uid[,"group,..."]). Random per state dir; tests read them
# from tokens.csv or the kubeconfigs. Users missing from an older file are
# appended, which takes effect at the next apiserver start.
ensure_tokens() {
  local spec user groups
  touch "$TOKENS"
  chmod 600 "$TOKENS"
  for spec in \
    admin=system:masters \
    unprivileged= user1= user2= user3= \
    kwait-cluster-setup=system:masters \
    kwok=system:masters \
    system:kube-controller-manager= \
    system:kube-scheduler=; do
    user=${spec%%=*} groups=${spec#*=}
    [[ -n $(token_of "$user") ]] && continue
    printf '%s,%s,%s%s\n' "$(openssl rand -hex 24)" "$user" "$user" \
      "${groups:+,\"$groups\"}" >>"$TOKENS"
  done
}

# write_atomic FILE: stdin to FILE via rename, so a reader (a test loading a
# kubeconfig) never sees it half-written.
write_atomic() {
  cat >"$1.tmp.$$"
  mv -f "$1.tmp.$$" "$1"
}

# write_kubeconfig FILE USER: token kubeconfig with the CA embedded, so the
# file still works when copied elsewhere.
write_kubeconfig() {
  local file=$1 user=$2 token
  token=$(token_of "$user")
  [[ -n $token ]] || die "no token for $user in $TOKENS"
  write_atomic "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $CLUSTER_NAME
  cluster:
    server: $APISERVER_URL
    certificate-authority-data: $(base64 -w0 <"$STATE/ca.crt")
users:
- name: $user
  user:
    token: $token
contexts:
- name: $user@$CLUSTER_NAME
  context:
    cluster: $CLUSTER_NAME
    user: $user
    namespace: default
current-context: $user@$CLUSTER_NAME
EOF
  chmod 600 "$file"
}

write_kubeconfigs() {
  local u
  for u in admin unprivileged user1 user2 user3; do
    write_kubeconfig "$STATE/$u.kubeconfig" "$u"
  done
  write_kubeconfig "$COMP/setup.kubeconfig" kwait-cluster-setup
  write_kubeconfig "$COMP/kwok.kubeconfig" kwok
  write_kubeconfig "$COMP/kube-controller-manager.kubeconfig" system:kube-controller-manager
  write_kubeconfig "$COMP/kube-scheduler.kubeconfig" system:kube-scheduler
}

# Every request is logged at Metadata level (user, userAgent, verb, URI,
# response code; no bodies) so tests can count requests per user/userAgent.
# RequestReceived is omitted: each request then yields exactly one event
# (ResponseComplete, or ResponseStarted+ResponseComplete for watches).
write_audit_policy() {
  write_atomic "$COMP/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
- RequestReceived
rules:
- level: Metadata
EOF
}

write_scheduler_config() {
  write_atomic "$COMP/kube-scheduler.yaml" <<EOF
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: $COMP/kube-scheduler.kubeconfig
  qps: 100
  burst: 200
leaderElection:
  # Without leader election the scheduler simply retries while the apiserver
  # is down (restart-apiserver) instead of exiting on a lost lease.
  leaderElect: false
EOF
}

# write_kwok_stages: kwok's stock stages, read from the kwok module in the Go
# module cache (put there by build.sh's go install, so this works offline):
#   node/fast       make the Node Ready
#   node/heartbeat  keep its conditions fresh for the node lifecycle controller
#   pod/fast        pods go Running+Ready at once; pods owned by a Job go
#                   Succeeded (pod-complete); deleted pods are removed
write_kwok_stages() {
  local dir d f
  dir=$(cd / && GOWORK=off GOFLAGS='' go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d $dir/kustomize/stage ]] || die "kwok $KWOK_VERSION module not found in the module cache (run build.sh)"
  {
    for d in node/fast node/heartbeat pod/fast; do
      for f in "$dir/kustomize/stage/$d"/*.yaml; do
        [[ ${f##*/} == kustomization.yaml ]] && continue
        printf -- '---\n# from sigs.k8s.io/kwok@%s kustomize/stage/%s/%s\n' "$KWOK_VERSION" "$d" "${f##*/}"
        cat "$f"
      done
    done
  } | write_atomic "$COMP/kwok-stages.yaml"
  grep -q 'name: pod-complete' "$COMP/kwok-stages.yaml" || die "kwok stages lack pod-complete"
}

# The fake node kwok manages (selected by the annotation). Big enough for
# thousands of pods (the bench holds 1,000 beside its fleet's), no taints.
# Status is accepted on create, like a kubelet's registration; kwok fills in
# conditions.
write_node_manifest() {
  write_atomic "$COMP/node.yaml" <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $NODE_NAME
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $NODE_NAME
    kubernetes.io/os: linux
    node-role.kubernetes.io/agent: ""
    type: kwok
spec: {}
status:
  allocatable: {cpu: "1000", memory: 1Ti, pods: "5000", ephemeral-storage: 1Ti}
  capacity: {cpu: "1000", memory: 1Ti, pods: "5000", ephemeral-storage: 1Ti}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: fake
EOF
}

env_content() {
  local v
  for v in \
    "KUBECONFIG=$STATE/admin.kubeconfig" \
    "E2E_CLUSTER_DIR=$STATE" \
    "E2E_APISERVER_HOST=$HOST" \
    "E2E_APISERVER_PORT=$APISERVER_PORT" \
    "E2E_APISERVER_URL=$APISERVER_URL" \
    "E2E_ETCD_PORT=$ETCD_PORT" \
    "E2E_ETCD_PEER_PORT=$ETCD_PEER_PORT" \
    "E2E_KCM_PORT=$KCM_PORT" \
    "E2E_SCHEDULER_PORT=$SCHEDULER_PORT" \
    "E2E_FALLBACK_APISERVER_PORT=$FALLBACK_APISERVER_PORT" \
    "E2E_APISERVER_FEATURE_GATES=$FEATURE_GATES" \
    "E2E_ADMIN_KUBECONFIG=$STATE/admin.kubeconfig" \
    "E2E_UNPRIVILEGED_KUBECONFIG=$STATE/unprivileged.kubeconfig" \
    "E2E_CA_FILE=$STATE/ca.crt" \
    "E2E_TOKENS_FILE=$TOKENS" \
    "E2E_NODE_NAME=$NODE_NAME" \
    "E2E_BIN_DIR=$BIN" \
    "E2E_KUBECTL=$BIN/kubectl" \
    "E2E_HELM=$BIN/helm" \
    "E2E_HELM4=$BIN/helm4" \
    "AUDIT_LOG=$AUDIT_LOG"; do
    printf 'export %s=%q\n' "${v%%=*}" "${v#*=}"
  done
}

# write_env: refuse to change the recorded ports under a running cluster;
# its kubeconfigs would then point at the wrong place.
write_env() {
  local new
  new=$(env_content)
  if [[ -f $ENV_FILE ]] && [[ $new != "$(<"$ENV_FILE")" ]] && any_running; then
    die "cluster in $STATE is running with other settings (see $ENV_FILE); run down first"
  fi
  printf '%s\n' "$new" | write_atomic "$ENV_FILE"
}

prepare_state() {
  mkdir -p "$LOGS" "$RUN" "$COMP"
  ensure_pki
  ensure_tokens
  write_env
  write_kubeconfigs
  write_audit_policy
  write_scheduler_config
  write_node_manifest
}

# ---------------------------------------------------------------------------
# Components

start_etcd() {
  if [[ ! -d $ETCD_DATA ]]; then
    # A new cluster: keep the previous cluster's logs apart so audit counts
    # and log greps only ever see this cluster.
    rm -rf "$STATE/logs.prev"
    mv "$LOGS" "$STATE/logs.prev"
    mkdir -p "$LOGS"
    [[ ! -f $AUDIT_LOG ]] || mv "$AUDIT_LOG" "$STATE/logs.prev/audit.log"
  fi
  # --unsafe-no-fsync: the data is thrown away by down anyway, and fsync on
  # every write is the slowest part of etcd on a small VM.
  spawn etcd \
    --name="$CLUSTER_NAME" \
    --data-dir="$ETCD_DATA" \
    --listen-client-urls="$ETCD_URL" \
    --advertise-client-urls="$ETCD_URL" \
    --listen-peer-urls="http://$HOST:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://$HOST:$ETCD_PEER_PORT" \
    --initial-cluster="$CLUSTER_NAME=http://$HOST:$ETCD_PEER_PORT" \
    --unsafe-no-fsync=true
}

# start_apiserver: the one place the apiserver's flags live; used by up and
# by start-apiserver/restart-apiserver so a restart is identical.
# --endpoint-reconciler-type=none: the apiserver would publish its advertise
# address as the endpoint of the `kubernetes` Service, but a loopback address
# is rejected there (and logged as an error on every sync); any other address
# would point pods at a place nothing listens. So that Service has no
# endpoints here; nothing in the cluster runs in a pod and needs it.
# --shutdown-send-retry-after: on TERM, drain normal requests and then close
# connections after 2s. Without it the HTTP server waits out the request
# timeout (60s) for clients' open watches, so every stop took a minute.
# --enable-aggregator-routing: a webhook or aggregated API behind a Service is
# called at a ready endpoint's address, not at the Service's ClusterIP, which
# only the real node's kube-proxy routes (in its own network namespace): the
# host would send a ClusterIP off the machine. A Service without endpoints is
# refused before anything is dialled; the real node's pod addresses are
# routed through its veth (node.sh).
# E2E_APISERVER_FEATURE_GATES adds --feature-gates.
start_apiserver() {
  apiserver kube-apiserver "$APISERVER_PORT" "$AUDIT_LOG" ${FEATURE_GATES:+"--feature-gates=$FEATURE_GATES"}
}

# apiserver NAME PORT AUDIT_LOG [FLAGS...]: spawn a kube-apiserver.
apiserver() {
  local name=$1 port=$2 audit=$3
  shift 3
  spawn "$name" \
    --bind-address="$HOST" \
    --advertise-address="$HOST" \
    --endpoint-reconciler-type=none \
    --kubelet-preferred-address-types=InternalIP \
    --enable-aggregator-routing=true \
    --shutdown-send-retry-after=true \
    --secure-port="$port" \
    --etcd-servers="$ETCD_URL" \
    --tls-cert-file="$PKI/apiserver.crt" \
    --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-uid-headers=X-Remote-Uid \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --token-auth-file="$TOKENS" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer="$SA_ISSUER" \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --allow-privileged=true \
    --audit-policy-file="$COMP/audit-policy.yaml" \
    --audit-log-path="$audit" \
    --audit-log-maxsize=4096 \
    --audit-log-maxbackup=1 \
    "$@"
}

# The node lifecycle controller marks pods NotReady when the node misses
# heartbeats for the grace period, and kwok never flips them back. kwok
# cannot heartbeat while the apiserver is down (restart-apiserver), so the
# grace period is raised well above the default to keep such tests stable.
# Leader election is off so the controller-manager keeps retrying through an
# apiserver restart instead of exiting on a lost lease.
start_kcm() {
  spawn kube-controller-manager \
    --kubeconfig="$COMP/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$COMP/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$COMP/kube-controller-manager.kubeconfig" \
    --bind-address="$HOST" \
    --secure-port="$KCM_PORT" \
    --controllers='*' \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/ca.crt" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --leader-elect=false \
    --node-monitor-grace-period="${E2E_NODE_MONITOR_GRACE_PERIOD:-5m}" \
    --kube-api-qps=100 \
    --kube-api-burst=200
}

start_scheduler() {
  spawn kube-scheduler \
    --config="$COMP/kube-scheduler.yaml" \
    --authentication-kubeconfig="$COMP/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$COMP/kube-scheduler.kubeconfig" \
    --bind-address="$HOST" \
    --secure-port="$SCHEDULER_PORT"
}

# kwok serves no port here (no --server-address). --node-ip is loopback so
# that anything trying to reach the fake kubelet (kubectl logs/exec) gets a
# refused connection on this machine instead of going anywhere else.
start_kwok() {
  spawn kwok \
    --kubeconfig="$COMP/kwok.kubeconfig" \
    --config="$COMP/kwok-stages.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip="$HOST" \
    --cidr="$POD_CIDR"
}

# ensure NAME: start component NAME unless it is already running.
ensure() {
  local name=$1
  if running "$name" >/dev/null; then
    return 0
  fi
  case $name in
    etcd) start_etcd ;;
    kube-apiserver) start_apiserver ;;
    kube-controller-manager) start_kcm ;;
    kube-scheduler) start_scheduler ;;
    kwok) start_kwok ;;
  esac
}

# rollback: on a failed up, stop what this invocation started (newest
# first), leaving components that were already running alone.
rollback() {
  local i
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    stop "${STARTED[i]}" || true
  done
  stop_strays || true
}

lock_state() {
  exec 8>"$STATE/.lock"
  flock 8
}

check_binaries() {
  local b
  for b in "${COMPONENTS[@]}" kubectl; do
    [[ -x $BIN/$b ]] || die "$BIN/$b missing (run e2e/cluster/build.sh)"
  done
  command -v curl >/dev/null || die "curl is required"
  command -v openssl >/dev/null || die "openssl is required"
}

# ---------------------------------------------------------------------------
# Commands

cmd_up() {
  local start=$SECONDS
  local real_node=${E2E_REAL_NODE:-0}
  if [[ ${E2E_SKIP_BUILD:-0} != 1 ]]; then
    "$HERE/build.sh"
    [[ $real_node != 1 ]] || "$HERE/build.sh" node
  fi
  check_binaries
  lock_state
  prepare_state
  trap 'rc=$?; if ((rc != 0)); then log "up failed, stopping what it started"; rollback; fi' EXIT
  trap 'exit 130' INT TERM

  ensure etcd
  wait_for "etcd healthy" etcd -- etcd_healthy
  ensure kube-apiserver
  wait_for "kube-apiserver ready" "kube-apiserver etcd" -- apiserver_ready "$APISERVER_URL"
  ensure kube-controller-manager
  ensure kube-scheduler
  write_kwok_stages
  ensure kwok
  wait_for "kube-controller-manager healthy" kube-controller-manager -- healthz_ok "$KCM_PORT"
  wait_for "kube-scheduler healthy" kube-scheduler -- healthz_ok "$SCHEDULER_PORT"
  kctl get node "$NODE_NAME" >/dev/null 2>&1 || kctl create -f "$COMP/node.yaml" >/dev/null
  wait_for "default ServiceAccount" kube-controller-manager -- default_sa_exists
  wait_for "node $NODE_NAME Ready and untainted" "kwok kube-controller-manager" -- node_ready
  [[ $real_node != 1 ]] || E2E_STATE_LOCKED=1 "$HERE/node.sh" up

  trap - EXIT INT TERM
  log "cluster up in $((SECONDS - start))s: $APISERVER_URL"
  log "use it with: eval \"\$($HERE/cluster.sh env)\""
}

cmd_down() {
  local i
  lock_state
  # The real node first, while the apiserver can still delete its Node.
  [[ ! -d $STATE/node ]] || E2E_STATE_LOCKED=1 "$HERE/node.sh" down
  stop "$FALLBACK"
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop "${COMPONENTS[i]}"
  done
  stop_strays
  rm -rf "$ETCD_DATA"
  # The feature gates hold for restarts of this cluster, not for the next
  # one: a later `up` (make bench, make test) takes them from its own
  # environment, so a run with WatchList=false does not leak into it.
  if [[ -f $ENV_FILE ]]; then
    sed -i '/^export E2E_APISERVER_FEATURE_GATES=/d' "$ENV_FILE"
  fi
  log "cluster down (state kept in $STATE, etcd data removed)"
}

cmd_stop_apiserver() {
  lock_state
  stop kube-apiserver
}

cmd_start_apiserver() {
  check_binaries
  lock_state
  running etcd >/dev/null || die "etcd is not running; use up"
  trap 'rc=$?; ((rc == 0)) || rollback' EXIT
  ensure kube-apiserver
  wait_for "kube-apiserver ready" "kube-apiserver etcd" -- apiserver_ready "$APISERVER_URL"
  trap - EXIT
}

# cmd_fallback_apiserver up|down: see the usage. The second apiserver shares
# the first one's certificates (their names cover 127.0.0.1 on any port).
cmd_fallback_apiserver() {
  local url=https://$HOST:$FALLBACK_APISERVER_PORT
  case ${1:-} in
    up)
      check_binaries
      lock_state
      running etcd >/dev/null || die "etcd is not running; use up"
      if ! running "$FALLBACK" >/dev/null; then
        trap 'rc=$?; ((rc == 0)) || stop "$FALLBACK"' EXIT
        apiserver "$FALLBACK" "$FALLBACK_APISERVER_PORT" "$STATE/audit-fallback.log" --feature-gates=WatchList=false
      fi
      sed "s|server: .*|server: $url|" "$STATE/admin.kubeconfig" >"$STATE/fallback.kubeconfig.tmp"
      mv "$STATE/fallback.kubeconfig.tmp" "$STATE/fallback.kubeconfig"
      wait_for "fallback kube-apiserver ready" "$FALLBACK" -- apiserver_ready "$url"
      trap - EXIT
      echo "$STATE/fallback.kubeconfig"
      ;;
    down)
      lock_state
      stop "$FALLBACK"
      ;;
    *) die "usage: fallback-apiserver up|down" ;;
  esac
}

cmd_restart_apiserver() {
  cmd_stop_apiserver
  cmd_start_apiserver
}

cmd_status() {
  local c pid ok=0
  for c in "${COMPONENTS[@]}"; do
    if pid=$(running "$c"); then
      printf '%-24s running (pid %s)\n' "$c" "$pid"
    else
      printf '%-24s stopped\n' "$c"
      ok=1
    fi
  done
  if [[ -f $TOKENS ]] && apiserver_ready "$APISERVER_URL" 2>/dev/null; then
    printf '%-24s ready (%s)\n' apiserver "$APISERVER_URL"
    if node_ready 2>/dev/null; then
      printf '%-24s Ready\n' "node/$NODE_NAME"
    else
      printf '%-24s not ready\n' "node/$NODE_NAME"
      ok=1
    fi
  else
    printf '%-24s not ready (%s)\n' apiserver "$APISERVER_URL"
    ok=1
  fi
  return "$ok"
}

cmd_env() {
  if [[ -f $ENV_FILE ]]; then cat "$ENV_FILE"; else env_content; fi
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    restart-apiserver) cmd_restart_apiserver ;;
    stop-apiserver) cmd_stop_apiserver ;;
    start-apiserver) cmd_start_apiserver ;;
    fallback-apiserver) cmd_fallback_apiserver "$@" ;;
    kubectl) exec "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" "$@" ;;
    *)
      sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

# Sourced (by spawn-test.sh), it only defines its functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
