// Command nodeimage writes the small images the e2e cluster's real node runs
// besides kwait's own (the pause image, CoreDNS, test programs) as an OCI
// archive that containerd imports under a fixed name: one layer of static
// binaries and files, on nothing, owned by root and dated at the epoch, so
// the same inputs give the same digest and a rebuild can be skipped.
//
// Usage:
//
//	nodeimage -out FILE.oci.tar -name kwait.local/NAME:TAG -entrypoint /BIN [-entrypoint ARG ...]
//	    [-user UID:GID] -file /PATH=SOURCE [-file ...]
//
// It prints the image's digest.
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "nodeimage: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("nodeimage", flag.ContinueOnError)
	var entrypoint, files listFlag
	out := fs.String("out", "", "the OCI archive to write")
	name := fs.String("name", "", "the image's name, e.g. kwait.local/pause:1 (annotation io.containerd.image.name)")
	user := fs.String("user", "65532:65532", "the user the image runs as")
	fs.Var(&entrypoint, "entrypoint", "the entrypoint, one word per flag")
	fs.Var(&files, "file", "/PATH=SOURCE, repeatable: a file of the image and where to read it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, tag, _ := strings.Cut(path.Base(*name), ":")
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case *out == "":
		return errors.New("-out is required")
	case tag == "":
		return errors.New("-name NAME:TAG is required")
	case len(entrypoint) == 0:
		return errors.New("-entrypoint is required")
	case len(files) == 0:
		return errors.New("at least one -file is required")
	}
	layer, err := layerOf(files)
	if err != nil {
		return err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	if img, err = mutate.ConfigFile(img, &v1.ConfigFile{
		Architecture: "amd64", OS: "linux",
		Config: v1.Config{User: *user, Entrypoint: entrypoint},
		RootFS: v1.RootFS{Type: "layers"},
	}); err != nil {
		return err
	}
	if img, err = mutate.Append(img, mutate.Addendum{Layer: layer, MediaType: types.OCILayer}); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "nodeimage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"io.containerd.image.name":          *name,
		"org.opencontainers.image.ref.name": tag,
	})); err != nil {
		return err
	}
	if err := tarTree(dir, *out); err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Println(digest)
	return nil
}

// layerOf is one layer holding each /PATH=SOURCE file (mode 0755) and the
// directories above them, directories first, all in lexical order.
func layerOf(files []string) (v1.Layer, error) {
	sources := map[string]string{}
	dirs := map[string]bool{}
	for _, f := range files {
		to, from, ok := strings.Cut(f, "=")
		to = strings.TrimPrefix(path.Clean(to), "/")
		if !ok || to == "" || to == "." || from == "" {
			return nil, fmt.Errorf("-file %q: want /PATH=SOURCE", f)
		}
		sources[to] = from
		for d := path.Dir(to); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	for _, d := range sortedKeys(dirs) {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	for _, to := range sortedKeys(sources) {
		data, err := os.ReadFile(sources[to])
		if err != nil {
			return nil, err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: to, Mode: 0o755, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
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
		tarball.WithMediaType(types.OCILayer))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tarTree tars the OCI layout in dir into out (through a temporary file
// renamed into place), entries in lexical order, owned by 0:0, at the epoch.
func tarTree(dir, out string) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".nodeimage-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	tw := tar.NewWriter(tmp)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(rel), ModTime: time.Unix(0, 0), Format: tar.FormatPAX, Typeflag: tar.TypeDir, Mode: 0o755}
		if d.IsDir() {
			hdr.Name += "/"
			return tw.WriteHeader(hdr)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeReg, 0o644, int64(len(data))
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
