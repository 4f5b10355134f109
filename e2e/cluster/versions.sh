# shellcheck shell=bash disable=SC2034 # sourced: the names are used by build.sh and cluster.sh
# Pinned versions of the e2e control-plane tools. Sourced by build.sh and
# cluster.sh so there is exactly one place to bump a version.
#
# The Kubernetes and etcd versions are also pinned by the go.mod/go.sum of
# tools/kube and tools/etcd; build.sh refuses to run when these disagree, so a
# bump must touch both (see README.md).

KUBE_VERSION=v1.36.3   # k8s.io/kubernetes (staging modules are v0.36.3)
ETCD_VERSION=v3.6.16   # go.etcd.io/etcd/server/v3
KWOK_VERSION=v0.8.0    # sigs.k8s.io/kwok
HELM_VERSION=v3.19.0   # helm.sh/helm/v3: the binary helm
HELM4_VERSION=v4.3.2   # helm.sh/helm/v4: the binary helm4 (charts and e2e run under both)

# The real node (node.sh, E2E_REAL_NODE=1): kubelet and kube-proxy come from
# tools/node at KUBE_VERSION; runc, iptables, socat and the CNI plugins from
# Debian (hack/apt-install.sh).
CONTAINERD_VERSION=v2.4.2 # github.com/containerd/containerd/v2: containerd, its runc shim, ctr
COREDNS_VERSION=v1.15.0   # github.com/coredns/coredns (tools/coredns go.mod too), run as a pod from a locally built image

# Release and registry tools (hack/release.sh, hack/publish.sh, the registry
# e2e test, make lint), installed by build.sh like the control plane.
GGCR_VERSION=v0.22.1   # github.com/google/go-containerregistry: crane and registry
SYFT_VERSION=v1.57.1   # github.com/anchore/syft: the SBOMs
ACTIONLINT_VERSION=v1.7.12 # github.com/rhysd/actionlint
KREW_VERSION=v0.4.3    # sigs.k8s.io/krew: krew (as kubectl-krew) and validate-krew-manifest, for the krew manifest test
COSIGN_VERSION=v2.6.5  # github.com/sigstore/cosign/v2: signs and verifies the release (hack/sign.sh, hack/verify.sh)
