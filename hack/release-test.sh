#!/usr/bin/env bash
# Checks a release in dist/ (make release) for what the e2e suite does not:
#   - same commit, same digest: the image index is built a second time from
#     binaries compiled afresh into another directory, and must have the
#     digest (and bytes) of dist's; its created label is the commit time
#   - the archives: each holds kwait (kwait.exe), LICENSE and README.md, and
#     the linux/amd64 one made again from the binary compiled afresh has the
#     bytes of dist's
#   - SHA256SUMS verifies, and covers every file in dist/
#   - the SBOMs are SPDX JSON naming kwait's module and the Go toolchain
#   - the SLSA provenance names VERSION, COMMIT, the binaries' Go toolchain
#     and modules, and made again from dist/'s binaries has the same bytes
#   - one image everywhere: the committed chart's version, appVersion and
#     image tag agree, deploy/ runs that image, and both name the image
#     `make publish` pushes to the default registry; the packaged chart
#     names the image of its own release, as `make publish` pushes it
# Prints one line per passed check; exits 1 at the first failed one.
#
# Env: IMAGE_PLATFORMS, VERSION, COMMIT (the Makefile's), DIST (dist)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=${VERSION:-$("$ROOT/hack/version.sh")}
COMMIT=${COMMIT:-$(git -C "$ROOT" rev-parse HEAD)}
DIST=${DIST:-$ROOT/dist}
IMAGE_PLATFORMS=${IMAGE_PLATFORMS:?run make release-test: the Makefile names the platforms}
DEFAULT_REGISTRY=ghcr.io/kwait-dev
CHART_VERSION=${VERSION#v}
HELM=$ROOT/.cache/bin/helm

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok   $*"; }

[[ -f $DIST/kwait-image.oci.tar ]] || fail "no dist/kwait-image.oci.tar: run make release first"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HELM_CACHE_HOME=$work/helm HELM_CONFIG_HOME=$work/helm HELM_DATA_HOME=$work/helm

# index_digest ARCHIVE: what the archive's index.json points at.
index_digest() { tar -xOf "$1" index.json | jq -r '.manifests[0].digest'; }

# --- Same commit, same digest.
first=$(index_digest "$DIST/kwait-image.oci.tar")
for p in $IMAGE_PLATFORMS; do
	make -C "$ROOT" --no-print-directory -s build GOOS="${p%/*}" GOARCH="${p#*/}" OUT="$work/out" VERSION="$VERSION" COMMIT="$COMMIT" >/dev/null
done
PLATFORMS="$IMAGE_PLATFORMS" BIN_DIR=$work/out/bin OUT=$work/again.oci.tar VERSION=$VERSION COMMIT=$COMMIT \
	"$ROOT/hack/image.sh" >/dev/null
second=$(index_digest "$work/again.oci.tar")
[[ $first == "$second" ]] || fail "two builds of $COMMIT gave image index digests $first and $second"
cmp -s "$DIST/kwait-image.oci.tar" "$work/again.oci.tar" || fail "two builds of $COMMIT gave the same index but different archives"
pass "two builds of one commit, binaries compiled afresh: one image index digest $first, identical archives"

mkdir "$work/layout"
tar -xf "$work/again.oci.tar" -C "$work/layout"
blob() { echo "$work/layout/blobs/${1/://}"; }
index=$(blob "$first")
created=$(jq -r '.annotations["org.opencontainers.image.created"]' "$index")
want_created=$(TZ=UTC git -C "$ROOT" log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd "$COMMIT")
[[ -n ${SOURCE_DATE_EPOCH:-} || $created == "$want_created" ]] || fail "index created $created, want the commit time $want_created"
revision=$(jq -r '.annotations["org.opencontainers.image.revision"]' "$index")
[[ $revision == "$COMMIT" ]] || fail "index revision $revision, want $COMMIT"
platforms=$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(" ")' "$index")
[[ $platforms == "$IMAGE_PLATFORMS" ]] || fail "index platforms $platforms, want $IMAGE_PLATFORMS"
pass "index: $platforms, created $created (the commit time), revision $revision"

# --- Archives.
command -v unzip >/dev/null || "$ROOT/hack/apt-install.sh" unzip
for a in "$DIST"/kwait_*; do
	case $a in
	*.tar.gz) entries=$(tar -tzf "$a" | tr '\n' ' ') want="kwait LICENSE README.md " ;;
	*.zip) entries=$(unzip -Z1 "$a" | tr '\n' ' ') want="kwait.exe LICENSE README.md " ;;
	*) fail "${a##*/}: neither .tar.gz nor .zip" ;;
	esac
	[[ $entries == "$want" ]] || fail "${a##*/} holds $entries, want $want"
done
amd64=$DIST/kwait_${CHART_VERSION}_linux_amd64.tar.gz
[[ -f $amd64 ]] || fail "no ${amd64##*/}"
(cd "$ROOT" && env -u GOOS -u GOARCH GOWORK=off go build -o "$work/distarchive" ./hack/distarchive)
EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct "$COMMIT")}
"$work/distarchive" -out "$work/again.tar.gz" -mtime "$EPOCH" \
	"kwait=$work/out/bin/linux/amd64/kwait" "LICENSE=$ROOT/LICENSE" "README.md=$ROOT/README.md"
cmp -s "$amd64" "$work/again.tar.gz" || fail "${amd64##*/} made again from a binary compiled afresh differs"
pass "$(find "$DIST" -name 'kwait_*' | wc -l) archives hold the binary, LICENSE, README.md; ${amd64##*/} made again is byte for byte the same"

