#!/usr/bin/env bash
# Checks a published release the way a cluster's admission policy (Kyverno,
# policy-controller) or Flux's `verify.provider: cosign` would, with cosign,
# and fetches its SBOMs and provenance from the registry:
#
#   1. REGISTRY/kwait:VERSION resolves to an index; the index, each platform image in it, and
#      REGISTRY/charts/kwait:VERSION carry a signature by the expected signer (everything after
#      this step uses those digests, not the tags)
#   2. the index has a signed SLSA provenance attestation (https://slsa.dev/provenance/v1) for
#      VERSION, whose source commit is the one the image's org.opencontainers.image.revision says,
#      and a signed SPDX SBOM of the binaries (https://spdx.dev/Document)
#   3. each platform image has a signed SPDX SBOM that describes that image
#
# and writes the verified predicates to OUT: kwait-provenance.slsa.json,
# kwait-binaries.spdx.json, kwait-image-linux-ARCH.spdx.json (the same as
# the release's files of those names). The last lines it prints are
#   verify: image REGISTRY/kwait@sha256:...
#   verify: chart REGISTRY/charts/kwait@sha256:...
# the references to deploy: what was verified, by digest.
#
# The expected signer:
#   COSIGN_PUBLIC_KEY=cosign.pub   a key pair's public key
#   otherwise keyless: CERT_IDENTITY, the release workflow of the tag
#                      (https://github.com/kwait-dev/kwait/.github/workflows/release.yml@refs/tags/vVERSION)
#                      and CERT_OIDC_ISSUER, GitHub Actions' (https://token.actions.githubusercontent.com)
# TLOG=0 does not look the signatures up in the transparency log and trusts
# no Sigstore root, so cosign goes to no network but the registry's (for a
# release signed with a key and TLOG=0 by hack/sign.sh; never for keyless).
#
# Usage: hack/verify.sh   (make verify VERSION=vX.Y.Z)
# Env:   VERSION (X.Y.Z or vX.Y.Z), REGISTRY (ghcr.io/kwait-dev), OUT (_output/verify/X.Y.Z),
#        COSIGN_PUBLIC_KEY, CERT_IDENTITY, CERT_OIDC_ISSUER, TLOG (1), PLAIN_HTTP=1.
# Exit:  0 verified, 1 a check failed, 2 bad usage.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE_BIN=$ROOT/.cache/bin
REGISTRY=${REGISTRY:-ghcr.io/kwait-dev}
REGISTRY=${REGISTRY%/}
TLOG=${TLOG:-1}

usage() { echo "verify: $*" >&2; exit 2; }
fail() { echo "verify: FAILED: $*" >&2; exit 1; }
log() { echo "verify: $*"; }

