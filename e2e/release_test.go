//go:build e2e

package e2e

import (
	"archive/tar"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The release test takes what `make release` put in dist/ (KWAIT_DIST, the
// version KWAIT_VERSION) through a real OCI registry, as a user would:
// `make publish` pushes the image index and the chart, an example chart
// that depends on kwait through oci:// is pushed and installed from there,
// and the image it runs must be the index, for every linux platform, whose amd64
// binary says the release's version.

// startRegistry runs go-containerregistry's in-memory registry (built into
// .cache/bin by e2e/cluster/build.sh) on a free port of 127.0.0.1 until the
// test ends, and returns its host:port.
func startRegistry(t *testing.T) string {
	t.Helper()
	bin := cacheBin(t, "registry")
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	// -port 0: the kernel picks the port; the registry logs it.
	cmd := exec.CommandContext(ctx, bin, "-port", "0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	port := make(chan string, 1)
	go func() {
		serving := regexp.MustCompile(`serving on port (\d+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				port <- m[1]
			}
		}
		close(port)
	}()
	select {
	case p, ok := <-port:
		if !ok {
			t.Fatal("the registry exited before it said its port")
		}
		return "127.0.0.1:" + p
	case <-time.After(30 * time.Second):
		t.Fatal("the registry did not say its port within 30s")
	}
	return ""
}

// cacheBin is the path of a tool e2e/cluster/build.sh built into .cache/bin.
func cacheBin(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", ".cache", "bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no %s in .cache/bin: run e2e/cluster/build.sh %s (make release does)", name, name)
	}
	return p
}

// runTool runs a command with a deadline, a HOME of its own and the
// environment env (plus the test's PATH, which has go for build.sh), and
// returns its standard output; it fails the test on error.
func runTool(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			out = append(out, exit.Stderr...)
		}
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestReleaseThroughRegistry: make publish pushes dist/'s image index and
// chart to a registry on 127.0.0.1 and hack/sign.sh signs them there; make
// verify checks the signatures, provenance and SBOMs as a user would, and
// only then is the release used: the infra example, its kwait dependency
// taken from oci:// in that registry (the very chart package verified), is
// pushed there and installed from there with the image pinned to the
// verified index; the image it renders resolves there to an index of
// linux/amd64, arm64, ppc64le and s390x, and the kwait binary of the amd64
// image prints the release's version.
// Not parallel: the infra example installs CRDs with their real names.
func TestReleaseThroughRegistry(t *testing.T) {
	rel := publishSigned(t)
	verified := rel.mustVerify(t)
	version, chartVersion, root := rel.version, rel.chartVersion, rel.root
	reg := strings.TrimSuffix(rel.registry, "/kwait-dev")
	crane := cacheBin(t, "crane")
	repository, digest, _ := strings.Cut(verified.image, "@")

	// The infra example, depending on kwait from the registry.
	exclusiveCRDs(t, "tenants.minio.min.io", "clusters.postgresql.cnpg.io")
	dir := filepath.Join(t.TempDir(), "infra")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "charts", "examples", "infra"))); err != nil {
		t.Fatal(err)
	}
	chartYAML := filepath.Join(dir, "Chart.yaml")
	data, err := os.ReadFile(chartYAML)
	if err != nil {
		t.Fatal(err)
	}
	dep := regexp.MustCompile(`(?m)^(\s+)version: .*\n(\s+)repository: file://\.\./\.\./kwait$`)
	if !dep.Match(data) {
		t.Fatalf("charts/examples/infra/Chart.yaml has no file:// dependency on kwait to replace:\n%s", data)
	}
	data = dep.ReplaceAll(data, []byte("${1}version: "+chartVersion+"\n${2}repository: oci://"+reg+"/kwait-dev/charts"))
	if err := os.WriteFile(chartYAML, data, 0o644); err != nil {
		t.Fatal(err)
	}
	helmCmd(t, "dependency", "build", dir, "--plain-http")
	fetched := filepath.Join(dir, "charts", "kwait-"+chartVersion+".tgz")
	if _, err := os.Stat(fetched); err != nil {
		t.Fatalf("helm dependency build did not fetch kwait %s from the registry: %v", chartVersion, err)
	}
	if got, want := fileDigest(t, fetched), chartLayer(t, verified.chart); got != want {
		t.Fatalf("helm dependency build fetched kwait %s as %s, the chart make verify checked (%s) holds %s",
			chartVersion, got, verified.chart, want)
	}
	pkg := t.TempDir()
	helmCmd(t, "package", dir, "--destination", pkg)
	helmCmd(t, "push", filepath.Join(pkg, "infra-0.1.0.tgz"), "oci://"+reg+"/kwait-dev/examples", "--plain-http")

	ns := chartNamespace(t)
	enforceRestricted(t, ns)
	deleteClusterRBAC(t, ns+"-infra-operators-ready")
	image := repository + "@" + digest
	helmInstall(t, ns, "infra", "oci://"+reg+"/kwait-dev/examples/infra", "--version", "0.1.0", "--plain-http",
		"--set", "kwait.image.repository="+repository, "--set", "kwait.image.digest="+digest)

	// Every kwait container the release rendered runs the pushed index.
	rendered := helmCmd(t, "get", "manifest", "infra", "-n", ns) + helmCmd(t, "get", "hooks", "infra", "-n", ns)
	images := regexp.MustCompile(`(?m)^\s+image: "?([^"\s]*/kwait[@:][^"\s]*)"?$`).FindAllStringSubmatch(rendered, -1)
	if len(images) == 0 {
		t.Fatalf("the release renders no kwait image:\n%s", rendered)
	}
	for _, i := range images {
		if i[1] != image {
			t.Errorf("the release runs kwait image %s, want %s", i[1], image)
		}
	}

	// It resolves in the registry to an index of every linux platform.
	var index struct {
		MediaType string `json:"mediaType"`
		Manifests []struct {
			Platform struct{ OS, Architecture string } `json:"platform"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal([]byte(runTool(t, nil, crane, "manifest", image)), &index); err != nil {
		t.Fatalf("crane manifest %s: %v", image, err)
	}
	var platforms []string
	for _, m := range index.Manifests {
		platforms = append(platforms, m.Platform.OS+"/"+m.Platform.Architecture)
	}
	const want = "linux/amd64 linux/arm64 linux/ppc64le linux/s390x"
	if index.MediaType != "application/vnd.oci.image.index.v1+json" || strings.Join(platforms, " ") != want {
		t.Fatalf("%s is a %s of %q, want an OCI image index of %s", image, index.MediaType, platforms, want)
	}
	if got := strings.TrimSpace(runTool(t, nil, crane, "digest", repository+":"+chartVersion)); got != digest {
		t.Errorf("tag %s resolves to %s, the release renders %s", chartVersion, got, digest)
	}

	// The amd64 image's kwait prints the release's version.
	kwait := filepath.Join(t.TempDir(), "kwait")
	extractFile(t, runTool(t, nil, crane, "export", "--platform", "linux/amd64", image, "-"), "kwait", kwait)
	first, _, _ := strings.Cut(runTool(t, nil, kwait, "version"), "\n")
	if first != "kwait "+version {
		t.Errorf("kwait version from the pulled amd64 image printed %q, want %q", first, "kwait "+version)
	}
}

// extractFile writes the file name of the tar stream to path, executable.
func extractFile(t *testing.T, stream, name, path string) {
	t.Helper()
	tr := tar.NewReader(strings.NewReader(stream))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("no %s in the image's filesystem", name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimPrefix(hdr.Name, "/") != name {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o755); err != nil {
			t.Fatal(fmt.Errorf("write %s: %w", path, err))
		}
		return
	}
}

// TestReleaseArchives: the release's archive for this machine unpacks, with
// tar as a user would, to kwait, LICENSE and README.md, and that kwait
// prints the release's version; SHA256SUMS lists every archive.
func TestReleaseArchives(t *testing.T) {
	dist, version := os.Getenv("KWAIT_DIST"), os.Getenv("KWAIT_VERSION")
	if dist == "" || version == "" {
		t.Fatal("KWAIT_DIST and KWAIT_VERSION are not set: run the suite with `make e2e` (it runs make release first)")
	}
	chartVersion := strings.TrimPrefix(version, "v")
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	archives, err := filepath.Glob(filepath.Join(dist, "kwait_*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(archives) == 0 {
		t.Fatalf("no archives kwait_* in %s", dist)
	}
	for _, a := range archives {
		if !regexp.MustCompile(`(?m)^[0-9a-f]{64}  ` + regexp.QuoteMeta(filepath.Base(a)) + `$`).Match(sums) {
			t.Errorf("SHA256SUMS does not list %s", filepath.Base(a))
		}
	}

	archive := filepath.Join(dist, "kwait_"+chartVersion+"_linux_"+runtime.GOARCH+".tar.gz")
	dir := t.TempDir()
	runTool(t, nil, "tar", "-xzf", archive, "-C", dir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "LICENSE README.md kwait" {
		t.Fatalf("%s unpacks to %q, want LICENSE README.md kwait", filepath.Base(archive), names)
	}
	if got := strings.TrimSpace(runTool(t, nil, filepath.Join(dir, "kwait"), "--version")); got != "kwait "+version {
		t.Errorf("kwait --version from %s printed %q, want %q", filepath.Base(archive), got, "kwait "+version)
	}
}

// TestReleaseKrewManifest: the release's krew manifest (dist/kwait.yaml)
// names the archives of the release's GitHub download URL; served instead
// from 127.0.0.1, it passes krew's own validate-krew-manifest (krew's
// structural validation, every platform selector used once, and a real
// `kubectl krew install` of every platform, which checks each sha256 and
// the LICENSE), and `kubectl kwait --version` then runs the release. The
// same manifest with one sha256 changed is refused.
func TestReleaseKrewManifest(t *testing.T) {
	dist, version := os.Getenv("KWAIT_DIST"), os.Getenv("KWAIT_VERSION")
	if dist == "" || version == "" {
		t.Fatal("KWAIT_DIST and KWAIT_VERSION are not set: run the suite with `make e2e` (it runs make release first)")
	}
	manifest, err := os.ReadFile(filepath.Join(dist, "kwait.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	uri := regexp.MustCompile(`(?m)^(\s+uri: )(\S+)/(kwait_[^/\s]+)$`)
	uris := uri.FindAllSubmatch(manifest, -1)
	if len(uris) != 5 {
		t.Fatalf("dist/kwait.yaml has %d uris, want 5 (linux, darwin: amd64, arm64; windows/amd64):\n%s", len(uris), manifest)
	}
	for _, u := range uris {
		if want := "https://github.com/kwait-dev/kwait/releases/download/" + version; string(u[2]) != want {
			t.Errorf("dist/kwait.yaml downloads %s from %s, want the release's %s", u[3], u[2], want)
		}
	}

	// The archives, served from 127.0.0.1 instead of GitHub.
	srv := httptest.NewServer(http.FileServer(http.Dir(dist)))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	local := filepath.Join(dir, "kwait.yaml")
	localized := uri.ReplaceAll(manifest, []byte("${1}"+srv.URL+"/${3}"))
	if err := os.WriteFile(local, localized, 0o644); err != nil {
		t.Fatal(err)
	}
	// kubectl finds krew as its plugin kubectl-krew on PATH.
	tools := filepath.Join(dir, "tools")
	if err := os.Mkdir(tools, 0o755); err != nil {
		t.Fatal(err)
	}
	for link, bin := range map[string]string{"kubectl": "kubectl", "kubectl-krew": "krew"} {
		if err := os.Symlink(cacheBin(t, bin), filepath.Join(tools, link)); err != nil {
			t.Fatal(err)
		}
	}
	path := "PATH=" + tools + string(os.PathListSeparator) + os.Getenv("PATH")
	validate := cacheBin(t, "validate-krew-manifest")
	krew := func(env []string, name string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = append([]string{path, "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir(), "KREW_NO_UPGRADE_CHECK=1"}, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := krew(nil, validate, "-manifest", local); err != nil {
		t.Fatalf("validate-krew-manifest refused the release's manifest: %v\n%s", err, out)
	} else if !strings.Contains(out, "all 5 spec.platforms installed fine") {
		t.Fatalf("validate-krew-manifest did not install every platform:\n%s", out)
	}

	// Installed for this machine, kubectl kwait is the release.
	root := filepath.Join(dir, "krew")
	if out, err := krew([]string{"KREW_ROOT=" + root}, filepath.Join(tools, "kubectl"), "krew", "install", "--manifest="+local); err != nil {
		t.Fatalf("kubectl krew install --manifest: %v\n%s", err, out)
	}
	path = "PATH=" + filepath.Join(root, "bin") + string(os.PathListSeparator) + path[len("PATH="):]
	out, err := krew(nil, filepath.Join(tools, "kubectl"), "kwait", "--version")
	if err != nil || strings.TrimSpace(out) != "kwait "+version {
		t.Errorf("kubectl kwait --version after krew install: %v, printed %q, want %q", err, out, "kwait "+version)
	}

	// A sha256 that is not the archive's is refused.
	tampered := regexp.MustCompile(`sha256: [0-9a-f]`).ReplaceAllFunc(localized, func(b []byte) []byte {
		if b[len(b)-1] == '0' {
			return []byte("sha256: 1")
		}
		return []byte("sha256: 0")
	})
	bad := filepath.Join(t.TempDir(), "kwait.yaml")
	if err := os.WriteFile(bad, tampered, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := krew(nil, validate, "-manifest", bad); err == nil {
		t.Errorf("validate-krew-manifest accepted a manifest whose sha256s are not the archives':\n%s", out)
	} else if !strings.Contains(out, "sha256") {
		t.Errorf("validate-krew-manifest refused the tampered manifest, but not for its sha256:\n%s", out)
	}
}
