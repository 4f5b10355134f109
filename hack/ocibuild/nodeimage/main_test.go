package main

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// TestImageNamedForContainerd: the archive's one image carries the name
// containerd imports it under, runs the entrypoint as the user given, and
// holds each file (with its directories) at its path; the same inputs give
// the same bytes.
func TestImageNamedForContainerd(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "prog")
	if err := os.WriteFile(bin, []byte("a program"), 0o755); err != nil {
		t.Fatal(err)
	}
	build := func(out string) []byte {
		if err := run([]string{"-out", out, "-name", "kwait.local/prog:1", "-user", "65532:65532",
			"-entrypoint", "/bin/prog", "-entrypoint", "--flag", "-file", "/bin/prog=" + bin}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	first := build(filepath.Join(dir, "a.oci.tar"))
	if !bytes.Equal(first, build(filepath.Join(dir, "b.oci.tar"))) {
		t.Error("two builds of the same inputs differ")
	}

	unpacked := filepath.Join(dir, "layout")
	untar(t, first, unpacked)
	p, err := layout.FromPath(unpacked)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 || m.Manifests[0].Annotations["io.containerd.image.name"] != "kwait.local/prog:1" ||
		m.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "1" {
		t.Fatalf("index manifests %+v: want one, named kwait.local/prog:1", m.Manifests)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "65532:65532" || strings.Join(cfg.Config.Entrypoint, " ") != "/bin/prog --flag" {
		t.Errorf("config user %q entrypoint %q", cfg.Config.User, cfg.Config.Entrypoint)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers %v, %v: want one", layers, err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var names []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	if got := strings.Join(names, " "); got != "bin/ bin/prog" {
		t.Errorf("layer holds %q, want bin/ bin/prog", got)
	}
}

// TestBadFlags: what is missing or malformed is named.
func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-name", "x:1", "-entrypoint", "/x", "-file", "/x=y"}, "-out"},
		{[]string{"-out", "o", "-name", "x", "-entrypoint", "/x", "-file", "/x=y"}, "NAME:TAG"},
		{[]string{"-out", "o", "-name", "x:1", "-file", "/x=y"}, "-entrypoint"},
		{[]string{"-out", "o", "-name", "x:1", "-entrypoint", "/x"}, "-file"},
		{[]string{"-out", filepath.Join(t.TempDir(), "o"), "-name", "x:1", "-entrypoint", "/x", "-file", "/x"}, "/PATH=SOURCE"},
	} {
		if err := run(tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
}

func untar(t *testing.T, data []byte, dir string) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
