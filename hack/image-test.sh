#!/usr/bin/env bash
# Checks the kwait image archive written by hack/image.sh: non-root user,
# exec-form entrypoint, nothing in the filesystem but /kwait and the CA bundle
# (so no shell), and that `kwait version` runs inside it. Prints one line per
# passed check and the image sizes; exits 1 at the first failed check.
#
# Usage: hack/image-test.sh [ARCHIVE]   (default _output/kwait-image.oci.tar)
# Runs the image with docker when a daemon answers, else with buildah (chroot
# isolation, storage under .cache/containers, as hack/image.sh does).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCHIVE=${1:-$ROOT/_output/kwait-image.oci.tar}
BUILDAH=(buildah --storage-driver vfs --root "$ROOT/.cache/containers/storage" --runroot "$ROOT/.cache/containers/run")
WANT_USER=65532:65532
WANT_ENTRYPOINT='["/kwait"]'
WANT_FILES=$'etc/ssl/certs/ca-certificates.crt\nkwait'

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok   $*"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

command -v jq >/dev/null || fail "jq is needed (apt-get install jq)"
[[ -f $ARCHIVE ]] || fail "no archive at $ARCHIVE: run hack/image.sh (or make image) first"

work=$(mktemp -d)
ctr=
image_id=
engine=
cleanup() {
	if [[ $engine == buildah ]]; then
		[[ -z $ctr ]] || "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true
		[[ -z $image_id ]] || "${BUILDAH[@]}" rmi --force "$image_id" >/dev/null 2>&1 || true
	elif [[ $engine == docker && -n $ctr ]]; then
		docker rm -f "$ctr" >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# --- Static checks on the archive: OCI layout -> manifest -> config and layers.
tar -xf "$ARCHIVE" -C "$work" || fail "$ARCHIVE is not a tar archive"
[[ -f $work/index.json ]] || fail "$ARCHIVE has no index.json: not an OCI archive"
blob() { echo "$work/blobs/${1/://}"; }
desc=$(jq -c '.manifests[0]' "$work/index.json")
# An image index (multi-platform, or docker's containerd store) points at the
# per-platform manifests: take the first real platform (not an attestation).
while [[ $(jq -r .mediaType <<<"$desc") == *index* ]]; do
	desc=$(jq -c '[.manifests[] | select(.platform.architecture != "unknown")][0]' "$(blob "$(jq -r .digest <<<"$desc")")")
	[[ $desc != null ]] || fail "image index has no platform manifest"
done
manifest=$(blob "$(jq -r .digest <<<"$desc")")
[[ -f $manifest ]] || fail "manifest blob $(jq -r .digest <<<"$desc") missing from the archive"
config=$(blob "$(jq -r .config.digest "$manifest")")
[[ -f $config ]] || fail "config blob missing from the archive"
ref=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"] // "(no ref.name)"' "$work/index.json")
pass "archive is an OCI image layout: $ref, $(jq -r '.os + "/" + .architecture' "$config")"

user=$(jq -r '.config.User // ""' "$config")
[[ $user == "$WANT_USER" ]] || fail "config User is '$user', want '$WANT_USER'"
pass "runs as user $user"

entrypoint=$(jq -c '.config.Entrypoint' "$config")
[[ $entrypoint == "$WANT_ENTRYPOINT" ]] || fail "config Entrypoint is $entrypoint, want exactly $WANT_ENTRYPOINT"
cmd=$(jq -c '.config.Cmd // [] ' "$config")
[[ $cmd == "[]" ]] || fail "config Cmd is $cmd, want none (the pod's args are kwait's arguments)"
pass "entrypoint is exactly $entrypoint, no Cmd"

for label in title description version source licenses; do
	value=$(jq -r --arg k "org.opencontainers.image.$label" '.config.Labels[$k] // ""' "$config")
	[[ -n $value ]] || fail "label org.opencontainers.image.$label is missing"
done
version_label=$(jq -r '.config.Labels["org.opencontainers.image.version"]' "$config")
pass "OCI labels title/description/version/source/licenses set (version $version_label)"

# Every non-directory entry of every layer; the sizes are counted on the way.
uncompressed=0
compressed=0
files=
while read -r digest media size; do
	layer=$(blob "$digest")
	[[ -f $layer ]] || fail "layer blob $digest missing from the archive"
	if gzip -t "$layer" 2>/dev/null; then
		compressed=$((compressed + size))
		raw() { gzip -dc "$layer"; }
	else
		[[ $media != *gzip* ]] || fail "layer $digest is declared $media but is not gzip"
		compressed=$((compressed + $(gzip -c "$layer" | wc -c)))
		raw() { cat "$layer"; }
	fi
	uncompressed=$((uncompressed + $(raw | wc -c)))
	files+=$(raw | tar -tvf - | awk '$1 !~ /^d/ { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' |
		sed -e 's|^\./||' -e 's|^/||')$'\n'
done < <(jq -r '.layers[] | "\(.digest) \(.mediaType) \(.size)"' "$manifest")
files=$(sort <<<"$files" | sed '/^$/d')
if [[ $files != "$WANT_FILES" ]]; then
	mapfile -t found <<<"$files"
	fail "image filesystem holds files other than /kwait and the CA bundle:"$'\n'"$(printf '  /%s\n' "${found[@]}")"
fi
pass "filesystem is only /kwait and /etc/ssl/certs/ca-certificates.crt (plus directories): no shell, no /bin/sh"

# --- Run it.
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
	engine=docker
	loaded=$(docker load -i "$ARCHIVE")
	image=$(sed -n 's/^Loaded image: //p; s/^Loaded image ID: //p' <<<"$loaded" | head -n1)
	[[ -n $image ]] || fail "docker load printed no image: $loaded"
	ctr=kwait-image-test-$$
	run() { docker run --rm --name "$ctr" --entrypoint "$1" "$image" "${@:2}"; }
else
	engine=buildah
	command -v buildah >/dev/null || fail "neither a docker daemon nor buildah: run hack/image.sh first (it installs buildah)"
	mkdir -p "$ROOT/.cache/containers/storage" "$ROOT/.cache/containers/run"
	ctr=$("${BUILDAH[@]}" from --quiet --pull-always --name "kwait-image-test-$$" "oci-archive:$ARCHIVE")
	image_id=$("${BUILDAH[@]}" inspect --type container --format '{{.FromImageID}}' "$ctr")
	run() { "${BUILDAH[@]}" run --isolation chroot "$ctr" -- "$@"; }
fi

platform=$(jq -r '.os + "/" + .architecture' "$config")
host=linux/$(go env GOARCH 2>/dev/null || dpkg --print-architecture)
hint=
[[ $platform == "$host" ]] || hint=" (image is $platform, host is $host: running it needs qemu-user-static/binfmt)"
out=$(run /kwait version 2>&1) || fail "'kwait version' failed in the image ($engine)$hint: $out"
[[ $out == "kwait "* ]] || fail "'kwait version' printed '$out', want 'kwait <version>'"
[[ $out == *"$version_label"* ]] || fail "'kwait version' printed '$out' but the image label says version $version_label"
pass "'kwait version' runs in the image as $user ($engine): $out"

if out=$(run /bin/sh -c true 2>&1); then
	fail "/bin/sh ran inside the image"
fi
pass "/bin/sh cannot be run in the image"

echo "size: uncompressed $uncompressed bytes ($(mb "$uncompressed")) of layer tar," \
	"compressed $compressed bytes ($(mb "$compressed")) of gzip layers (what a registry stores and a node pulls)"
