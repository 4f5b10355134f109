#!/usr/bin/env bash
# Builds the binaries of kwait's local e2e control plane into $ROOT/.cache/bin:
#   kube-apiserver kube-controller-manager kube-scheduler kubectl  (tools/kube)
#   etcd                                                            (tools/etcd)
#   kwok helm helm4                                      (go install pkg@version)
#   crane registry syft actionlint cosign  release tools, only when named (go install)
#   krew validate-krew-manifest         krew and its manifest validator, only when named
#   protoserver                         the MongoDB (FerretDB), Kafka (kfake) and gRPC
#                                       servers of the e2e protocol tests, only when named
#   node: kubelet kube-proxy (tools/node), coredns (tools/coredns), containerd
#         containerd-shim-runc-v2 ctr (go install); only when named
#         (cluster.sh up with E2E_REAL_NODE=1)
#
# Everything comes from the Go module proxy, so a fresh machine needs nothing
# but Go. Each binary gets a stamp file recording what it was built from; a
# binary is rebuilt only when it is missing or its stamp no longer matches, so
# a second run takes well under a second. A cold build of the Kubernetes
# binaries takes 6-9 minutes on 2 cores.
#
# Usage: build.sh [kube|etcd|kwok|helm|helm4|node|crane|registry|syft|actionlint|cosign|krew|validate-krew-manifest|protoserver ...]
#        (default: the control plane: etcd kwok helm helm4 kube)
# Env:   E2E_BIN_DIR      output directory (default $ROOT/.cache/bin)
#        E2E_FORCE_BUILD  set to 1 to rebuild even when the stamps match
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=versions.sh
source "$HERE/versions.sh"

BIN=${E2E_BIN_DIR:-$ROOT/.cache/bin}
STAMPS=$BIN/.stamps
FORCE=${E2E_FORCE_BUILD:-0}

# A go.work above these modules must not pull them into another build list.
export GOWORK=off