(($# == 0)) || usage "usage: $0 (no arguments; see the comment at the top for its environment)"
[[ -n ${VERSION:-} ]] || usage "set VERSION to the release to check (make verify VERSION=v0.1.0)"
version=${VERSION#v}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || usage "VERSION '$VERSION' is not a release version (X.Y.Z or vX.Y.Z)"
[[ $TLOG == 0 || $TLOG == 1 ]] || usage "TLOG must be 0 or 1, not '$TLOG'"
[[ ${PLAIN_HTTP:-0} == [01] ]] || usage "PLAIN_HTTP must be 0 or 1, not '$PLAIN_HTTP'"
OUT=${OUT:-$ROOT/_output/verify/$version}

signer=()
if [[ -n ${COSIGN_PUBLIC_KEY:-} ]]; then
	[[ -f $COSIGN_PUBLIC_KEY ]] || usage "COSIGN_PUBLIC_KEY=$COSIGN_PUBLIC_KEY is not a file"
	[[ -z ${CERT_IDENTITY:-}${CERT_OIDC_ISSUER:-} ]] || usage "set COSIGN_PUBLIC_KEY or CERT_IDENTITY/CERT_OIDC_ISSUER, not both"
	signer=(--key "$COSIGN_PUBLIC_KEY")
	who="the key $COSIGN_PUBLIC_KEY"
else
	[[ $TLOG == 1 ]] || usage "TLOG=0 needs COSIGN_PUBLIC_KEY: a keyless signature is only trusted through the transparency log"
	identity=${CERT_IDENTITY:-https://github.com/kwait-dev/kwait/.github/workflows/release.yml@refs/tags/v$version}
	issuer=${CERT_OIDC_ISSUER:-https://token.actions.githubusercontent.com}
	signer=(--certificate-identity "$identity" --certificate-oidc-issuer "$issuer")
	who="$identity (issuer $issuer)"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $TLOG == 0 ]]; then
	# No transparency log, and a trusted root that trusts nothing (no Rekor,
	# Fulcio or timestamp authority keys): only the key counts. Without a root
	# of its own, cosign fetches Sigstore's from its TUF mirror on every run.
	echo '{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}' >"$work/trusted_root.json"
	signer+=(--insecure-ignore-tlog=true --trusted-root "$work/trusted_root.json")
fi

"$ROOT/e2e/cluster/build.sh" crane cosign
command -v jq >/dev/null || "$ROOT/hack/apt-install.sh" jq
crane=("$CACHE_BIN/crane")
if [[ ${PLAIN_HTTP:-0} == 1 ]]; then
	crane+=(--insecure)
	signer+=(--allow-http-registry)
fi
mkdir -p "$OUT"

# cosign's own output goes to a file, shown only when a check fails.
run_cosign() {
	if ! "$CACHE_BIN/cosign" "$@" >"$work/out" 2>"$work/err"; then
		sed 's/^/  cosign: /' "$work/err" >&2
		return 1
	fi
}

# --- 1. Signatures, each by digest.
image=$REGISTRY/kwait
chart=$REGISTRY/charts/kwait
digest=$("${crane[@]}" digest "$image:$version") || fail "$image:$version cannot be resolved"
chart_digest=$("${crane[@]}" digest "$chart:$version") || fail "$chart:$version cannot be resolved"
index=$("${crane[@]}" manifest "$image@$digest")
[[ $(jq -r .mediaType <<<"$index") == application/vnd.oci.image.index.v1+json ]] ||
	fail "$image:$version ($digest) is not an OCI image index"

run_cosign verify "${signer[@]}" "$image@$digest" ||
	fail "$image:$version ($digest) has no valid signature by $who"
log "signed: $image@$digest"
mapfile -t platforms < <(jq -r '.manifests[] | "\(.platform.os)/\(.platform.architecture) \(.digest)"' <<<"$index")
for p in "${platforms[@]}"; do
	run_cosign verify "${signer[@]}" "$image@${p#* }" ||
		fail "the ${p% *} image of $image:$version (${p#* }) has no valid signature by $who"
done
log "signed: its ${#platforms[@]} platform images"
run_cosign verify "${signer[@]}" "$chart@$chart_digest" ||
	fail "$chart:$version ($chart_digest) has no valid signature by $who"
log "signed: $chart@$chart_digest"

# predicate REF TYPE PREDICATE_TYPE FILE: verify REF's attestation of TYPE
# and write its predicate to OUT/FILE.
predicate() {
	local ref=$1 type=$2 want=$3 file=$4 got
	run_cosign verify-attestation "${signer[@]}" --type "$type" "$ref" ||
		fail "$ref has no valid $type attestation by $who"
	# One verified envelope a line (more than one when signed again); each names
	# ref's digest as its subject, which cosign checked. The first is taken.
	head -n1 "$work/out" | jq -r .payload | base64 -d >"$work/statement"
	got=$(jq -r .predicateType "$work/statement")
	[[ $got == "$want" ]] || fail "$ref's $type attestation has predicate type $got, want $want"
	jq .predicate "$work/statement" >"$OUT/$file"
}

# --- 2. The index: provenance and the binaries' SBOM.
predicate "$image@$digest" slsaprovenance1 https://slsa.dev/provenance/v1 kwait-provenance.slsa.json
built=$(jq -r .buildDefinition.externalParameters.version "$OUT/kwait-provenance.slsa.json")
[[ ${built#v} == "$version" ]] || fail "the provenance of $image:$version says it built $built"
commit=$(jq -r .buildDefinition.externalParameters.source.digest.gitCommit "$OUT/kwait-provenance.slsa.json")
builder=$(jq -r .runDetails.builder.id "$OUT/kwait-provenance.slsa.json")
first=${platforms[0]#* }
revision=$("${crane[@]}" config "$image@$first" | jq -r '.config.Labels["org.opencontainers.image.revision"] // ""')
[[ $revision == "$commit" ]] || fail "the provenance names commit $commit, the image's revision label $revision"
log "provenance: $built from commit $commit, built by $builder"
predicate "$image@$digest" spdxjson https://spdx.dev/Document kwait-binaries.spdx.json
log "SBOM: the binaries ($(jq '.packages | length' "$OUT/kwait-binaries.spdx.json") packages)"

# --- 3. Each platform image: its own SBOM, naming that image's digest.
for p in "${platforms[@]}"; do
	platform=${p% *} manifest=${p#* }
	file=kwait-image-${platform/\//-}.spdx.json
	predicate "$image@$manifest" spdxjson https://spdx.dev/Document "$file"
	grep -q "${manifest#sha256:}" "$OUT/$file" || fail "the SBOM attested to the $platform image does not describe $manifest"
	log "SBOM: the $platform image ($(jq '.packages | length' "$OUT/$file") packages)"
done

log "verified predicates in $OUT"
log "image $image@$digest"
log "chart $chart@$chart_digest"
