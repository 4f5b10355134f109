package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// fakeSpec is an image of two platforms whose "binaries" are small files.
func fakeSpec(t *testing.T) imageSpec {
	t.Helper()
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return imageSpec{
		platforms: []platformBinary{{"linux", "amd64", write("amd64", "amd64 binary")}, {"linux", "arm64", write("arm64", "arm64 binary")}},
		caBundle:  write("ca.crt", "certificates"),
		version:   "v1.2.3",
		tag:       "1.2.3",
		revision:  "0123456789abcdef0123456789abcdef01234567",
		created:   time.Unix(1700000000, 0).UTC(),
	}
}

// TestSameInputsSameBytes: two builds of the same inputs, apart in time,
// give the same index digest and the same archive bytes.
func TestSameInputsSameBytes(t *testing.T) {
	s := fakeSpec(t)
	var digests []string
	var archives [][]byte
	for i := range 2 {
		out := filepath.Join(t.TempDir(), "image.oci.tar")
		d, err := writeArchive(out, s, true)
		if err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		digests, archives = append(digests, d.String()), append(archives, data)
	}
	if digests[0] != digests[1] {
		t.Errorf("index digests differ: %s, %s", digests[0], digests[1])
	}
	if !bytes.Equal(archives[0], archives[1]) {
		t.Errorf("archives differ")
	}
}

// TestIndexContents: the index lists both platforms; each config runs
// /kwait as 65532 with the OCI labels, dated at the given time.
func TestIndexContents(t *testing.T) {
	s := fakeSpec(t)
	idx, err := s.index()
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 2 || m.Manifests[0].Platform.Architecture != "amd64" || m.Manifests[1].Platform.Architecture != "arm64" {
		t.Fatalf("index manifests %+v, want linux/amd64 and linux/arm64", m.Manifests)
	}
	if got := m.Annotations["org.opencontainers.image.revision"]; got != s.revision {
		t.Errorf("index revision annotation %q, want %q", got, s.revision)
	}
	for _, d := range m.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Config.User != "65532:65532" || strings.Join(cfg.Config.Entrypoint, " ") != "/kwait" || len(cfg.Config.Cmd) != 0 {
			t.Errorf("%s: user %q entrypoint %q cmd %q", d.Platform.Architecture, cfg.Config.User, cfg.Config.Entrypoint, cfg.Config.Cmd)
		}
		if !cfg.Created.Time.Equal(s.created) {
			t.Errorf("%s: created %s, want %s", d.Platform.Architecture, cfg.Created.Time, s.created)
		}
		for k, want := range map[string]string{"version": "v1.2.3", "revision": s.revision, "created": "2023-11-14T22:13:20Z"} {
			if got := cfg.Config.Labels["org.opencontainers.image."+k]; got != want {
				t.Errorf("%s: label %s = %q, want %q", d.Platform.Architecture, k, got, want)
			}
		}
	}
}

// TestArchiveIsLayout: the archive unpacks to an OCI layout whose
// index.json names the tag.
func TestArchiveIsLayout(t *testing.T) {
	s := fakeSpec(t)
	s.platforms = s.platforms[:1]
	out := filepath.Join(t.TempDir(), "image.oci.tar")
	d, err := writeArchive(out, s, false)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	untar(t, out, dir)
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 || m.Manifests[0].Digest != d || m.Manifests[0].Annotations[refName] != "1.2.3" || !m.Manifests[0].MediaType.IsImage() {
		t.Errorf("index.json %+v, want the one image %s tagged 1.2.3", m.Manifests, d)
	}
}

// TestDockerfileAgrees: the Dockerfile, for people who build with docker,
// makes the same image: same files, user, entrypoint and labels.
func TestDockerfileAgrees(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	for _, want := range []string{"FROM scratch", "USER " + user, `ENTRYPOINT ["/kwait"]`, " /" + binaryPath + "\n", " /" + caPath + "\n"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	labels := map[string]bool{}
	for _, m := range regexp.MustCompile(`org\.opencontainers\.image\.[a-z]+`).FindAllString(df, -1) {
		labels[m] = true
	}
	for k := range (imageSpec{}).annotations() {
		if !labels[k] {
			t.Errorf("Dockerfile does not set label %s", k)
		}
	}
}
