#!/usr/bin/env bash
# Checks a kwait image archive written by hack/image.sh, one image or an
# index of several platforms. For every platform: non-root user, exec-form
# entrypoint, the OCI labels (version, revision, created, ...), nothing in
# the filesystem but /kwait and the CA bundle (so no shell), the compressed
# size within the limit. For the platform of this machine: `kwait version`
# runs inside it as the image's user and prints the labelled version, and
# /bin/sh cannot run. Prints one line per passed check; exits 1 at the first
# failed one.
#
# Usage: hack/image-test.sh [ARCHIVE]   (default _output/image/kwait-linux-ARCH.oci.tar)
# As root it runs the entrypoint of the unpacked layers with chroot(1) as the
# image's user; otherwise with docker, when a daemon answers.
# Env: MAX_COMPRESSED  bytes allowed per platform (default 8000000, 8 MB)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HOST_ARCH=$(go env GOARCH 2>/dev/null || dpkg --print-architecture)
ARCHIVE=${1:-$ROOT/_output/image/kwait-linux-$HOST_ARCH.oci.tar}
MAX_COMPRESSED=${MAX_COMPRESSED:-8000000}
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
cleanup() {
	[[ -z $ctr ]] || docker rm -f "$ctr" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# --- Static checks on the archive: OCI layout -> (index ->) manifests -> config and layers.
mkdir "$work/layout"
tar -xf "$ARCHIVE" -C "$work/layout" || fail "$ARCHIVE is not a tar archive"
[[ -f $work/layout/index.json ]] || fail "$ARCHIVE has no index.json: not an OCI archive"
blob() { echo "$work/layout/blobs/${1/://}"; }
top=$(jq -c '.manifests[0]' "$work/layout/index.json")
ref=$(jq -r '.annotations["org.opencontainers.image.ref.name"] // "(no ref.name)"' <<<"$top")
if [[ $(jq -r .mediaType <<<"$top") == *index* ]]; then
	index=$(blob "$(jq -r .digest <<<"$top")")
	[[ -f $index ]] || fail "index blob missing from the archive"
	mapfile -t descs < <(jq -c '.manifests[]' "$index")
	pass "archive is an OCI image index: $ref, $(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(", ")' "$index")"
else
	descs=("$top")
	pass "archive is an OCI image: $ref"
fi

# check_platform DESC: the static checks of one platform's image; leaves
# its config in $config and its unpacked filesystem in $rootfs.
check_platform() {
	local manifest digest media size layer files='' uncompressed=0 compressed=0 label value platform
	manifest=$(blob "$(jq -r .digest <<<"$1")")
	[[ -f $manifest ]] || fail "manifest blob $(jq -r .digest <<<"$1") missing from the archive"
	config=$(blob "$(jq -r .config.digest "$manifest")")
	[[ -f $config ]] || fail "config blob missing from the archive"
	platform=$(jq -r '.os + "/" + .architecture' "$config")

	local user entrypoint cmd
	user=$(jq -r '.config.User // ""' "$config")
	[[ $user == "$WANT_USER" ]] || fail "$platform: config User is '$user', want '$WANT_USER'"
	entrypoint=$(jq -c '.config.Entrypoint' "$config")
	[[ $entrypoint == "$WANT_ENTRYPOINT" ]] || fail "$platform: config Entrypoint is $entrypoint, want exactly $WANT_ENTRYPOINT"
	cmd=$(jq -c '.config.Cmd // [] ' "$config")
	[[ $cmd == "[]" ]] || fail "$platform: config Cmd is $cmd, want none (the pod's args are kwait's arguments)"
	pass "$platform: runs as user $user, entrypoint exactly $entrypoint, no Cmd"

	for label in title description version revision created source licenses; do
		value=$(jq -r --arg k "org.opencontainers.image.$label" '.config.Labels[$k] // ""' "$config")
		[[ -n $value ]] || fail "$platform: label org.opencontainers.image.$label is missing"
	done
	version_label=$(jq -r '.config.Labels["org.opencontainers.image.version"]' "$config")
	local created_label
	created_label=$(jq -r '.config.Labels["org.opencontainers.image.created"]' "$config")
	[[ $created_label == "$(jq -r .created "$config")" ]] ||
		fail "$platform: label created $created_label is not the config's created $(jq -r .created "$config")"
	pass "$platform: OCI labels title/description/version/revision/created/source/licenses (version $version_label, created $created_label)"

	rootfs=$work/rootfs-${platform//\//-}
	mkdir -p "$rootfs"
	while read -r digest media size; do
		layer=$(blob "$digest")
		[[ -f $layer ]] || fail "$platform: layer blob $digest missing from the archive"
		if [[ $media != *gzip* ]] || ! gzip -t "$layer" 2>/dev/null; then
			fail "$platform: layer $digest is $media, want a gzip layer"
		fi
		compressed=$((compressed + size))
		uncompressed=$((uncompressed + $(gzip -dc "$layer" | wc -c)))
		files+=$(gzip -dc "$layer" | tar -tvf - | awk '$1 !~ /^d/ { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' |
			sed -e 's|^\./||' -e 's|^/||')$'\n'
		gzip -dc "$layer" | tar -xf - -C "$rootfs" --no-same-owner
	done < <(jq -r '.layers[] | "\(.digest) \(.mediaType) \(.size)"' "$manifest")
	files=$(sort <<<"$files" | sed '/^$/d')
	if [[ $files != "$WANT_FILES" ]]; then
		mapfile -t found <<<"$files"
		fail "$platform: image filesystem holds files other than /kwait and the CA bundle:"$'\n'"$(printf '  /%s\n' "${found[@]}")"
	fi
	pass "$platform: filesystem is only /kwait and /etc/ssl/certs/ca-certificates.crt (plus directories): no shell"
	((compressed <= MAX_COMPRESSED)) || fail "$platform: $compressed bytes compressed, more than the $MAX_COMPRESSED allowed"
	pass "$platform: size $compressed bytes compressed ($(mb "$compressed"), limit $(mb "$MAX_COMPRESSED")), $uncompressed uncompressed"
}

run_desc=
for desc in "${descs[@]}"; do
	check_platform "$desc"
	[[ $(jq -r '.os + "/" + .architecture' "$config") != "linux/$HOST_ARCH" ]] || run_desc=$desc
done
if [[ -z $run_desc ]]; then
	echo "skip running: the archive has no linux/$HOST_ARCH image (running another platform needs qemu-user-static/binfmt)"
	exit 0
fi
check_platform "$run_desc" >/dev/null

# --- Run it. As root, the unpacked layers themselves, as the image's user;
# otherwise in docker, when a daemon answers.
if [[ $(id -u) == 0 ]]; then
	# What a runtime does, less the namespaces: the unpacked layers as the
	# root directory, the config's user, an empty environment.
	engine=chroot
	chroot=$(command -v chroot) || fail "chroot (coreutils) is not on PATH"
	run() { env -i "$chroot" --userspec="$WANT_USER" "$rootfs" "$@"; }
elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
	engine=docker
	loaded=$(docker load -i "$ARCHIVE")
	image=$(sed -n 's/^Loaded image: //p; s/^Loaded image ID: //p' <<<"$loaded" | head -n1)
	[[ -n $image ]] || fail "docker load printed no image: $loaded"
	ctr=kwait-image-test-$$
	run() { docker run --rm --name "$ctr" --platform "linux/$HOST_ARCH" --entrypoint "$1" "$image" "${@:2}"; }
else
	fail "running the image needs root (for chroot) or a docker daemon"
fi

out=$(run "$(jq -r '.config.Entrypoint[0]' "$config")" version 2>&1) || fail "'kwait version' failed in the image ($engine): $out"
first=${out%%$'\n'*}
[[ $first == "kwait $version_label" ]] || fail "'kwait version' printed '$first', want 'kwait $version_label' (the image's version label)"
pass "linux/$HOST_ARCH: 'kwait version' runs in the image as $WANT_USER ($engine): $first"

if out=$(run /bin/sh -c true 2>&1); then
	fail "/bin/sh ran inside the image"
fi
pass "linux/$HOST_ARCH: /bin/sh cannot be run in the image"
