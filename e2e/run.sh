#!/usr/bin/env bash
# Runs the e2e suite against the local control plane. A cluster that is
# already up (make cluster-up) is reused and left running; otherwise one is
# started for the run and stopped afterwards, also on failure or interrupt.
#
#   KWAIT_BIN        the kwait binary under test (make e2e sets it)
#   E2E_RUN          only tests matching this regexp (go test -run), in ./e2e and
#                    in the e2e/helmsdk module
#   E2E_COUNT        run the suite this many times (default 1)
#   E2E_REAL_NODE=1  also start the real node (e2e/cluster/node.sh) and run
#                    the tests that need it (they skip otherwise)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER=$ROOT/e2e/cluster/cluster.sh
: "${KWAIT_BIN:?set KWAIT_BIN to the kwait binary (make e2e does)}"

if "$CLUSTER" status >/dev/null 2>&1; then
  echo "e2e: reusing the running cluster"
else
  trap '"$CLUSTER" down >/dev/null 2>&1 || true' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  "$CLUSTER" down >/dev/null 2>&1 || true # leftovers of an interrupted run
  "$CLUSTER" up
fi
# A reused cluster may have been started without the real node.
if [[ ${E2E_REAL_NODE:-0} == 1 ]]; then
  "$ROOT/e2e/cluster/build.sh" node
  "$ROOT/e2e/cluster/node.sh" up
fi
# The release test pushes to a real OCI registry and reads it with crane,
# signs and verifies there with cosign, and installs the krew manifest with
# krew (kubectl is the control plane's); the protocol tests' servers for
# MongoDB, Kafka and gRPC (protoserver).
"$ROOT/e2e/cluster/build.sh" registry crane cosign krew validate-krew-manifest protoserver
eval "$("$CLUSTER" env)"
export KWAIT_BIN

cd "$ROOT"
go test -tags e2e -count="${E2E_COUNT:-1}" -timeout 45m -v -run "${E2E_RUN:-.}" ./e2e/
# The chart through the Helm SDK as Flux's helm-controller drives it: a
# module of its own, so Helm's dependencies stay out of kwait's build.
(cd e2e/helmsdk && GOWORK=off go test -tags e2e -count="${E2E_COUNT:-1}" -timeout 15m -v -run "${E2E_RUN:-.}" ./...)
