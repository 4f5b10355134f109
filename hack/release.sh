#!/usr/bin/env bash
# Assembles a release into dist/ from the binaries `make release` built with
# `make build` for every platform (_output/bin/OS/ARCH/kwait):
#
#   kwait-OS-ARCH[.exe]           static binaries of RELEASE_PLATFORMS (the Makefile's: linux/amd64,
#                                 arm64, ppc64le, s390x, darwin/amd64, arm64, windows/amd64;
#                                 each at most 20 MB)
#   kwait_CHART_VERSION_OS_ARCH.tar.gz  the same binary as kwait (kwait.exe) with LICENSE and README.md,
#                                 .zip for windows; reproducible (hack/distarchive: commit-time
#                                 mtimes, owner 0:0, fixed order), what krew and most installers take
#   kwait.yaml                    krew plugin manifest (`kubectl krew install --manifest=kwait.yaml`,
#                                 `kubectl kwait`): each archive's URL under RELEASE_URL and sha256,
#                                 for the platforms krew knows (not ppc64le, s390x)
#   kwait-image.oci.tar           one OCI image index of IMAGE_PLATFORMS (the linux ones), as an OCI archive
#                                 tagged CHART_VERSION; same commit, same digest (hack/image.sh)
#   kwait-CHART_VERSION.tgz       the library chart (helm package), its version, appVersion and
#                                 default image tag set to CHART_VERSION
#   kwait-binaries.spdx.json      SBOM of the binaries (syft, SPDX JSON)
#   kwait-image-linux-ARCH.spdx.json  SBOM of each platform's image (syft, SPDX JSON)
#   kwait-provenance.slsa.json    SLSA v1 provenance predicate of the release (hack/provenance.sh);
#                                 hack/sign.sh attaches it and the SBOMs to the image as attestations
#   SHA256SUMS                    sha256sum of every file above
#
# CHART_VERSION is the version without its "v" (v0.2.0 -> 0.2.0): Helm wants
# SemVer, and the image and chart share one tag so a chart's default image
# is the image of the same release. On a release tag the chart, its values
# and deploy/ must already name that version (bump them before tagging).
#
# Env: RELEASE_PLATFORMS, IMAGE_PLATFORMS (the Makefile's, which is where
# they are named), VERSION, COMMIT (the Makefile's), DIST (default dist), REGISTRY (the
# registry `make publish` pushes to by default; the chart's default image is
# REGISTRY/kwait), RELEASE_URL (where the archives are downloaded from: the
# GitHub release of VERSION), BUILDER_ID and BUILD_INVOCATION_ID (who ran
# the build, for the provenance: hack/provenance.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=${VERSION:-$("$ROOT/hack/version.sh")}
COMMIT=${COMMIT:-$(git -C "$ROOT" rev-parse HEAD)}
DIST=${DIST:-$ROOT/dist}
REGISTRY=${REGISTRY:-ghcr.io/kwait-dev}
RELEASE_URL=${RELEASE_URL:-https://github.com/kwait-dev/kwait/releases/download/$VERSION}
CHART_VERSION=${VERSION#v}
BIN_DIR=$ROOT/_output/bin
CACHE_BIN=$ROOT/.cache/bin
read -r -a PLATFORMS <<<"${RELEASE_PLATFORMS:?run make release: the Makefile names the platforms}"
read -r -a IMAGE_PLATFORMS <<<"${IMAGE_PLATFORMS:?run make release: the Makefile names the platforms}"
MAX_BINARY=20000000

die() { echo "release: $*" >&2; exit 1; }
log() { echo "release: $*"; }

"$ROOT/e2e/cluster/build.sh" helm syft
HELM=$CACHE_BIN/helm
SYFT=$CACHE_BIN/syft

# On a release tag, the committed chart and manifests must say the tag.
if git -C "$ROOT" describe --tags --exact-match --match 'v[0-9]*' >/dev/null 2>&1; then
	committed=$(sed -n 's/^version: *//p' "$ROOT/charts/kwait/Chart.yaml")
	[[ $committed == "$CHART_VERSION" ]] ||
		die "tag $VERSION but charts/kwait/Chart.yaml says $committed: set the chart's version and appVersion, its image.tag and deploy/'s images to $CHART_VERSION and commit before tagging"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$DIST"
mkdir -p "$DIST"

# --- Binaries.
binaries=()
for p in "${PLATFORMS[@]}"; do
	src=$BIN_DIR/$p/kwait
	dst=$DIST/kwait-${p/\//-}
	[[ $p == windows/* ]] && dst+=.exe
	[[ -x $src ]] || die "no binary at ${src#"$ROOT"/}: run 'make release' (it builds every platform)"
	got=$(go version "$src" | sed 's/.*: //')
	size=$(stat -c %s "$src")
	((size <= MAX_BINARY)) || die "${src#"$ROOT"/} is $size bytes, more than $MAX_BINARY"
	cp "$src" "$dst"
	binaries+=("$dst")
	log "$(basename "$dst"): $size bytes ($got)"
done

# --- Archives: one per platform, the binary with LICENSE and README.md.
EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct "$COMMIT")}
# distarchive runs here: GOOS/GOARCH name a release platform, not its own.
(cd "$ROOT" && env -u GOOS -u GOARCH GOWORK=off go build -o "$work/distarchive" ./hack/distarchive)
for p in "${PLATFORMS[@]}"; do
	exe=kwait ext=tar.gz
	[[ $p == windows/* ]] && exe=kwait.exe ext=zip
	archive=$DIST/kwait_${CHART_VERSION}_${p%/*}_${p#*/}.$ext
	"$work/distarchive" -out "$archive" -mtime "$EPOCH" \
		"$exe=$BIN_DIR/$p/kwait" "LICENSE=$ROOT/LICENSE" "README.md=$ROOT/README.md"
	log "$(basename "$archive"): $(stat -c %s "$archive") bytes"
done

# --- The krew manifest. krew v0.4 knows linux/amd64, arm64, arm, 386, darwin
# and windows: a platform it does not know fails its validation.
krew_platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64)
{
	cat <<YAML
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: kwait
spec:
  version: $VERSION
  homepage: https://github.com/kwait-dev/kwait
  shortDescription: Wait until Kubernetes objects, endpoints and servers are ready
  description: |
    kwait waits, under one deadline, until named things are ready: CRDs,
    rollouts, jobs, pods, services, webhooks, API services, any resource with
    --for rules, and TCP, HTTP, DNS, PostgreSQL, MySQL, Redis and AMQP
    servers. It exits 0 when all are ready, 1 when one failed for good and
    124 at the deadline. Run as kubectl kwait TARGET...
  platforms:
YAML
	for p in "${krew_platforms[@]}"; do
		exe=kwait ext=tar.gz
		[[ $p == windows/* ]] && exe=kwait.exe ext=zip
		name=kwait_${CHART_VERSION}_${p%/*}_${p#*/}.$ext
		cat <<YAML
  - selector:
      matchLabels:
        os: ${p%/*}
        arch: ${p#*/}
    uri: $RELEASE_URL/$name
    sha256: $(sha256sum "$DIST/$name" | cut -d' ' -f1)
    bin: $exe
    files:
    - from: $exe
      to: .
    - from: LICENSE
      to: .
YAML
	done
} >"$DIST/kwait.yaml"
log "kwait.yaml: krew manifest, ${#krew_platforms[@]} platforms under $RELEASE_URL"

# --- The image index.
PLATFORMS="${IMAGE_PLATFORMS[*]}" OUT=$DIST/kwait-image.oci.tar VERSION=$VERSION COMMIT=$COMMIT \
	"$ROOT/hack/image.sh" | sed 's/^/release: /'

# --- The chart, with the release's version and image.
cp -R "$ROOT/charts/kwait" "$work/kwait"
sed -i -e "s|^version:.*|version: $CHART_VERSION|" -e "s|^appVersion:.*|appVersion: \"$CHART_VERSION\"|" "$work/kwait/Chart.yaml"
sed -i -e "s|^  repository: .*|  repository: $REGISTRY/kwait|" -e "s|^  tag: .*|  tag: \"$CHART_VERSION\"|" "$work/kwait/values.yaml"
HELM_CACHE_HOME=$work/helm HELM_CONFIG_HOME=$work/helm HELM_DATA_HOME=$work/helm \
	"$HELM" package "$work/kwait" --destination "$DIST" >/dev/null
chart=$DIST/kwait-$CHART_VERSION.tgz
[[ -f $chart ]] || die "helm package did not write ${chart#"$ROOT"/}"
show() { HELM_CACHE_HOME=$work/helm HELM_CONFIG_HOME=$work/helm HELM_DATA_HOME=$work/helm "$HELM" show "$1" "$chart"; }
[[ $(show values | sed -n 's/^  tag: //p') == "\"$CHART_VERSION\"" ]] || die "the packaged chart's image.tag is not $CHART_VERSION"
[[ $(show chart | sed -n 's/^appVersion: //p') == "$CHART_VERSION" ]] || die "the packaged chart's appVersion is not $CHART_VERSION"
log "$(basename "$chart"): image $REGISTRY/kwait:$CHART_VERSION"

# --- SBOMs. syft reads the Go build information of each binary (the main
# module, its dependencies and the Go version) and, for the images, their
# files; SPDX JSON.
export SYFT_CHECK_FOR_APP_UPDATE=false
mkdir "$work/bin"
cp "${binaries[@]}" "$work/bin/"
"$SYFT" scan -q "dir:$work/bin" --source-name kwait --source-version "$VERSION" \
	-o "spdx-json=$DIST/kwait-binaries.spdx.json"
for p in "${IMAGE_PLATFORMS[@]}"; do
	"$SYFT" scan -q "oci-archive:$DIST/kwait-image.oci.tar" --platform "$p" --source-name kwait --source-version "$VERSION" \
		-o "spdx-json=$DIST/kwait-image-${p/\//-}.spdx.json"
done
log "SBOMs: $(cd "$DIST" && echo ./*.spdx.json)"

# --- Provenance: the build facts, for hack/sign.sh to attest.
VERSION=$VERSION COMMIT=$COMMIT RELEASE_PLATFORMS="${PLATFORMS[*]}" \
	"$ROOT/hack/provenance.sh" "${binaries[@]}" >"$DIST/kwait-provenance.slsa.json"
log "kwait-provenance.slsa.json: $(jq -r '.runDetails.builder.id' "$DIST/kwait-provenance.slsa.json")"

# --- Checksums of everything.
(cd "$DIST" && sha256sum -- kwait-* kwait_* kwait.yaml >SHA256SUMS)
log "dist/: $(find "$DIST" -type f | wc -l) files, $(du -sh "$DIST" | cut -f1)"
