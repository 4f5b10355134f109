//go:build e2e

package e2e

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The signed release: `make publish`, then hack/sign.sh signs the image
// index (and its platform images) and the chart in the registry with a key
// pair the test makes, and attaches the SBOMs and the SLSA provenance as
// attestations; hack/verify.sh (`make verify`) checks them the way a
// cluster's policy would. All of it offline: no transparency log, and every
// cosign and crane run has a proxy that fails the test if anything is sent
// through it, so nothing reaches Rekor, Fulcio or a TUF mirror.

// signedRelease is dist/ published to a registry of the test and signed there.
type signedRelease struct {
	root, dist, version, chartVersion string
	registry                          string // host:port/kwait-dev: REGISTRY of the scripts
	digest                            string // the image index make publish pushed
	key, publicKey                    string // the key pair that signed it (password kwait-e2e)
	env                               []string
}

// noEgress returns the environment that sends every HTTP(S) request for a
// host other than 127.0.0.1 and localhost through a proxy on 127.0.0.1,
// which answers nothing and makes the test fail when it is used: a tool
// that tried to reach the network is caught instead of reaching it (Go's
// HTTP clients resolve no name when they use a proxy).
func noEgress(t *testing.T) []string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen []string
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			mu.Lock()
			seen = append(seen, strings.TrimSpace(line))
			mu.Unlock()
			_ = c.Close()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if len(seen) > 0 {
			t.Errorf("a tool tried to reach the network (through the test's proxy): %q", seen)
		}
	})
	proxy := "http://" + ln.Addr().String()
	return []string{"HTTPS_PROXY=" + proxy, "HTTP_PROXY=" + proxy, "https_proxy=" + proxy, "http_proxy=" + proxy,
		"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost"}
}

// cosignKeyPair makes a cosign key pair with password "kwait-e2e" in a
// temporary directory and returns the paths of the private and public key.
func cosignKeyPair(t *testing.T, env []string) (key, pub string) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), cacheBin(t, "cosign"), "generate-key-pair", "--output-key-prefix", filepath.Join(dir, "release"))
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "COSIGN_PASSWORD=kwait-e2e"}, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
	}
	return filepath.Join(dir, "release.key"), filepath.Join(dir, "release.pub")
}

