# kwait — build, test and run. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(abspath .)
OUT         := $(ROOT)/_output
CACHE_BIN   := $(ROOT)/.cache/bin
GOOS        ?= $(shell go env GOOS)
GOARCH      ?= $(shell go env GOARCH)
# git describe --tags: v0.2.0, v0.2.0-3-gabc1234 between tags, v0.0.0-N-gabc1234 before the first (hack/version.sh).
VERSION     ?= $(shell hack/version.sh)
COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null)
# Once per make run: a commit made while make runs must not change the version half-way.
VERSION     := $(VERSION)
COMMIT      := $(COMMIT)
BIN         := $(OUT)/bin/$(GOOS)/$(GOARCH)/kwait
LDFLAGS     := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# -buildvcs=auto (whatever GOFLAGS says): in a git clone the binary records the commit and the
# main module's version (the tag, or a pseudo-version), which the SBOMs report; -trimpath keeps
# -ldflags out of the binary's build information.
# urfave/cli's man page and markdown generators are never used: 0.3 MB of the binary.
TAGS        := urfave_cli_no_docs
FUZZTIME    ?= 10000x
# Where `make publish` pushes, and the image the chart and deploy/ name by default.
REGISTRY    ?= ghcr.io/kwait-dev
DIST        := $(ROOT)/dist
HOST_OS     := $(shell go env GOHOSTOS)
HOST_ARCH   := $(shell go env GOHOSTARCH)
# The platforms of a release: every one gets a binary and an archive, the linux ones also an image in the
# index (hack/release.sh, checked by hack/release-test.sh and the e2e release test).
IMAGE_PLATFORMS   := linux/amd64 linux/arm64 linux/ppc64le linux/s390x
RELEASE_PLATFORMS := $(IMAGE_PLATFORMS) darwin/amd64 darwin/arm64 windows/amd64
export E2E_CLUSTER_DIR ?= $(OUT)/cluster
# The e2e cluster's real node (e2e/cluster/node.sh): on for make e2e/test/demo/cluster-up; E2E_REAL_NODE=0 leaves it out.
export E2E_REAL_NODE ?= 1

##@ Build

.PHONY: build
build: ## Build the static kwait binary into _output/bin/GOOS/GOARCH/kwait (and _output/bin/kwait for this machine)
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) go build -buildvcs=auto -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kwait
	@if [ "$(GOOS)/$(GOARCH)" = "$(HOST_OS)/$(HOST_ARCH)" ]; then ln -sf $(GOOS)/$(GOARCH)/kwait $(OUT)/bin/kwait; fi
	@echo "built $(BIN) ($$(stat -c %s $(BIN)) bytes)"

.PHONY: image
image: build ## Build the image of one platform (GOARCH=arm64 for another) into _output/image/kwait-linux-GOARCH.oci.tar
	GOOS=$(GOOS) GOARCH=$(GOARCH) VERSION=$(VERSION) COMMIT=$(COMMIT) hack/image.sh

.PHONY: image-test
image-test: image ## Check the image: user 65532, entrypoint /kwait, labels, size, kwait version runs, no shell
	hack/image-test.sh $(OUT)/image/kwait-$(GOOS)-$(GOARCH).oci.tar

##@ Release

.PHONY: release-binaries
release-binaries: ## Build kwait for every release platform into _output/bin/OS/ARCH/kwait
	@for p in $(RELEASE_PLATFORMS); do \
		$(MAKE) --no-print-directory build GOOS=$${p%/*} GOARCH=$${p#*/} VERSION=$(VERSION) COMMIT=$(COMMIT); done

.PHONY: release
release: release-binaries ## Build dist/: binaries, archives, the krew manifest, SHA256SUMS, the multi-arch image index (OCI archive), the chart, SBOMs, SLSA provenance
	VERSION=$(VERSION) COMMIT=$(COMMIT) REGISTRY=$(REGISTRY) DIST=$(DIST) \
		RELEASE_PLATFORMS='$(RELEASE_PLATFORMS)' IMAGE_PLATFORMS='$(IMAGE_PLATFORMS)' hack/release.sh
	hack/image-test.sh $(DIST)/kwait-image.oci.tar

.PHONY: publish
publish: ## Push dist/'s image index to REGISTRY/kwait and its chart to oci://REGISTRY/charts (make release first)
	REGISTRY=$(REGISTRY) DIST=$(DIST) hack/publish.sh

