# kwait — build, test and run. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(abspath .)
OUT         := $(ROOT)/_output
CACHE_BIN   := $(ROOT)/.cache/bin
GOOS        ?= $(shell go env GOOS)
GOARCH      ?= $(shell go env GOARCH)
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN         := $(OUT)/bin/$(GOOS)/$(GOARCH)/kwait
LDFLAGS     := -s -w -X main.version=$(VERSION)
FUZZTIME    ?= 10000x
export E2E_CLUSTER_DIR ?= $(OUT)/cluster

##@ Build

.PHONY: build
build: ## Build the static kwait binary into _output/bin/GOOS/GOARCH/kwait (and _output/bin/kwait)
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kwait
	@ln -sf $(GOOS)/$(GOARCH)/kwait $(OUT)/bin/kwait
	@echo "built $(BIN) ($$(du -h $(BIN) | cut -f1))"

.PHONY: image
image: build ## Build the container image (docker if present, else buildah) into _output/kwait-image.oci.tar
	GOOS=$(GOOS) GOARCH=$(GOARCH) VERSION=$(VERSION) hack/image.sh

.PHONY: image-test
image-test: image ## Check the image: user 65532, entrypoint /kwait, kwait version runs, no shell, nothing else inside
	hack/image-test.sh $(OUT)/kwait-image.oci.tar

##@ Test

.PHONY: test
test: lint test-unit charts-test image-test e2e ## Run every test: lint, unit tests with -race, fuzz runs, charts, the image, the e2e suite

.PHONY: test-unit
test-unit: ## Unit tests with the race detector, then every fuzz target for 10000 inputs (FUZZTIME=30s for a timed run)
	go test -race ./...
	e2e/cluster/spawn-test.sh
	cd bench && go test ./...
	hack/fuzz.sh $(FUZZTIME)

.PHONY: test-stress
test-stress: ## make test while two stress-ng CPU burners compete for the cores (STRESS_RUNS=3: three runs in a row)
	hack/stress.sh $(MAKE) test

.PHONY: charts-test
charts-test: ## helm lint and helm template of every chart, compared with the golden files (UPDATE_GOLDEN=1 rewrites them)
	hack/charts-test.sh

.PHONY: e2e
e2e: build ## The e2e suite: the built binary against a real kube-apiserver (starts and stops the cluster)
	KWAIT_BIN=$(BIN) e2e/run.sh

.PHONY: lint
lint: ## gofmt and go vet (kwait, the e2e suite, the bench module), shellcheck over every script
	@out=$$(gofmt -l cmd pkg e2e bench); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	go vet -tags e2e ./e2e/...
	cd bench && go vet ./...
	hack/shellcheck.sh

##@ Measure

.PHONY: bench
bench: build ## Benchmarks against kubectl wait and shell loops on the control plane; writes docs/benchmarks.md (~10 min)
	KWAIT_BIN=$(BIN) hack/bench.sh

##@ Run

.PHONY: demo
demo: build ## Bring up the local control plane and play the operators-then-app scenario with kwait
	KWAIT_BIN=$(BIN) e2e/demo.sh

.PHONY: cluster-up
cluster-up: ## Start the local control plane (etcd, apiserver, controller-manager, scheduler, kwok)
	e2e/cluster/cluster.sh up

.PHONY: cluster-down
cluster-down: ## Stop the local control plane and delete its data
	e2e/cluster/cluster.sh down

.PHONY: clean
clean: cluster-down ## Remove build outputs (keeps the cached control-plane binaries in .cache)
	rm -rf $(OUT)

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make TARGET\n"} \
		/^[a-zA-Z0-9_-]+:.*?##/ { printf "  %-12s %s\n", $$1, $$2 } \
		/^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)
