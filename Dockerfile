# kwait image: the static binary and the CA bundle on scratch. Nothing else:
# no shell, no package manager, no libc (the binary is built with CGO_ENABLED=0).
#
# There is no Go builder stage: `make build` compiles the binary on the host
# for GOOS/GOARCH, and hack/image.sh copies the CA bundle into
# _output/image/ before building, so the build needs no base image and no
# registry. Build with `make image` (or see hack/image.sh).
FROM scratch

ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
# The licence of the repository (LICENSE).
ARG LICENSES=Apache-2.0

LABEL org.opencontainers.image.title="kwait" \
      org.opencontainers.image.description="Waits until Kubernetes objects and network endpoints are ready, under one deadline (init container / Helm hook Job)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/kwait-dev/kwait" \
      org.opencontainers.image.licenses="${LICENSES}"

COPY _output/image/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY _output/bin/${TARGETOS}/${TARGETARCH}/kwait /kwait

# The distroless "nonroot" uid/gid; numeric, since scratch has no /etc/passwd,
# so runAsNonRoot can verify it.
USER 65532:65532
ENTRYPOINT ["/kwait"]
