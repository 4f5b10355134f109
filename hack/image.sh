#!/usr/bin/env bash
# Builds kwait's container image from binaries `make build` produced and
# writes it as an OCI archive (a tar of an OCI image layout):
#   one platform   GOOS/GOARCH -> _output/image/kwait-GOOS-GOARCH.oci.tar (make image)
#   several        PLATFORMS="linux/amd64 linux/arm64" OUT=FILE -> one image index (make release)
# Each platform's binary is _output/bin/OS/ARCH/kwait unless BIN_DIR says
# where OS/ARCH/kwait are. Platforms never share an output file, so building
# arm64 leaves the amd64 archive alone.
#
# The image is assembled by hack/ocibuild (go-containerregistry): no daemon,
# no registry, no base image. Every timestamp is the commit time
# (SOURCE_DATE_EPOCH overrides it), so the same commit gives the same digest.
# The archive's tag is the version without its "v" (the tag `make publish`
# pushes, the chart's version); the version label is what `kwait version` says.
#
# Env: GOOS (linux), GOARCH (go env GOARCH), PLATFORMS, OUT, BIN_DIR,
#      VERSION (hack/version.sh), COMMIT (git rev-parse HEAD), SOURCE_DATE_EPOCH.
# Prints the archive, its digest and the compressed size of each platform.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GOOS=${GOOS:-linux}
GOARCH=${GOARCH:-$(go env GOARCH)}
PLATFORMS=${PLATFORMS:-$GOOS/$GOARCH}
VERSION=${VERSION:-$("$ROOT/hack/version.sh")}
COMMIT=${COMMIT:-$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)}
BIN_DIR=${BIN_DIR:-$ROOT/_output/bin}
CA=$ROOT/_output/image/ca-certificates.crt

die() { echo "image: $*" >&2; exit 1; }

read -r -a platforms <<<"$PLATFORMS"
if [[ -z ${OUT:-} ]]; then
	((${#platforms[@]} == 1)) || die "several PLATFORMS need OUT=FILE"
	OUT=$ROOT/_output/image/kwait-${platforms[0]/\//-}.oci.tar
fi

args=()
for p in "${platforms[@]}"; do
	[[ $p == linux/* ]] || die "$p: container images are linux only"
	bin=$BIN_DIR/$p/kwait
	[[ -x $bin ]] || die "no binary at ${bin#"$ROOT"/}: run 'make build GOOS=${p%/*} GOARCH=${p#*/}' first"
	# A scratch image has no libc: a cgo binary would fail with "no such file or directory".
	go version -m "$bin" | grep -q 'CGO_ENABLED=0' ||
		die "${bin#"$ROOT"/} was not built with CGO_ENABLED=0; it would not run on scratch"
	args+=(-platform "$p=$bin")
done
((${#platforms[@]} == 1)) || args+=(-index)

# The CA bundle goes into the image so HTTPS targets and the apiserver's
# public-CA setups work; kube's own CA comes from the service account mount.
if [[ ! -s /etc/ssl/certs/ca-certificates.crt ]]; then
	[[ $(id -u) == 0 ]] || die "no /etc/ssl/certs/ca-certificates.crt: apt-get install ca-certificates"
	apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null; }
fi
mkdir -p "$(dirname "$CA")"
cp /etc/ssl/certs/ca-certificates.crt "$CA"

# Commit time for every timestamp, so rebuilding the same commit gives the same digest.
EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct "$COMMIT" 2>/dev/null || echo 0)}

# ocibuild runs here: GOOS/GOARCH name the image's platform, not its own.
digest=$(env -u GOOS -u GOARCH GOWORK=off GOFLAGS=-mod=readonly go -C "$ROOT/hack/ocibuild" run . -out "$OUT" -ca "$CA" \
	-version "$VERSION" -tag "${VERSION#v}" -revision "$COMMIT" -created "$EPOCH" "${args[@]}")

echo "image $VERSION (${platforms[*]}) -> ${OUT#"$ROOT"/}"
echo "  digest $digest"
# The compressed size of a platform is what a node pulls: its gzip layers.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xf "$OUT" -C "$work"
blob() { echo "$work/blobs/${1/://}"; }
manifests=$(jq -r '.manifests[0].digest' "$work/index.json")
if [[ $(jq -r '.manifests[0].mediaType' "$work/index.json") == *index* ]]; then
	manifests=$(jq -r '.manifests[] | .digest' "$(blob "$manifests")")
fi
for m in $manifests; do
	cfg=$(blob "$(jq -r .config.digest "$(blob "$m")")")
	size=$(jq '[.layers[].size] | add' "$(blob "$m")")
	printf '  %s: %s bytes compressed (%s)\n' "$(jq -r '.os + "/" + .architecture' "$cfg")" "$size" \
		"$(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
done
