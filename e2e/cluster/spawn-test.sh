#!/usr/bin/env bash
# spawn-test.sh: checks cluster.sh's process tracking without a cluster.
# A copy of sleep stands in for a component; it is spawned and checked at
# once, many times, which is when the child may not have exec'd yet:
#   - running sees it from the first instant (before, `up` took such a
#     component for one that had exited);
#   - stop right after spawn leaves nothing behind (before, a rollback at
#     that moment left the component running as a stray);
#   - no child ever runs this shell's EXIT trap (a child signalled before
#     it exec'd would: in cluster.sh that trap is the rollback);
#   - a pid file whose pid now belongs to another process is not running.
# Usage: spawn-test.sh [TRIES] (default 100)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TRIES=${1:-100}
mkdir -p "$ROOT/_output"
TMP=$(mktemp -d "$ROOT/_output/spawn-test.XXXXXX")
MAIN=$BASHPID
# In a child, the trap only leaves a mark for the check below.
trap 'if [[ $BASHPID == "$MAIN" ]]; then rm -rf "$TMP"; else echo "$BASHPID" >>"$TMP/child-traps"; fi' EXIT

mkdir -p "$TMP/bin"
cp "$(command -v sleep)" "$TMP/bin/etcd"
export E2E_BIN_DIR=$TMP/bin E2E_CLUSTER_DIR=$TMP/state
# shellcheck source=cluster.sh
source "$HERE/cluster.sh"
# cluster.sh sets -e; this test counts failures itself.
set +e
POLL=0.01
STOP_TIMEOUT=5
mkdir -p "$LOGS" "$RUN"

fail() {
  printf 'spawn-test.sh: FAIL %s\n' "$*" >&2
  exit 1
}

unseen=0 strayed=0
for ((i = 0; i < TRIES; i++)); do
  spawn etcd 30 2>/dev/null
  read -r pid _ <"$(pid_file etcd)"
  running etcd >/dev/null || unseen=$((unseen + 1))
  stop etcd 2>/dev/null
  if alive "$pid"; then
    strayed=$((strayed + 1))
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
done
trapped=0
[[ ! -f $TMP/child-traps ]] || trapped=$(wc -l <"$TMP/child-traps")
if ((unseen + strayed + trapped > 0)); then
  fail "of $TRIES components, running missed $unseen just after spawn, stop at that moment left $strayed running, and $trapped ran the caller's EXIT trap"
fi

# A pid file naming a live process with another start time: not ours.
echo "$$ 1" >"$(pid_file etcd)"
! running etcd >/dev/null || fail "a recycled pid was taken for the component"
rm -f "$(pid_file etcd)"

printf 'spawn-test.sh: PASS (%d spawns)\n' "$TRIES"