# Temporary build directories, removed on exit so a failed or interrupted
# build leaves nothing half-made behind in BIN.
TMPDIRS=()
cleanup() { ((${#TMPDIRS[@]} == 0)) || rm -rf "${TMPDIRS[@]}"; }
trap cleanup EXIT

# new_tmp VAR: make a scratch directory inside BIN (same filesystem, so the
# final mv is a rename) and store its path in VAR.
new_tmp() {
  local -n out=$1
  out=$(mktemp -d "$BIN/.build.XXXXXX")
  TMPDIRS+=("$out")
}

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# stamp_of_module DIR VERSION LDFLAGS: what a local tools module was built
# from. The hash covers go.mod, go.sum, the main packages and the ldflags, so
# any edit to them (not just a version bump) triggers a rebuild.
stamp_of_module() {
  local dir=$1 version=$2 ldflags=$3 hash
  hash=$({
    cd "$dir" && find . -name '*.go' -o -name go.mod -o -name go.sum |
      LC_ALL=C sort | xargs sha256sum
    echo "$ldflags"
  } | sha256sum | cut -c1-16)
  printf '%s %s\n' "$version" "$hash"
}

# up_to_date STAMP BINARY...: true when every binary exists and was built
# from STAMP.
up_to_date() {
  local stamp=$1 b
  shift
  [[ $FORCE == 1 ]] && return 1
  for b in "$@"; do
    [[ -x $BIN/$b && -f $STAMPS/$b ]] || return 1
    [[ $(cat "$STAMPS/$b") == "$stamp" ]] || return 1
  done
}

# install_from TMPDIR STAMP BINARY...: move freshly built binaries into place.
# mv replaces the directory entry atomically, so a running cluster keeps its
# old inode and a concurrent reader never sees a half-written file.
install_from() {
  local tmp=$1 stamp=$2 b
  shift 2
  for b in "$@"; do
    [[ -x $tmp/$b ]] || die "$b was not produced in $tmp"
    mv -f "$tmp/$b" "$BIN/$b"
    printf '%s\n' "$stamp" >"$STAMPS/$b"
  done
}

# require_pin MODDIR MODULE VERSION: the go.mod of a tools module is the real
# pin; versions.sh only names it. Refuse to build when they disagree instead
# of silently stamping the wrong version.
require_pin() {
  local dir=$1 mod=$2 version=$3
  grep -Eq "^[[:space:]]*(require[[:space:]]+)?${mod//./\\.} ${version//./\\.}([[:space:]]|$)" "$dir/go.mod" ||
    die "$dir/go.mod does not require $mod $version (versions.sh and go.mod disagree)"
}

# kube_ldflags: the version stamping Kubernetes' own build does
# (hack/lib/version.sh), so `kubectl version` and /version report the real
# version instead of v0.0.0-master.
kube_ldflags() {
  local minor=${KUBE_VERSION#v*.} flags=(-s -w) pkg
  minor=${minor%%.*}
  local major=${KUBE_VERSION#v}
  major=${major%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    # gitCommit is left empty (the module proxy does not tell the commit):
    # user agents then end in "kubernetes/unknown" instead of the
    # placeholder "kubernetes/$Format".
    flags+=("-X" "$pkg.gitVersion=$KUBE_VERSION"
      "-X" "$pkg.gitMajor=$major" "-X" "$pkg.gitMinor=$minor"
      "-X" "$pkg.gitTreeState=clean" "-X" "$pkg.gitCommit=")
  done
  echo "${flags[*]}"
}

build_kube() {
  local dir=$HERE/tools/kube stamp tmp ldflags
  local bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  ldflags=$(kube_ldflags)
  stamp=$(stamp_of_module "$dir" "$KUBE_VERSION" "$ldflags")
  up_to_date "$stamp" "${bins[@]}" && return 0
  require_pin "$dir" k8s.io/kubernetes "$KUBE_VERSION"
  log "building ${bins[*]} $KUBE_VERSION (cold: 6-9 min on 2 cores)"
  new_tmp tmp
  # One go build for all four mains: they share most packages, so a single
  # invocation compiles each package once and keeps both cores busy.
  (cd "$dir" && go build -trimpath -buildvcs=false -ldflags "$ldflags" \
    -o "$tmp/" ./kube-apiserver ./kube-controller-manager ./kube-scheduler ./kubectl)
  install_from "$tmp" "$stamp" "${bins[@]}"
}

# build_node: the real node's kubelet and kube-proxy, from tools/node (the
# same k8s.io/kubernetes version and replace block as tools/kube, a module of
# its own so the control plane's stamp does not change with it).
build_node() {
  local dir=$HERE/tools/node stamp tmp ldflags
  local bins=(kubelet kube-proxy)
  ldflags=$(kube_ldflags)
  stamp=$(stamp_of_module "$dir" "$KUBE_VERSION" "$ldflags")
  up_to_date "$stamp" "${bins[@]}" && return 0
  require_pin "$dir" k8s.io/kubernetes "$KUBE_VERSION"
  log "building ${bins[*]} $KUBE_VERSION (cold: at most ~5 min on 2 cores)"
  new_tmp tmp
  (cd "$dir" && go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$tmp/" ./kubelet ./kube-proxy)
  install_from "$tmp" "$stamp" "${bins[@]}"
}

# build_coredns: CoreDNS with the real node's few plugins (tools/coredns).
build_coredns() {
  local dir=$HERE/tools/coredns stamp tmp ldflags='-s -w'
  stamp=$(stamp_of_module "$dir" "$COREDNS_VERSION" "$ldflags")
  up_to_date "$stamp" coredns && return 0
  require_pin "$dir" github.com/coredns/coredns "$COREDNS_VERSION"
  log "building coredns $COREDNS_VERSION"
  new_tmp tmp
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$tmp/coredns" .)
  install_from "$tmp" "$stamp" coredns
}

build_etcd() {
  local dir=$HERE/tools/etcd stamp tmp ldflags='-s -w'
  stamp=$(stamp_of_module "$dir" "$ETCD_VERSION" "$ldflags")
  up_to_date "$stamp" etcd && return 0
  require_pin "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  log "building etcd $ETCD_VERSION"
  new_tmp tmp
  (cd "$dir" && go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$tmp/etcd" .)
  install_from "$tmp" "$stamp" etcd
}

# The MongoDB (FerretDB on SQLite), Kafka (kfake) and gRPC (health server)
# servers of the e2e protocol tests, pinned by tools/protoserver's go.mod.
build_protoserver() {
  local dir=$HERE/tools/protoserver stamp tmp ldflags='-s -w'
  stamp=$(stamp_of_module "$dir" "go.mod" "$ldflags")
  up_to_date "$stamp" protoserver && return 0
  log "building protoserver"
  new_tmp tmp
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$tmp/protoserver" .)
  install_from "$tmp" "$stamp" protoserver
}

# go_install NAME PACKAGE VERSION [LDFLAGS]: `go install pkg@version` into
# BIN as NAME (renamed when the package's own name differs: helm4). Run from
# a temporary directory so no surrounding go.mod or GOFLAGS=-mod=...
# applies. Extra ldflags, and build tags in GO_TAGS, are part of the stamp.
# The compile runs under nice: these tools are built beside other work.
go_install() {
  local name=$1 pkg=$2 version=$3 ldflags=${4:-} tmp stamp
  stamp="$pkg@$version${ldflags:+ $ldflags}${GO_TAGS:+ tags=$GO_TAGS}"
  up_to_date "$stamp" "$name" && return 0
  log "installing $pkg@$version"
  new_tmp tmp
  (cd "$tmp" && GOFLAGS='' GOBIN="$tmp" nice go install -trimpath -tags "${GO_TAGS:-}" -ldflags "-s -w $ldflags" "$pkg@$version")
  [[ ${pkg##*/} == "$name" ]] || mv "$tmp/${pkg##*/}" "$tmp/$name"
  install_from "$tmp" "$stamp" "$name"
}

main() {
  local targets=("$@") t start
  ((${#targets[@]})) || targets=(etcd kwok helm helm4 kube)
  command -v go >/dev/null || die "go is not on PATH"
  mkdir -p "$BIN" "$STAMPS"
  # Serialise concurrent runs (e.g. parallel make targets) on one lock so two
  # builds never race on the same output files.
  exec 9>"$BIN/.build.lock"
  flock 9
  for t in "${targets[@]}"; do
    start=$SECONDS
    case $t in
      kube) build_kube ;;
      node)
        build_node
        # Without cgo: the btrfs, devmapper and zfs snapshotters are left out
        # (the node uses overlayfs).
        CGO_ENABLED=0 GO_TAGS=no_btrfs,no_devmapper,no_zfs \
          go_install containerd github.com/containerd/containerd/v2/cmd/containerd "$CONTAINERD_VERSION"
        CGO_ENABLED=0 go_install containerd-shim-runc-v2 github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 "$CONTAINERD_VERSION"
        CGO_ENABLED=0 go_install ctr github.com/containerd/containerd/v2/cmd/ctr "$CONTAINERD_VERSION"
        build_coredns
        "$ROOT/hack/apt-install.sh" runc iptables socat containernetworking-plugins jq
        ;;
      etcd) build_etcd ;;
      kwok) go_install kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION" ;;
      # Helm's own build stamps the full version (the source says "v3.19");
      # charts see it as .Capabilities.HelmVersion and servers in the
      # "Helm/3.19.0" userAgent.
      helm) go_install helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" \
        "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" ;;
      # Helm 4, beside Helm 3: the chart tests and the e2e chart lifecycle
      # run under both. Its source says "v4.3" alike.
      helm4) go_install helm4 helm.sh/helm/v4/cmd/helm "$HELM4_VERSION" \
        "-X helm.sh/helm/v4/internal/version.version=$HELM4_VERSION" ;;
      crane) go_install crane github.com/google/go-containerregistry/cmd/crane "$GGCR_VERSION" ;;
      # An in-memory OCI registry listening on localhost only (-port).
      registry) go_install registry github.com/google/go-containerregistry/cmd/registry "$GGCR_VERSION" ;;
      # syft names itself in every SBOM: give it its version, as its release build does.
      syft) go_install syft github.com/anchore/syft/cmd/syft "$SYFT_VERSION" "-X main.version=${SYFT_VERSION#v}" ;;
      actionlint) go_install actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" ;;
      # cosign signs and verifies the release; its version reaches `cosign
      # version` the way its own release build sets it. With an empty build
      # cache: ~580 CPU-seconds and 1.2 GB of cache for a 98 MB binary.
      cosign) go_install cosign github.com/sigstore/cosign/v2/cmd/cosign "$COSIGN_VERSION" \
        "-X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION" ;;
      # krew (the release test runs it as kubectl's plugin kubectl-krew) and
      # krew's own manifest validator, which installs every platform with it.
      krew) go_install krew sigs.k8s.io/krew/cmd/krew "$KREW_VERSION" ;;
      validate-krew-manifest) go_install validate-krew-manifest sigs.k8s.io/krew/cmd/validate-krew-manifest "$KREW_VERSION" ;;
      protoserver) build_protoserver ;;
      *) die "unknown target '$t' (want kube, etcd, kwok, helm, helm4, node, crane, registry, syft, actionlint, cosign, krew, validate-krew-manifest or protoserver)" ;;
    esac
    ((SECONDS - start < 2)) || log "$t done in $((SECONDS - start))s"
  done
}

main "$@"
