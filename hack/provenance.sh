#!/usr/bin/env bash
# Writes the SLSA v1 provenance predicate of a release to stdout: what was
# built (the source repository at COMMIT, VERSION, the release platforms),
# how (`make release`, the Go toolchain), by whom (BUILDER_ID, the run) and
# from what (the git commit, the Go toolchain and every Go module linked into
# the binaries, read from their build information with `go version -m`).
# hack/sign.sh attaches it to the image index as a cosign attestation of type
# slsaprovenance1 (https://slsa.dev/provenance/v1), which names the index's
# digest as its subject.
#
# Nothing here depends on the time or the machine, so the same commit built
# by the same builder gives the same bytes (the run's identity is only added
# when BUILD_INVOCATION_ID is set).
#
# Usage: hack/provenance.sh BINARY...   (the release's binaries)
# Env:   VERSION, COMMIT, RELEASE_PLATFORMS (the Makefile's), SOURCE_URI
#        (git+https://github.com/kwait-dev/kwait), BUILDER_ID (who ran the
#        build: the release workflow's URI in CI; a local build says so),
#        BUILD_INVOCATION_ID (the CI run's URL, optional).
set -euo pipefail

die() { echo "provenance: $*" >&2; exit 1; }

(($#)) || die "usage: $0 BINARY..."
: "${VERSION:?set VERSION}" "${COMMIT:?set COMMIT}" "${RELEASE_PLATFORMS:?set RELEASE_PLATFORMS}"
[[ $COMMIT =~ ^[0-9a-f]{40}$ ]] || die "COMMIT '$COMMIT' is not a full git commit id"
SOURCE_URI=${SOURCE_URI:-git+https://github.com/kwait-dev/kwait}
BUILDER_ID=${BUILDER_ID:-https://github.com/kwait-dev/kwait/blob/$COMMIT/docs/signing.md#a-local-build}
command -v jq >/dev/null || "$(dirname "$0")/apt-install.sh" jq

# One line "module version h1:hash" per dependency of any binary, and the Go
# toolchain each was built with; every binary must name the same toolchain.
deps=$(for b in "$@"; do
	[[ -f $b ]] || die "no binary $b"
	go version -m "$b" | awk -F'\t' '$2 == "dep" { print $3, $4, $5 } $2 == "=>" { print $3, $4, $5 }'
done | LC_ALL=C sort -u)
toolchains=$(for b in "$@"; do go version "$b" | sed 's/.*: //'; done | sort -u)
# The build settings Go recorded (flags, CGO_ENABLED, the VCS state), without
# the ones that name each binary's platform.
settings=$(for b in "$@"; do
	go version -m "$b" | awk -F'\t' '$2 == "build" { print $3 }'
done | grep -Ev '^(GOOS|GOARCH|GOAMD64|GOARM64|GOPPC64|GO386|GOARM)=' | LC_ALL=C sort -u)
[[ $toolchains =~ ^go[0-9.a-z]+$ ]] || die "the binaries were not built by one Go toolchain: $(echo "$toolchains" | tr '\n' ' ')"

jq -n --arg version "$VERSION" --arg commit "$COMMIT" --arg source "$SOURCE_URI" \
	--arg builder "$BUILDER_ID" --arg invocation "${BUILD_INVOCATION_ID:-}" \
	--arg platforms "$RELEASE_PLATFORMS" --arg go "$toolchains" --arg deps "$deps" --arg settings "$settings" '
{
  buildDefinition: {
    buildType: "https://github.com/kwait-dev/kwait/blob/main/docs/signing.md#build-type-make-release",
    externalParameters: {
      source: {uri: ($source + "@" + $version), digest: {gitCommit: $commit}},
      version: $version,
      target: "make release",
      platforms: ($platforms | split(" ") | map(select(. != "")))
    },
    internalParameters: {goToolchain: $go, buildSettings: ($settings | split("\n") | map(select(. != "")))},
    resolvedDependencies: (
      [{uri: ($source + "@" + $version), digest: {gitCommit: $commit}},
       {uri: ("pkg:golang/toolchain@" + $go), name: "go"}]
      + ($deps | split("\n") | map(select(. != "") | split(" ")
          | {uri: ("pkg:golang/" + .[0] + "@" + .[1]), annotations: {goSum: (.[2] // "")}}))
    )
  },
  runDetails: {
    builder: {id: $builder},
    metadata: (if $invocation == "" then {} else {invocationId: $invocation} end)
  }
}'
