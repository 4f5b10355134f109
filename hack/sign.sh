#!/usr/bin/env bash
# Signs what `make publish` pushed, with cosign, in the registry itself:
#   REGISTRY/kwait@DIGEST          the image index, and each platform's image in it (--recursive)
#   REGISTRY/charts/kwait@DIGEST   the chart (an OCI artifact: Flux's verify.provider cosign checks it)
# and attaches to the image, as signed in-toto attestations:
#   the index      kwait-provenance.slsa.json (--type slsaprovenance1) and kwait-binaries.spdx.json (--type spdxjson)
#   each platform  its image's SBOM kwait-image-linux-ARCH.spdx.json (--type spdxjson)
# Everything is signed by digest: the digests of dist/'s image archive and of
# dist/'s chart package, checked against what the registry's tags resolve to,
# so what is signed is what was built and tested.
#
# Two ways to sign:
#   COSIGN_KEY=cosign.key   a key pair (`cosign generate-key-pair`; COSIGN_PASSWORD is the key's password)
#   COSIGN_KEY unset        keyless: a Fulcio certificate for the OIDC identity of the run (the release
#                           workflow's, with id-token: write), every signature recorded in Rekor
# TLOG=0 uploads nothing to the transparency log (with a key, for a registry
# that is offline or private; hack/verify.sh then needs TLOG=0 too).
# Credentials: cosign and crane use the registry login make publish stored
# (REGISTRY_USERNAME/REGISTRY_PASSWORD there, or `crane auth login`).
#
# Usage: hack/sign.sh   (after make publish)
# Env:   REGISTRY (ghcr.io/kwait-dev), DIST (dist), COSIGN_KEY, COSIGN_PASSWORD, TLOG (1),
#        PLAIN_HTTP=1 for a registry without TLS.
# Exit:  0 signed, 1 a step failed, 2 bad usage.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REGISTRY=${REGISTRY:-ghcr.io/kwait-dev}
REGISTRY=${REGISTRY%/}
DIST=${DIST:-$ROOT/dist}
CACHE_BIN=$ROOT/.cache/bin
TLOG=${TLOG:-1}

die() { echo "sign: $*" >&2; exit 1; }
usage() { echo "sign: $*" >&2; exit 2; }
log() { echo "sign: $*"; }

(($# == 0)) || usage "usage: $0 (no arguments; see the comment at the top for its environment)"
[[ $TLOG == 0 || $TLOG == 1 ]] || usage "TLOG must be 0 or 1, not '$TLOG'"
[[ ${PLAIN_HTTP:-0} == [01] ]] || usage "PLAIN_HTTP must be 0 or 1, not '$PLAIN_HTTP'"
[[ $TLOG == 1 || -n ${COSIGN_KEY:-} ]] || usage "TLOG=0 needs COSIGN_KEY: a keyless signature is only trusted through the transparency log"
[[ -z ${COSIGN_KEY:-} || -f $COSIGN_KEY ]] || usage "COSIGN_KEY=$COSIGN_KEY is not a file"
archive=$DIST/kwait-image.oci.tar
[[ -f $archive ]] || die "no ${archive#"$ROOT"/}: run 'make release' and 'make publish' first"
charts=("$DIST"/kwait-[0-9]*.tgz)
if ((${#charts[@]} != 1)) || [[ ! -f ${charts[0]} ]]; then
	die "want exactly one chart package in ${DIST#"$ROOT"/}, found: ${charts[*]}"
fi
chart=${charts[0]}
for f in kwait-provenance.slsa.json kwait-binaries.spdx.json; do
	[[ -f $DIST/$f ]] || die "no ${DIST#"$ROOT"/}/$f: run 'make release' first"
done

"$ROOT/e2e/cluster/build.sh" crane cosign
command -v jq >/dev/null || "$ROOT/hack/apt-install.sh" jq
crane=("$CACHE_BIN/crane")
cosign=("$CACHE_BIN/cosign")
flags=(--yes)
if [[ ${PLAIN_HTTP:-0} == 1 ]]; then
	crane+=(--insecure)
	flags+=(--allow-http-registry)
fi
[[ -n ${COSIGN_KEY:-} ]] && flags+=(--key "$COSIGN_KEY")
[[ $TLOG == 1 ]] || flags+=(--tlog-upload=false)

# What was built: the index's tag and digest from the archive, the chart's
# version from its file name and its content digest from its bytes.
index=$(tar -xOf "$archive" index.json)
tag=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"] // ""' <<<"$index")
digest=$(jq -r '.manifests[0].digest' <<<"$index")
[[ -n $tag ]] || die "the image archive has no tag"
version=${chart##*/kwait-}
version=${version%.tgz}
[[ $version == "$tag" ]] || die "the chart is version $version but the image is tagged $tag: not one release"
image=$REGISTRY/kwait
chart_repo=$REGISTRY/charts/kwait

# What the registry holds under those tags must be exactly that.
[[ $("${crane[@]}" digest "$image:$tag") == "$digest" ]] ||
	die "$image:$tag is not $digest, the index in ${archive#"$ROOT"/}: publish it first (make publish)"
chart_digest=$("${crane[@]}" digest "$chart_repo:$version")
chart_manifest=$("${crane[@]}" manifest "$chart_repo@$chart_digest")
chart_layer=$(jq -r '.layers[] | select(.mediaType == "application/vnd.cncf.helm.chart.content.v1.tar+gzip") | .digest' <<<"$chart_manifest")
[[ $chart_layer == "sha256:$(sha256sum "$chart" | cut -d' ' -f1)" ]] ||
	die "$chart_repo:$version does not hold ${chart#"$ROOT"/} (its chart layer is ${chart_layer:-missing}): publish it first"

"${cosign[@]}" sign "${flags[@]}" --recursive "$image@$digest"
log "signed $image@$digest and its platform images"
"${cosign[@]}" sign "${flags[@]}" "$chart_repo@$chart_digest"
log "signed $chart_repo@$chart_digest"

attest() {
	local ref=$1 type=$2 predicate=$3
	"${cosign[@]}" attest "${flags[@]}" --type "$type" --predicate "$predicate" "$ref"
	log "attested $ref: $type ${predicate##*/}"
}
attest "$image@$digest" slsaprovenance1 "$DIST/kwait-provenance.slsa.json"
attest "$image@$digest" spdxjson "$DIST/kwait-binaries.spdx.json"
# Each platform's own SBOM, on that platform's image.
while read -r platform manifest; do
	sbom=$DIST/kwait-image-${platform/\//-}.spdx.json
	[[ -f $sbom ]] || die "no SBOM ${sbom#"$ROOT"/} for the index's $platform image"
	attest "$image@$manifest" spdxjson "$sbom"
done < <("${crane[@]}" manifest "$image@$digest" | jq -r '.manifests[] | "\(.platform.os)/\(.platform.architecture) \(.digest)"')
