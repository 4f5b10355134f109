package main

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// refName is the annotation naming an image in an OCI layout: the tag
// `skopeo copy oci-archive:FILE:TAG` and buildah take.
const refName = "org.opencontainers.image.ref.name"

// writeArchive writes the image (one platform, unless asIndex) or the index
// of s as an OCI layout, tars it into out and returns the digest of what
// index.json points at.
func writeArchive(out string, s imageSpec, asIndex bool) (v1.Hash, error) {
	dir, err := os.MkdirTemp("", "ocibuild-")
	if err != nil {
		return v1.Hash{}, err
	}
	defer os.RemoveAll(dir)
	path, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, err
	}
	tag := layout.WithAnnotations(map[string]string{refName: s.tag})
	var digest v1.Hash
	if len(s.platforms) == 1 && !asIndex {
		img, err := s.image(s.platforms[0])
		if err != nil {
			return v1.Hash{}, err
		}
		if err := path.AppendImage(img, tag); err != nil {
			return v1.Hash{}, err
		}
		digest, err = img.Digest()
		if err != nil {
			return v1.Hash{}, err
		}
	} else {
		idx, err := s.index()
		if err != nil {
			return v1.Hash{}, err
		}
		if err := path.AppendIndex(idx, tag); err != nil {
			return v1.Hash{}, err
		}
		digest, err = idx.Digest()
		if err != nil {
			return v1.Hash{}, err
		}
	}
	if err := tarDir(dir, out, s.created); err != nil {
		return v1.Hash{}, err
	}
	return digest, nil
}

// tarDir writes the files under dir into the tar file out, in lexical order,
// owned by 0:0 and dated mtime, through a temporary file renamed into place.
func tarDir(dir, out string, mtime time.Time) (err error) {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(out), ".ocibuild-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	tw := tar.NewWriter(f)
	// WalkDir visits entries in lexical order.
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(rel), ModTime: mtime, Format: tar.FormatPAX}
		if d.IsDir() {
			hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, hdr.Name+"/", 0o755
			return tw.WriteHeader(hdr)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeReg, 0o644, info.Size()
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		return err
	})
	if err != nil {
		return fmt.Errorf("archive %s: %w", dir, err)
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), out)
}
