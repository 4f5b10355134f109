#!/usr/bin/env bash
# The benchmarks behind `make bench`: kwait against `kubectl wait` and the
# shell loops it replaces, on the local control plane (e2e/cluster). Writes
# docs/benchmarks.md and docs/bench-*.png from one run, about 15 minutes on
# 2 cores, and the raw figures to _output/bench-results.json.
#
#   KWAIT_BIN    the kwait binary under test (make bench sets it;
#                default _output/bin/kwait)
#   BENCH_ARGS   more flags for the bench, e.g. --quick while developing it
#                (the flags: `cd bench && go run . -h`); arguments to this
#                script are passed on too
#   E2E_*        the cluster's state dir and ports, as e2e/cluster/cluster.sh
#                reads them (E2E_CLUSTER_DIR, E2E_APISERVER_PORT, ...)
#
# A cluster that is already up is reused and left running; otherwise one is
# started for the run and stopped afterwards, also on failure or interrupt.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER=$ROOT/e2e/cluster/cluster.sh
KWAIT_BIN=${KWAIT_BIN:-$ROOT/_output/bin/kwait}
BENCH=$ROOT/_output/bin/kwait-bench

log() { printf 'bench.sh: %s\n' "$*" >&2; }

[[ -x $KWAIT_BIN ]] || {
  log "$KWAIT_BIN is missing; run make build (make bench does)"
  exit 1
}

# The shell loops need nc (Debian's netcat-openbsd), curl, pg_isready,
# redis-cli and mysqladmin; peak RSS is measured with GNU time.
need=()
nc -h 2>&1 | grep -q OpenBSD || need+=(netcat-openbsd)
command -v curl >/dev/null || need+=(curl)
command -v pg_isready >/dev/null || need+=(postgresql-client)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v mysqladmin >/dev/null || need+=(mariadb-client)
[[ -x /usr/bin/time ]] || need+=(time)
if ((${#need[@]})); then
  log "installing ${need[*]}"
  apt-get install -y "${need[@]}" >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y "${need[@]}" >/dev/null; }
fi

# Build the bench before starting anything, so a compile error costs nothing.
(cd "$ROOT/bench" && go build -o "$BENCH" .)

started=0
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if ((started)); then
    "$CLUSTER" down >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
if "$CLUSTER" status >/dev/null 2>&1; then
  log "reusing the running cluster"
else
  "$CLUSTER" down >/dev/null 2>&1 || true # leftovers of an interrupted run
  started=1
  "$CLUSTER" up
fi
eval "$("$CLUSTER" env)"

# The bench runs in the background so that a signal to this script reaches
# it as TERM at once; it then kills its waiters, deletes what it created and
# exits, and only then is the cluster stopped.
# shellcheck disable=SC2086 # BENCH_ARGS is a list of words on purpose
"$BENCH" --kwait "$KWAIT_BIN" --kubectl "$E2E_KUBECTL" --cluster-dir "$E2E_CLUSTER_DIR" \
  --out "$ROOT/docs/benchmarks.md" --results "$ROOT/_output/bench-results.json" \
  ${BENCH_ARGS:-} "$@" &
bench=$!
trap 'kill -TERM "$bench" 2>/dev/null || true' INT TERM
rc=0
wait "$bench" || rc=$?
while kill -0 "$bench" 2>/dev/null; do # interrupted: the bench is still cleaning up
  rc=0
  wait "$bench" || rc=$?
done
exit "$rc"
