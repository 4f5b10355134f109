//go:build e2e

package helmsdk

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestSDKIsHelm4Binary: the Helm SDK this module tests is the version of
// the helm4 binary the chart tests run (e2e/cluster/versions.sh), so both
// speak for one Helm.
func TestSDKIsHelm4Binary(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "cluster", "versions.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^HELM4_VERSION=(\S+)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("versions.sh: no HELM4_VERSION")
	}
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	sdk := regexp.MustCompile(`(?m)^\s*(?:require\s+)?helm\.sh/helm/v4 (\S+)`).FindSubmatch(mod)
	if sdk == nil {
		t.Fatal("go.mod does not require helm.sh/helm/v4")
	}
	if string(sdk[1]) != string(m[1]) {
		t.Errorf("go.mod requires helm.sh/helm/v4 %s, versions.sh builds helm4 %s: bump both", sdk[1], m[1])
	}
}
