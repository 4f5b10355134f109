#!/usr/bin/env bash
# Pushes what `make release` put in dist/ to a registry:
#   the image index  -> REGISTRY/kwait:CHART_VERSION  (crane push; all platforms, same digest)
#   the chart        -> oci://REGISTRY/charts/kwait:CHART_VERSION  (helm push)
# and checks that the registry holds the index under the digest built.
# CHART_VERSION is the archive's tag (hack/release.sh: the version without
# its "v"). Nothing is rebuilt: what was tested is what is pushed.
#
# Credentials: when REGISTRY_USERNAME and REGISTRY_PASSWORD are set, both
# crane and helm log in to the registry's host first; otherwise they use
# what `crane auth login` / `helm registry login` (or docker) stored.
#
# Usage: hack/publish.sh [--dry-run]   (--dry-run prints the two references and pushes nothing)
# Env: REGISTRY (ghcr.io/kwait-dev), DIST (dist), PLAIN_HTTP=1 for a registry
#      without TLS (localhost and 127.0.0.1 are plain HTTP anyway for crane).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REGISTRY=${REGISTRY:-ghcr.io/kwait-dev}
REGISTRY=${REGISTRY%/}
DIST=${DIST:-$ROOT/dist}
CACHE_BIN=$ROOT/.cache/bin
ARCHIVE=$DIST/kwait-image.oci.tar

die() { echo "publish: $*" >&2; exit 1; }

dry_run=0
case ${1:-} in
	--dry-run) dry_run=1 ;;
	"") ;;
	*) die "usage: $0 [--dry-run]" ;;
esac

[[ -f $ARCHIVE ]] || die "no ${ARCHIVE#"$ROOT"/}: run 'make release' first"
charts=("$DIST"/kwait-[0-9]*.tgz)
if ((${#charts[@]} != 1)) || [[ ! -f ${charts[0]} ]]; then
	die "want exactly one chart package in ${DIST#"$ROOT"/}, found: ${charts[*]}"
fi
chart=${charts[0]}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xf "$ARCHIVE" -C "$work"
tag=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"] // ""' "$work/index.json")
digest=$(jq -r '.manifests[0].digest' "$work/index.json")
[[ -n $tag ]] || die "the image archive has no tag (org.opencontainers.image.ref.name)"
chart_version=${chart##*/kwait-}
chart_version=${chart_version%.tgz}
[[ $chart_version == "$tag" ]] || die "the chart is version $chart_version but the image is tagged $tag: not one release"

image=$REGISTRY/kwait:$tag
chart_ref=oci://$REGISTRY/charts
if ((dry_run)); then
	echo "image $image@$digest"
	echo "chart $chart_ref/kwait:$chart_version"
	exit 0
fi

"$ROOT/e2e/cluster/build.sh" crane helm
crane=("$CACHE_BIN/crane")
helm_flags=()
if [[ ${PLAIN_HTTP:-0} == 1 ]]; then
	crane+=(--insecure)
	helm_flags+=(--plain-http)
fi
host=${REGISTRY%%/*}
if [[ -n ${REGISTRY_USERNAME:-} && -n ${REGISTRY_PASSWORD:-} ]]; then
	"${crane[@]}" auth login "$host" -u "$REGISTRY_USERNAME" --password-stdin <<<"$REGISTRY_PASSWORD"
	"$CACHE_BIN/helm" registry login "$host" "${helm_flags[@]}" -u "$REGISTRY_USERNAME" --password-stdin <<<"$REGISTRY_PASSWORD"
fi

# The layout has one entry, our index: crane pushes that index (--index would wrap the whole layout in another).
pushed=$("${crane[@]}" push "$work" "$image")
[[ $pushed == *"@$digest" ]] || die "crane pushed $pushed, want digest $digest"
[[ $("${crane[@]}" digest "$image") == "$digest" ]] || die "$image does not resolve to $digest in the registry"
echo "publish: $image@$digest"
"$CACHE_BIN/helm" push "$chart" "$chart_ref" "${helm_flags[@]}"
echo "publish: $chart_ref/kwait:$chart_version"
