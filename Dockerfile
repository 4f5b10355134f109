# kwait image: the static binary and the CA bundle on scratch. Nothing else:
# no shell, no package manager, no libc (the binary is built with CGO_ENABLED=0).
#
# `make image` and `make release` do not use this file: they assemble the
# same image with hack/ocibuild (go-containerregistry), which needs no daemon
# and gives the same digest for the same commit. This Dockerfile is for
# people who build with docker (after `make build GOOS=linux GOARCH=...`;
# stage the CA bundle at _output/image/ca-certificates.crt):
#   docker build --build-arg TARGETARCH=amd64 --build-arg VERSION=$(hack/version.sh) \
#     --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=... .
# hack/ocibuild's tests check that both say the same files, user,
# entrypoint and labels.
FROM scratch

ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=v0.0.0-dev
ARG REVISION=unknown
# The commit time, RFC 3339.
ARG CREATED=1970-01-01T00:00:00Z
# The licence of the repository (LICENSE).
ARG LICENSES=Apache-2.0

LABEL org.opencontainers.image.title="kwait" \
      org.opencontainers.image.description="Waits until Kubernetes objects and network endpoints are ready, under one deadline (init container / Helm hook Job)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="https://github.com/kwait-dev/kwait" \
      org.opencontainers.image.url="https://github.com/kwait-dev/kwait" \
      org.opencontainers.image.licenses="${LICENSES}"

COPY _output/image/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY _output/bin/${TARGETOS}/${TARGETARCH}/kwait /kwait

# The distroless "nonroot" uid/gid; numeric, since scratch has no /etc/passwd,
# so runAsNonRoot can verify it.
USER 65532:65532
ENTRYPOINT ["/kwait"]
