#!/usr/bin/env bash
# Builds the kwait container image from the binary `make build` produced and
# writes it as an OCI archive to _output/kwait-image.oci.tar.
#
# Engine: docker when a daemon answers (`docker info`), else buildah, which is
# installed from Debian if missing. buildah runs rootful with the vfs driver,
# chroot isolation and its storage under .cache/containers (git-ignored), so it
# neither needs a daemon or registry nor touches the machine's own storage.
#
# Env: GOOS (linux), GOARCH (go env GOARCH), VERSION (dev), IMAGE (localhost/kwait).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GOOS=${GOOS:-linux}
GOARCH=${GOARCH:-$(go env GOARCH 2>/dev/null || echo amd64)}
VERSION=${VERSION:-dev}
IMAGE=${IMAGE:-localhost/kwait}
REF="$IMAGE:$VERSION"
BIN="$ROOT/_output/bin/$GOOS/$GOARCH/kwait"
STAGE="$ROOT/_output/image"
ARCHIVE="$ROOT/_output/kwait-image.oci.tar"
BUILDAH=(buildah --storage-driver vfs --root "$ROOT/.cache/containers/storage" --runroot "$ROOT/.cache/containers/run")

die() { echo "image: $*" >&2; exit 1; }

[[ $GOOS == linux ]] || die "GOOS=$GOOS: container images are linux only"
[[ -x $BIN ]] || die "no binary at ${BIN#"$ROOT"/}: run 'make build GOOS=$GOOS GOARCH=$GOARCH' first"
# A scratch image has no libc: a cgo binary would fail with "no such file or directory".
if command -v go >/dev/null && ! go version -m "$BIN" | grep -q 'CGO_ENABLED=0'; then
	die "${BIN#"$ROOT"/} was not built with CGO_ENABLED=0; it would not run on scratch"
fi

apt_install() {
	[[ $(id -u) == 0 ]] || die "$* missing; install it (apt-get install $*) or run as root"
	echo "installing $* (apt)"
	# A fresh machine may have no package lists yet: update once and retry.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

# The CA bundle goes into the image so HTTPS targets and the apiserver's
# public-CA setups work; kube's own CA comes from the service account mount.
[[ -s /etc/ssl/certs/ca-certificates.crt ]] || apt_install ca-certificates
mkdir -p "$STAGE"
cp /etc/ssl/certs/ca-certificates.crt "$STAGE/ca-certificates.crt"

# Commit time for image timestamps, so rebuilding the same commit gives the same digest.
EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)}
BUILD_ARGS=(--build-arg "TARGETOS=$GOOS" --build-arg "TARGETARCH=$GOARCH" --build-arg "VERSION=$VERSION")

rm -f "$ARCHIVE"
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
	engine=docker
	docker build --platform "$GOOS/$GOARCH" "${BUILD_ARGS[@]}" -t "$REF" -f "$ROOT/Dockerfile" "$ROOT"
	# Docker >= 25 saves an OCI image layout (index.json) alongside manifest.json.
	docker save -o "$ARCHIVE" "$REF"
else
	engine=buildah
	command -v buildah >/dev/null || apt_install buildah
	mkdir -p "$ROOT/.cache/containers/storage" "$ROOT/.cache/containers/run"
	# --layers=false and --force-rm: one image, no intermediate images, and the
	# working container is removed even when the build fails.
	"${BUILDAH[@]}" build --isolation chroot --layers=false --force-rm --pull=never \
		--platform "$GOOS/$GOARCH" --timestamp "$EPOCH" "${BUILD_ARGS[@]}" \
		-t "$REF" -f "$ROOT/Dockerfile" "$ROOT"
	"${BUILDAH[@]}" push --quiet "$REF" "oci-archive:$ARCHIVE:$REF"
	# The archive is the product: drop the image (and any dangling leftovers of
	# earlier runs) so the storage under .cache does not grow run after run.
	"${BUILDAH[@]}" rmi --force "$REF" >/dev/null
	"${BUILDAH[@]}" rmi --prune >/dev/null 2>&1 || true
fi

# Report sizes. The layers are gzip-compressed by buildah push and stored
# uncompressed by docker save; gzip of the whole archive is comparable for both.
archive=$(wc -c <"$ARCHIVE")
gz=$(gzip -c "$ARCHIVE" | wc -c)
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
echo "image $REF ($GOOS/$GOARCH, $engine) -> ${ARCHIVE#"$ROOT"/}"
echo "  archive $archive bytes ($(mb "$archive")), gzip -c of the archive $gz bytes ($(mb "$gz"))"