# --- Checksums.
(cd "$DIST" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not verify"
listed=$(awk '{print $2}' "$DIST/SHA256SUMS" | sort)
present=$(cd "$DIST" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort)
[[ $listed == "$present" ]] || fail "SHA256SUMS lists"$'\n'"$listed"$'\n'"but dist/ holds"$'\n'"$present"
pass "SHA256SUMS verifies and covers all $(wc -l <<<"$listed") files"

# --- SBOMs.
for sbom in "$DIST"/*.spdx.json; do
	[[ $(jq -r .spdxVersion "$sbom") == SPDX-2.* ]] || fail "${sbom##*/} is not SPDX JSON"
	jq -e '[.packages[].name] | index("github.com/kwait-dev/kwait")' "$sbom" >/dev/null ||
		fail "${sbom##*/} does not list the module github.com/kwait-dev/kwait"
	jq -e '[.packages[].name] | index("k8s.io/client-go")' "$sbom" >/dev/null ||
		fail "${sbom##*/} does not list k8s.io/client-go"
	jq -e '[.packages[].name] | index("stdlib")' "$sbom" >/dev/null ||
		fail "${sbom##*/} does not list the Go standard library"
	pass "${sbom##*/}: SPDX, $(jq '.packages | length' "$sbom") packages incl. kwait, client-go, stdlib"
done

# --- Provenance.
prov=$DIST/kwait-provenance.slsa.json
[[ -f $prov ]] || fail "no dist/kwait-provenance.slsa.json"
jq -e --arg v "$VERSION" --arg c "$COMMIT" '.buildDefinition.externalParameters | .version == $v and .source.digest.gitCommit == $c' "$prov" >/dev/null ||
	fail "kwait-provenance.slsa.json does not name version $VERSION and commit $COMMIT"
go=$(go version "$DIST/kwait-linux-amd64" | sed 's/.*: //')
jq -e --arg go "$go" '.buildDefinition | .internalParameters.goToolchain == $go
	and ([.resolvedDependencies[].uri] | index("pkg:golang/toolchain@" + $go))
	and ([.resolvedDependencies[].uri | select(startswith("pkg:golang/k8s.io/client-go@"))] | length == 1)' "$prov" >/dev/null ||
	fail "kwait-provenance.slsa.json does not name the Go toolchain $go and the module k8s.io/client-go"
bins=()
for b in "$DIST"/kwait-*; do
	[[ $b == *.json || $b == *.tgz || $b == *.tar ]] || bins+=("$b")
done
VERSION=$VERSION COMMIT=$COMMIT RELEASE_PLATFORMS="$(jq -r '.buildDefinition.externalParameters.platforms | join(" ")' "$prov")" \
	"$ROOT/hack/provenance.sh" "${bins[@]}" >"$work/provenance.json"
cmp -s "$prov" "$work/provenance.json" || fail "kwait-provenance.slsa.json made again from dist/'s ${#bins[@]} binaries differs"
pass "kwait-provenance.slsa.json: $VERSION at $COMMIT, $go, $(jq '.buildDefinition.resolvedDependencies | length' "$prov") dependencies; made again, the same bytes"

# --- One image everywhere.
chart_yaml=$ROOT/charts/kwait/Chart.yaml
values=$ROOT/charts/kwait/values.yaml
version=$(sed -n 's/^version: *//p' "$chart_yaml")
app_version=$(sed -n 's/^appVersion: *//p' "$chart_yaml" | tr -d '"')
tag=$(sed -n 's/^  tag: *//p' "$values" | tr -d '"')
repository=$(sed -n 's/^  repository: *//p' "$values")
[[ $version == "$app_version" && $version == "$tag" ]] ||
	fail "charts/kwait: version $version, appVersion $app_version, image.tag $tag: want one version"
[[ $repository == "$DEFAULT_REGISTRY/kwait" ]] ||
	fail "charts/kwait/values.yaml image.repository $repository, want $DEFAULT_REGISTRY/kwait (make publish's default)"
committed=$repository:$tag
while read -r file image; do
	[[ $image == "$committed" ]] || fail "$file runs $image, the chart $committed"
done < <(grep -rH --include '*.yaml' -E '^\s+image:' "$ROOT/deploy" | sed -E "s|^$ROOT/||; s|:\s+image:\s*| |")
pass "chart $version (appVersion, image.tag) and deploy/ all run $committed, in $DEFAULT_REGISTRY"

chart=$DIST/kwait-$CHART_VERSION.tgz
[[ -f $chart ]] || fail "no ${chart#"$ROOT"/}"
packaged=$("$HELM" show values "$chart" | sed -n 's/^  repository: *//p'):$("$HELM" show values "$chart" | sed -n 's/^  tag: *//p' | tr -d '"')
[[ $("$HELM" show chart "$chart" | sed -n 's/^appVersion: *//p' | tr -d '"') == "$CHART_VERSION" ]] ||
	fail "packaged chart appVersion is not $CHART_VERSION"
published=$(REGISTRY=$DEFAULT_REGISTRY DIST=$DIST "$ROOT/hack/publish.sh" --dry-run)
pushed_image=$(sed -n 's/^image //p' <<<"$published")
pushed_chart=$(sed -n 's/^chart //p' <<<"$published")
[[ ${pushed_image%@*} == "$packaged" ]] || fail "make publish pushes ${pushed_image%@*}, the packaged chart runs $packaged"
[[ $pushed_chart == "oci://$DEFAULT_REGISTRY/charts/kwait:$CHART_VERSION" ]] || fail "make publish pushes the chart as $pushed_chart"
pass "packaged chart $CHART_VERSION runs $packaged, the image make publish pushes ($pushed_image)"
