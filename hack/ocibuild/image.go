package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// What is in the image and how it runs. hack/image-test.sh checks the same
// facts on the archive, and TestDockerfileAgrees keeps the Dockerfile (for
// docker users) saying them too.
const (
	binaryPath = "kwait"
	caPath     = "etc/ssl/certs/ca-certificates.crt"
	user       = "65532:65532" // distroless "nonroot", numeric so runAsNonRoot can check it
	source     = "https://github.com/kwait-dev/kwait"
)

var entrypoint = []string{"/" + binaryPath}

// imageSpec is everything an image is made from.
type imageSpec struct {
	platforms []platformBinary
	caBundle  string
	version   string
	tag       string
	revision  string
	created   time.Time
}

// annotations are the OCI labels of each image config, and the annotations
// of the index and manifests.
func (s imageSpec) annotations() map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       "kwait",
		"org.opencontainers.image.description": "Waits until Kubernetes objects and network endpoints are ready, under one deadline (init container / Helm hook Job)",
		"org.opencontainers.image.version":     s.version,
		"org.opencontainers.image.revision":    s.revision,
		"org.opencontainers.image.created":     s.created.Format(time.RFC3339),
		"org.opencontainers.image.source":      source,
		"org.opencontainers.image.url":         source,
		"org.opencontainers.image.licenses":    "Apache-2.0",
	}
}

// image builds the image of one platform.
func (s imageSpec) image(p platformBinary) (v1.Image, error) {
	layer, err := s.layer(p.binary)
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: s.created}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, &v1.ConfigFile{
		Architecture: p.arch,
		OS:           p.os,
		Created:      created,
		Config: v1.Config{
			User:       user,
			Entrypoint: entrypoint,
			Labels:     s.annotations(),
		},
		RootFS: v1.RootFS{Type: "layers"},
	})
	if err != nil {
		return nil, err
	}
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		History:   v1.History{Created: created, CreatedBy: "hack/ocibuild: /kwait and the CA bundle"},
		MediaType: types.OCILayer,
	})
	if err != nil {
		return nil, fmt.Errorf("image %s/%s: %w", p.os, p.arch, err)
	}
	return img, nil
}

// layer is the one layer: the directories, the CA bundle and the binary,
// owned by root, dated s.created, gzip-compressed at the best level.
func (s imageSpec) layer(binary string) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, dir := range []string{"etc/", "etc/ssl/", "etc/ssl/certs/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: s.created, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		from, to string
		mode     int64
	}{{s.caBundle, caPath, 0o644}, {binary, binaryPath, 0o755}} {
		data, err := os.ReadFile(f.from)
		if err != nil {
			return nil, err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.to, Mode: f.mode, Size: int64(len(data)), ModTime: s.created, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil },
		tarball.WithCompressionLevel(gzip.BestCompression), tarball.WithMediaType(types.OCILayer))
}

// index builds the image index of every platform, in the order given.
func (s imageSpec) index() (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range s.platforms {
		img, err := s.image(p)
		if err != nil {
			return nil, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.os, Architecture: p.arch}},
		})
	}
	annotated, ok := mutate.Annotations(idx, s.annotations()).(v1.ImageIndex)
	if !ok {
		return nil, fmt.Errorf("annotating the index lost its type")
	}
	return annotated, nil
}
