#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a fixed number of inputs
# (default 10000 each), on top of the committed seed corpora that `go test`
# already replays.
#
# Usage: fuzz.sh [FUZZTIME]   a count such as 10000x (the default), or a
#                             duration such as 30s for a longer local run
#
# A count, not a duration: with -fuzztime 5s, `go test` gives the whole run,
# worker start-up and the baseline pass over the corpus included, a 5s
# context, and on a loaded machine that ran out before fuzzing began and
# the target failed with "context deadline exceeded". A count has no
# deadline; it does the same work on any machine, only slower when busy.
# One worker (-parallel 1) because the machine's cores are what the rest of
# the run and other jobs compete for.
set -euo pipefail
fuzztime=${1:-10000x}
cd "$(dirname "$0")/.."

targets=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  while read -r name; do
    [[ -n $name ]] || continue
    targets=$((targets + 1))
    start=$SECONDS
    if ! out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel 1 "$pkg" 2>&1); then
      echo "$out"
      echo "fuzz.sh: $pkg $name failed" >&2
      exit 1
    fi
    echo "fuzz $pkg $name ($fuzztime, $((SECONDS - start))s)"
  done < <(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //')
done
((targets > 0)) || { echo "fuzz.sh: no fuzz targets found" >&2; exit 1; }
