#!/usr/bin/env bash
# Lints and renders every chart in charts/ and checks the output against the
# golden files in charts/tests/golden/:
#
#   - helm lint --strict: the kwait library chart, each example, the render
#     harness (charts/tests/render) with each of its cases
#   - golden: every case in charts/tests/render/cases/ (the library's named
#     templates called with those parameters) and every example chart. A
#     case's comment lines "# helm-args: ARGS" add helm template arguments
#     (e.g. --api-versions), "# absent: REGEX" fails the case when its
#     output matches the extended regular expression, and "# every-object:
#     TEXT" when a YAML document of its output does not contain TEXT
#   - every file in charts/tests/render/invalid/ must fail to render with the
#     message in its first line ("# error: ..."; "# helm-args:" as for cases)
#   - every define of the library chart but the generated kwait.table is at
#     most 60 lines and shows its call (an include of it) in its comment
#   - charts/kwait/README.md has only absolute links and a row for every key
#     a kwait.manifests call accepts (the list invalid/manifests-unknown-key.yaml
#     fails with); the image in its artifacthub.io/images annotation is
#     values.yaml's, tagged appVersion
#   - deploy/ and each of its components build with kustomize (kubectl
#     kustomize), when kubectl is there
#
# Lint, golden output and refused input are checked under Helm 3 and Helm 4,
# against the same golden files: a chart renders the same under both.
# Dependencies are built in a copy of charts/, so the repository stays clean.
#
# Env: HELM           Helm 3 binary (default .cache/bin/helm, built by
#                     e2e/cluster/build.sh helm when missing)
#      HELM4          Helm 4 binary (default .cache/bin/helm4, built by
#                     e2e/cluster/build.sh helm4 when missing)
#      KUBECTL        kubectl binary for the deploy/ check (default .cache/bin/kubectl)
#      UPDATE_GOLDEN  1: rewrite the golden files instead of comparing
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GOLDEN=$ROOT/charts/tests/golden
UPDATE=${UPDATE_GOLDEN:-0}

BIN=${E2E_BIN_DIR:-$ROOT/.cache/bin}
if [[ -z ${HELM:-} ]]; then
  HELM=$BIN/helm
  [[ -x $HELM ]] || "$ROOT/e2e/cluster/build.sh" helm
fi
if [[ -z ${HELM4:-} ]]; then
  HELM4=$BIN/helm4
  [[ -x $HELM4 ]] || "$ROOT/e2e/cluster/build.sh" helm4
fi
[[ -x $HELM ]] || { echo "charts-test: no helm at $HELM" >&2; exit 1; }
[[ -x $HELM4 ]] || { echo "charts-test: no helm4 at $HELM4" >&2; exit 1; }
HELM_UNDER_TEST=$HELM
KUBECTL=${KUBECTL:-$ROOT/.cache/bin/kubectl}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Helm keeps caches and repository settings in these; none of the user's.
export HELM_CACHE_HOME=$WORK/helm/cache HELM_CONFIG_HOME=$WORK/helm/config HELM_DATA_HOME=$WORK/helm/data
cp -R "$ROOT/charts" "$WORK/charts"
find "$WORK/charts" \( -name Chart.lock -o -name 'kwait-*.tgz' \) -delete
C=$WORK/charts

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
# helm: the Helm under test (dependency builds always use Helm 3).
helm() { "$HELM_UNDER_TEST" "$@"; }

# Dependencies: deepest charts first, so an umbrella's subchart has its own
# dependencies before the umbrella is linted.
while IFS= read -r chart; do
  grep -q 'repository: file://' "$chart/Chart.yaml" || continue
  helm dependency build "$chart" >/dev/null
done < <(find "$C" -name Chart.yaml -printf '%d %h\n' | sort -rn | cut -d' ' -f2-)

# document_ends FILE: FILE without the empty lines right before a "---" or
# at its end. Helm 4 ends each document of `helm template` with one, Helm 3
# does not; nothing else may differ.
document_ends() {
  awk '
    /^$/ { blank++; next }
    /^---/ { blank = 0 }
    { while (blank > 0) { print ""; blank-- } print }' "$1" >"$1.ends" && mv "$1.ends" "$1"
}

