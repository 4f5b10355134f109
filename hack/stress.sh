#!/usr/bin/env bash
# Runs a command (make test-stress: `make test`) while two CPU-burning
# processes compete for the cores, to show the suite holds on a busy
# machine: its timing assertions must derive their tolerances from what
# they measure, never from a quiet machine.
#
# Usage: stress.sh COMMAND...
# Env:   STRESS_RUNS     run COMMAND this many times in a row (default 1);
#                        stops at the first failure
#        STRESS_WORKERS  CPU burners (default 2)
#
# The burners are Debian's stress-ng (installed when missing), bounded by
# --timeout so none outlives a run that was killed outright.
set -euo pipefail
cd "$(dirname "$0")/.."
(($#)) || { echo "usage: stress.sh COMMAND..." >&2; exit 2; }
runs=${STRESS_RUNS:-1}
workers=${STRESS_WORKERS:-2}
[[ $runs =~ ^[1-9][0-9]*$ && $workers =~ ^[1-9][0-9]*$ ]] ||
  { echo "stress.sh: STRESS_RUNS and STRESS_WORKERS must be positive numbers" >&2; exit 2; }

command -v stress-ng >/dev/null || hack/apt-install.sh stress-ng

stress-ng --cpu "$workers" --timeout 4h --quiet &
burner=$!
# stress-ng stops its workers when TERMed.
trap 'kill -TERM "$burner" 2>/dev/null || true; wait "$burner" 2>/dev/null || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "stress.sh: $workers stress-ng CPU workers (pid $burner) while running: $*" >&2

for ((run = 1; run <= runs; run++)); do
  began=$SECONDS
  if ! "$@"; then
    echo "stress.sh: run $run of $runs failed after $((SECONDS - began))s" >&2
    exit 1
  fi
  echo "stress.sh: run $run of $runs passed in $((SECONDS - began))s" >&2
done