.PHONY: sign
sign: ## Sign the published image index and chart with cosign, attach SBOMs and SLSA provenance (COSIGN_KEY=file, else keyless; make publish first)
	REGISTRY=$(REGISTRY) DIST=$(DIST) hack/sign.sh

.PHONY: verify
verify: ## Check a published release as a cluster's policy would: signatures, provenance, SBOMs, by cosign (VERSION=vX.Y.Z; COSIGN_PUBLIC_KEY=file, else keyless)
	REGISTRY=$(REGISTRY) VERSION=$(VERSION) hack/verify.sh

.PHONY: release-test
release-test: release ## The image index built twice from one commit has one digest; the provenance is reproducible; chart, deploy/ and publish name one image
	VERSION=$(VERSION) COMMIT=$(COMMIT) REGISTRY=$(REGISTRY) IMAGE_PLATFORMS='$(IMAGE_PLATFORMS)' hack/release-test.sh

##@ Test

.PHONY: test
test: lint test-unit charts-test image-test release-test e2e ## Run every test: lint, unit tests with -race, fuzz runs, charts, the image, the release, the e2e suite

.PHONY: test-unit
test-unit: ## Unit tests with the race detector, then every fuzz target for 10000 inputs (FUZZTIME=30s for a timed run)
	hack/apt-install.sh zsh fish # the completion scripts' tests run them
	go test -race ./...
	e2e/cluster/spawn-test.sh
	cd bench && go test ./...
	cd hack/ocibuild && GOWORK=off go test ./...
	hack/fuzz.sh $(FUZZTIME)

.PHONY: test-stress
test-stress: ## make test while two stress-ng CPU burners compete for the cores (STRESS_RUNS=3: three runs in a row)
	hack/stress.sh $(MAKE) test

.PHONY: charts-test
charts-test: ## helm lint and helm template of every chart, compared with the golden files (UPDATE_GOLDEN=1 rewrites them)
	hack/charts-test.sh

.PHONY: servers
servers: ## Install the database and queue servers the e2e protocol tests start (Debian packages, their services left stopped)
	hack/servers.sh

.PHONY: e2e
e2e: build image release servers ## The e2e suite: the built binary against a real kube-apiserver and a real node running kwait's image, real database and queue servers, the release through a real OCI registry
	KWAIT_BIN=$(BIN) KWAIT_DIST=$(DIST) KWAIT_VERSION=$(VERSION) e2e/run.sh

.PHONY: lint
lint: ## gofmt and go vet (kwait, the e2e suite, the bench, ocibuild, helmsdk and protoserver modules), actionlint on .github/workflows, shellcheck over every script
	@out=$$(gofmt -l cmd pkg e2e bench hack); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	go vet -tags e2e ./e2e/...
	cd bench && go vet ./...
	cd hack/ocibuild && GOWORK=off go vet ./...
	cd e2e/helmsdk && GOWORK=off go vet -tags e2e ./...
	cd e2e/cluster/tools/protoserver && GOWORK=off go vet ./...
	e2e/cluster/build.sh actionlint
	$(CACHE_BIN)/actionlint .github/workflows/*.yml
	hack/shellcheck.sh

##@ Measure

.PHONY: binsize
binsize: ## Measure every release platform's binary and the biggest packages into docs/benchmarks.md (BASE=REF compares with REF)
	hack/binsize.sh $(BASE)

.PHONY: bench
bench: build ## Benchmarks against kubectl wait and shell loops on the control plane; writes docs/benchmarks.md (~10 min)
	E2E_REAL_NODE=0 KWAIT_BIN=$(BIN) hack/bench.sh

##@ Run

.PHONY: demo
demo: build image ## Bring up the local control plane and a real node, and play the operators-then-app scenario with kwait
	KWAIT_BIN=$(BIN) e2e/demo.sh

.PHONY: cluster-up
cluster-up: ## Start the local control plane (etcd, apiserver, controller-manager, scheduler, kwok) and the real node (containerd, kubelet, kube-proxy, CoreDNS)
	e2e/cluster/cluster.sh up

.PHONY: cluster-down
cluster-down: ## Stop the local control plane and delete its data
	e2e/cluster/cluster.sh down

.PHONY: clean
clean: cluster-down ## Remove build outputs (keeps the cached control-plane binaries in .cache)
	rm -rf $(OUT) $(DIST)

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make TARGET\n"} \
		/^[a-zA-Z0-9_-]+:.*?##/ { printf "  %-16s %s\n", $$1, $$2 } \
		/^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)