# compare NAME FILE: FILE against $GOLDEN/NAME, or write it there (Helm 3's
# output only: Helm 4's must equal it).
compare() {
  local name=$1 got=$2 want=$GOLDEN/$1
  document_ends "$got"
  if [[ $UPDATE == 1 && $HELM_UNDER_TEST == "$HELM" ]]; then
    mkdir -p "$(dirname "$want")"
    cp "$got" "$want"
    echo "updated ${want#"$ROOT"/}"
  elif [[ ! -f $want ]]; then
    fail "no golden file ${want#"$ROOT"/} (run with UPDATE_GOLDEN=1)"
  elif ! diff -u "$want" "$got"; then
    fail "${want#"$ROOT"/} differs from the output of $(basename "$HELM_UNDER_TEST") (UPDATE_GOLDEN=1 rewrites it from Helm 3's)"
  fi
}

# every_object TEXT FILE: true when each YAML document of FILE contains TEXT.
every_object() {
  awk -v text="$1" '
    function done() { if (doc != "" && index(doc, text) == 0) { missing++; print "no \"" text "\" in:\n" doc } doc = "" }
    /^---/ { done(); next }
    { doc = doc $0 "\n" }
    END { done(); exit missing > 0 }' "$2" >&2
}

# lint ARGS...: helm lint --strict, its output shown only when it fails.
lint() {
  local out
  out=$(helm lint --strict "$@" 2>&1) || {
    echo "$out" >&2
    fail "helm lint ${*#"$C"/}"
  }
}