// publishSigned runs make publish against a registry of its own, then
// hack/sign.sh with a new key pair and no transparency log.
func publishSigned(t *testing.T) *signedRelease {
	t.Helper()
	dist, version := os.Getenv("KWAIT_DIST"), os.Getenv("KWAIT_VERSION")
	if dist == "" || version == "" {
		t.Fatal("KWAIT_DIST and KWAIT_VERSION are not set: run the suite with `make e2e` (it runs make release first)")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	r := &signedRelease{root: root, dist: dist, version: version, chartVersion: strings.TrimPrefix(version, "v")}
	r.registry = startRegistry(t) + "/kwait-dev"
	r.env = append(noEgress(t), "REGISTRY="+r.registry, "DIST="+dist, "PLAIN_HTTP=1", "TLOG=0")

	out := runTool(t, r.env, filepath.Join(root, "hack", "publish.sh"))
	m := regexp.MustCompile(`(?m)^publish: (\S+):` + regexp.QuoteMeta(r.chartVersion) + `@(sha256:[0-9a-f]{64})$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("make publish did not print the image it pushed as REPOSITORY:%s@DIGEST:\n%s", r.chartVersion, out)
	}
	if want := r.registry + "/kwait"; m[1] != want {
		t.Fatalf("make publish pushed the image to %s, want %s", m[1], want)
	}
	r.digest = m[2]

	key, pub := cosignKeyPair(t, r.env)
	r.key, r.publicKey = key, pub
	out, code := r.sign(t)
	if code != 0 {
		t.Fatalf("hack/sign.sh exited %d:\n%s", code, out)
	}
	for _, want := range []string{
		"sign: signed " + r.registry + "/kwait@" + r.digest + " and its platform images",
		"sign: attested " + r.registry + "/kwait@" + r.digest + ": slsaprovenance1 kwait-provenance.slsa.json",
		"sign: attested " + r.registry + "/kwait@" + r.digest + ": spdxjson kwait-binaries.spdx.json",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Fatalf("hack/sign.sh did not say %q:\n%s", want, out)
		}
	}
	return r
}

// sign runs hack/sign.sh with the release's key and env added, and returns
// its combined output and exit code.
func (r *signedRelease) sign(t *testing.T, env ...string) (string, int) {
	t.Helper()
	return r.script(t, "sign.sh", append([]string{"COSIGN_KEY=" + r.key, "COSIGN_PASSWORD=kwait-e2e"}, env...)...)
}

// script runs hack/NAME with the release's environment and env added (a
// later entry wins) and returns its combined output and exit code.
func (r *signedRelease) script(t *testing.T, name string, env ...string) (string, int) {
	t.Helper()
	start := time.Now()
	cmd := exec.CommandContext(t.Context(), filepath.Join(r.root, "hack", name))
	cmd.Env = append(append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "VERSION=" + r.version}, r.env...), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("hack/%s took %s", name, time.Since(start).Round(time.Millisecond))
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("hack/%s: %v\n%s", name, err, out)
	return "", 0
}

// verify runs hack/verify.sh (make verify) against the registry with env
// added (COSIGN_PUBLIC_KEY, REGISTRY, OUT: a later entry wins) and returns
// its combined output and exit code.
func (r *signedRelease) verify(t *testing.T, env ...string) (string, int) {
	t.Helper()
	return r.script(t, "verify.sh", append([]string{"COSIGN_PUBLIC_KEY=" + r.publicKey, "OUT=" + t.TempDir()}, env...)...)
}

// verified is what a successful hack/verify.sh checked, by digest, and the
// directory it wrote the predicates to.
type verified struct {
	image, chart, out string
}

// mustVerify runs hack/verify.sh, which must pass, and returns what it
// verified; the SBOMs and the provenance it pulled from the registry must
// be the release's files.
func (r *signedRelease) mustVerify(t *testing.T) verified {
	t.Helper()
	out := t.TempDir()
	text, code := r.verify(t, "OUT="+out)
	if code != 0 {
		t.Fatalf("hack/verify.sh refused the signed release (exit %d):\n%s", code, text)
	}
	v := verified{out: out}
	for kind, ref := range map[string]*string{"image": &v.image, "chart": &v.chart} {
		m := regexp.MustCompile(`(?m)^verify: ` + kind + ` (\S+@sha256:[0-9a-f]{64})$`).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("hack/verify.sh did not name the %s it verified:\n%s", kind, text)
		}
		*ref = m[1]
	}
	if want := r.registry + "/kwait@" + r.digest; v.image != want {
		t.Errorf("hack/verify.sh verified %s, make publish pushed %s", v.image, want)
	}
	files := []string{"kwait-provenance.slsa.json", "kwait-binaries.spdx.json"}
	for _, p := range []string{"amd64", "arm64", "ppc64le", "s390x"} {
		files = append(files, "kwait-image-linux-"+p+".spdx.json")
	}
	for _, f := range files {
		if got, want := readJSON(t, filepath.Join(out, f)), readJSON(t, filepath.Join(r.dist, f)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s pulled from the registry's attestation is not the release's dist/%s", f, f)
		}
	}
	return v
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// chartLayer is the digest of the chart package in the chart manifest ref.
func chartLayer(t *testing.T, ref string) string {
	t.Helper()
	var m struct {
		Layers []struct{ MediaType, Digest string } `json:"layers"`
	}
	if err := json.Unmarshal([]byte(runTool(t, nil, cacheBin(t, "crane"), "manifest", ref)), &m); err != nil {
		t.Fatalf("crane manifest %s: %v", ref, err)
	}
	for _, l := range m.Layers {
		if l.MediaType == "application/vnd.cncf.helm.chart.content.v1.tar+gzip" {
			return l.Digest
		}
	}
	t.Fatalf("%s has no Helm chart layer", ref)
	return ""
}

func fileDigest(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TestReleaseSignatureRejected: make verify passes on the signed release
// and refuses, exit 1 and naming what is wrong: the right release checked
// against another key; an unsigned copy of it in another repository; the
// chart tag moved to a chart that was not signed; the image tag moved to an
// index that was not signed (two of the four signed platform images). Bad
// input is exit 2.
func TestReleaseSignatureRejected(t *testing.T) {
	r := publishSigned(t)
	r.mustVerify(t)
	crane := cacheBin(t, "crane")
	image := r.registry + "/kwait"
	chart := r.registry + "/charts/kwait"

	refused := func(what, wantMsg string, env ...string) {
		t.Helper()
		out, code := r.verify(t, env...)
		if code != 1 || !strings.Contains(out, "verify: FAILED: "+wantMsg) {
			t.Errorf("%s: hack/verify.sh exited %d, want 1 with %q:\n%s", what, code, "verify: FAILED: "+wantMsg, out)
		}
	}

	_, otherPub := cosignKeyPair(t, r.env)
	refused("another key", image+":"+r.chartVersion+" ("+r.digest+") has no valid signature by the key "+otherPub,
		"COSIGN_PUBLIC_KEY="+otherPub)

	mirror := r.registry + "-mirror"
	runTool(t, nil, crane, "copy", "--insecure", image+":"+r.chartVersion, mirror+"/kwait:"+r.chartVersion)
	runTool(t, nil, crane, "copy", "--insecure", chart+":"+r.chartVersion, mirror+"/charts/kwait:"+r.chartVersion)
	refused("an unsigned copy", mirror+"/kwait:"+r.chartVersion+" ("+r.digest+") has no valid signature", "REGISTRY="+mirror)

	// cosign copy takes the signatures and attestations along: that mirror verifies.
	signedMirror := r.registry + "-signed-mirror"
	cosign := cacheBin(t, "cosign")
	runTool(t, r.env, cosign, "copy", "--allow-http-registry", image+":"+r.chartVersion, signedMirror+"/kwait:"+r.chartVersion)
	runTool(t, r.env, cosign, "copy", "--allow-http-registry", chart+":"+r.chartVersion, signedMirror+"/charts/kwait:"+r.chartVersion)
	if out, code := r.verify(t, "REGISTRY="+signedMirror); code != 0 || !strings.Contains(out, "verify: image "+signedMirror+"/kwait@"+r.digest+"\n") {
		t.Errorf("a mirror made with cosign copy: hack/verify.sh exited %d, want 0 naming %s/kwait@%s:\n%s", code, signedMirror, r.digest, out)
	}

	// Another chart under the signed one's tag: the release's chart with one more file.
	chartDigest := strings.TrimSpace(runTool(t, nil, crane, "digest", "--insecure", chart+":"+r.chartVersion))
	dir := t.TempDir()
	runTool(t, nil, "tar", "-xzf", filepath.Join(r.dist, "kwait-"+r.chartVersion+".tgz"), "-C", dir)
	if err := os.WriteFile(filepath.Join(dir, "kwait", "templates", "NOTES.txt"), []byte("not from the release\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pkg := t.TempDir()
	helmCmd(t, "package", filepath.Join(dir, "kwait"), "--destination", pkg)
	helmCmd(t, "push", filepath.Join(pkg, "kwait-"+r.chartVersion+".tgz"), "oci://"+r.registry+"/charts", "--plain-http")
	forged := strings.TrimSpace(runTool(t, nil, crane, "digest", "--insecure", chart+":"+r.chartVersion))
	if forged == chartDigest {
		t.Fatalf("the changed chart has the release's digest %s", forged)
	}
	refused("a changed chart", chart+":"+r.chartVersion+" ("+forged+") has no valid signature")
	runTool(t, nil, crane, "tag", "--insecure", chart+"@"+chartDigest, r.chartVersion)

	// Another index under the signed one's tag: two of its signed platform images.
	runTool(t, nil, crane, "index", "filter", "--insecure", image+":"+r.chartVersion,
		"--platform", "linux/amd64", "--platform", "linux/arm64", "-t", image+":"+r.chartVersion)
	forged = strings.TrimSpace(runTool(t, nil, crane, "digest", "--insecure", image+":"+r.chartVersion))
	if forged == r.digest {
		t.Fatalf("the filtered index has the release's digest %s", forged)
	}
	refused("a changed index", image+":"+r.chartVersion+" ("+forged+") has no valid signature")
	// hack/sign.sh signs only what dist/ holds: not the index now under the tag.
	if out, code := r.sign(t); code != 1 || !strings.Contains(out, image+":"+r.chartVersion+" is not "+r.digest+", the index in") {
		t.Errorf("hack/sign.sh with the tag moved: exit %d, want 1 saying the tag is not %s:\n%s", code, r.digest, out)
	}

	// Signed by the right key but without the release's attestations.
	runTool(t, append([]string{"COSIGN_PASSWORD=kwait-e2e"}, r.env...), cacheBin(t, "cosign"), "sign", "--yes",
		"--key", r.key, "--tlog-upload=false", "--allow-http-registry", image+"@"+forged)
	refused("a signed index without attestations", image+"@"+forged+" has no valid slsaprovenance1 attestation")

	for _, bad := range []struct{ env, msg string }{
		{"VERSION=latest", "VERSION 'latest' is not a release version"},
		{"TLOG=no", "TLOG must be 0 or 1"},
		{"COSIGN_PUBLIC_KEY=", "TLOG=0 needs COSIGN_PUBLIC_KEY"},
		{"COSIGN_PUBLIC_KEY=" + filepath.Join(t.TempDir(), "missing.pub"), "is not a file"},
	} {
		if out, code := r.verify(t, bad.env); code != 2 || !strings.Contains(out, bad.msg) {
			t.Errorf("%s: hack/verify.sh exited %d, want 2 saying %q:\n%s", bad.env, code, bad.msg, out)
		}
	}
	// hack/sign.sh alike: keyless signing must go to the transparency log.
	if out, code := r.sign(t, "COSIGN_KEY="); code != 2 || !strings.Contains(out, "TLOG=0 needs COSIGN_KEY") {
		t.Errorf("hack/sign.sh with TLOG=0 and no key: exit %d, want 2 saying TLOG=0 needs COSIGN_KEY:\n%s", code, out)
	}
}