# check_charts: lint, golden output and refused input under the Helm in
# HELM_UNDER_TEST.
check_charts() {
echo "== $(basename "$HELM_UNDER_TEST") $("$HELM_UNDER_TEST" version --short): helm lint"
lint "$C/kwait"
for chart in "$C"/examples/*/; do
  lint --with-subcharts "$chart"
done
for case in "$C"/tests/render/cases/*.yaml; do
  lint "$C/tests/render" -f "$case"
done

echo "== library templates: golden output"
for case in "$C"/tests/render/cases/*.yaml; do
  name=$(basename "$case")
  read -ra extra <<<"$(sed -n 's/^# helm-args: //p' "$case")"
  if helm template rel "$C/tests/render" --namespace shop -f "$case" "${extra[@]}" >"$WORK/out.yaml"; then
    compare "render/$name" "$WORK/out.yaml"
    while IFS= read -r absent; do
      if grep -nE -- "$absent" "$WORK/out.yaml" >&2; then
        fail "cases/$name: the output matches $absent"
      fi
    done < <(sed -n 's/^# absent: //p' "$case")
    while IFS= read -r text; do
      every_object "$text" "$WORK/out.yaml" || fail "cases/$name: an object without $text"
    done < <(sed -n 's/^# every-object: //p' "$case")
  else
    fail "helm template tests/render -f cases/$name"
  fi
done

echo "== examples: golden output"
# golden-name example release namespace extra-args..., one line per render
while read -r golden example release namespace extra; do
  # shellcheck disable=SC2086 # extra is a word list on purpose
  if helm template "$release" "$C/examples/$example" --namespace "$namespace" $extra >"$WORK/out.yaml"; then
    compare "examples/$golden.yaml" "$WORK/out.yaml"
  else
    fail "helm template examples/$example $extra"
  fi
done <<'EOF'
infra infra infra operators
app app web web --set operator.namespace=operators
umbrella umbrella shop shop
operator-suite operator-suite platform platform
webhook-operator webhook-operator pki cert-manager
crd-check crd-check crds crds
crd-check-disabled crd-check crds crds --set crdCheck.enabled=false
EOF

echo "== examples: names under the longest release name Helm accepts (53 characters)"
# Every namespaced object's name must be a DNS label (at most 63
# characters): kwait.fitName shortens what a long release name would push
# past it.
long=a-release-name-of-fifty-three-characters-for-flux-xyz
for example in "$C"/examples/*/; do
  if helm template "$long" "$example" --namespace ns >"$WORK/out.yaml"; then
    awk '
      function check() {
        if (name != "" && ns && (length(name) > 63 || name !~ /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)) { print "not a DNS label: " name; bad = 1 }
        name = ""; ns = 0; meta = 0
      }
      /^---/ { check(); next }
      /^metadata:/ { meta = 1; next }
      meta && /^[^ ]/ { check(); next }
      meta && /^  namespace:/ { ns = 1 }
      meta && /^  name:/ { name = $2 }
      END { check(); exit bad }' "$WORK/out.yaml" >&2 || fail "examples/$(basename "$example") with release name $long"
  else
    fail "helm template $long examples/$(basename "$example")"
  fi
done

echo "== library templates: refused input"
for case in "$C"/tests/render/invalid/*.yaml; do
  want=$(sed -n '1s/^# error: //p' "$case")
  [[ -n $want ]] || { fail "${case#"$C"/} has no '# error:' first line"; continue; }
  read -ra extra <<<"$(sed -n 's/^# helm-args: //p' "$case")"
  if out=$(helm template rel "$C/tests/render" --namespace shop -f "$case" "${extra[@]}" 2>&1); then
    fail "${case#"$C"/} rendered, want an error containing: $want"
  elif [[ $out != *"$want"* ]]; then
    fail "${case#"$C"/}: want an error containing: $want; got: $out"
  fi
done
}

check_charts
HELM_UNDER_TEST=$HELM4
check_charts

echo "== chart metadata"
# The README is shown by Artifact Hub and `helm show readme`, away from the
# repository: every link must be absolute (or an anchor).
if grep -nE '\]\((\.|[a-z]+[^:)]*\))' "$ROOT/charts/kwait/README.md" | grep -vE '\]\((https?://|#)' >&2; then
  fail "charts/kwait/README.md has relative links, which break once the chart is packaged"
fi
# The image Artifact Hub lists is the one values.yaml runs, at appVersion.
app_version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$ROOT/charts/kwait/Chart.yaml")
listed=$(sed -n 's/^ *image: *//p' "$ROOT/charts/kwait/Chart.yaml")
repository=$(sed -n 's/^  repository: *//p' "$ROOT/charts/kwait/values.yaml")
tag=$(sed -n 's/^  tag: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$ROOT/charts/kwait/values.yaml")
if [[ $listed != "$repository:$tag" || $tag != "$app_version" ]]; then
  fail "artifacthub.io/images ($listed), values.yaml image ($repository:$tag) and appVersion ($app_version) disagree"
fi

# Every key a kwait.manifests call accepts (the list its unknown-key case
# must fail with, in full) has a row in the README.
keys=$(sed -n '1s/.*accepted keys: //p' "$ROOT/charts/tests/render/invalid/manifests-unknown-key.yaml")
[[ -n $keys ]] || fail "invalid/manifests-unknown-key.yaml: no accepted keys on its first line"
for key in ${keys//,/ }; do
  grep -q "\`$key\`" "$ROOT/charts/kwait/README.md" || fail "kwait.manifests key $key is not in charts/kwait/README.md"
done

# Every define of the library chart but the generated table (kwait.table) is
# at most 60 lines, and its comment shows how it is called (an include of it).
defines=$(awk '
  /^\{\{\/\*/ { comment = ""; incomment = 1 }
  incomment { comment = comment $0 "\n" }
  /\*\/\}\}/ { incomment = 0 }
  /\{\{- define "/ {
    name = $0; sub(/.*define "/, "", name); sub(/".*/, "", name)
    start = FNR; open = 1; depth = 0
    if (index(comment, "include \"" name "\"") == 0) print FILENAME ": " name ": its comment does not show its call"
  }
  open {
    depth += gsub(/\{\{-? *(if|range|with|define)[ }]/, "&")
    depth -= gsub(/\{\{-? *end[ -]/, "&")
    if (depth == 0) {
      open = 0
      if (FNR - start + 1 > 60 && name != "kwait.table") print FILENAME ": " name ": " FNR - start + 1 " lines, more than 60"
    }
  }' "$ROOT"/charts/kwait/templates/_*.tpl)
if [[ -n $defines ]]; then
  echo "$defines" >&2
  fail "library chart defines: split the long ones, show each one's call in its comment"
fi

echo "== deploy/ (kustomize)"
if [[ -x $KUBECTL ]]; then
  "$KUBECTL" kustomize "$ROOT/deploy" >/dev/null || fail "kubectl kustomize deploy"
  for component in "$ROOT"/deploy/components/*/; do
    "$KUBECTL" kustomize "$component" >/dev/null || fail "kubectl kustomize ${component#"$ROOT"/}"
  done
else
  echo "skipped: no kubectl at $KUBECTL"
fi

if ((failures)); then
  echo "charts-test: $failures failure(s)" >&2
  exit 1
fi
echo "charts-test: ok"
