package kube

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoadConfigRefusesFilesThatNeverEnd: a kubeconfig, or a CA or token
// file it names, that is a FIFO or a device is refused before anything
// reads it: a read would block past --timeout and signals, or never end.
func TestLoadConfigRefusesFilesThatNeverEnd(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(ca, []byte("not read"), 0o600); err != nil {
		t.Fatal(err)
	}
	kubeconfig := func(caFile, user string) string {
		path := filepath.Join(t.TempDir(), "kubeconfig")
		content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", certificate-authority: %q}}]
users: [{name: u, user: {%s}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, caFile, user)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, tc := range []struct {
		name, kubeconfig, env, want string
	}{
		{"CA /dev/zero", kubeconfig("/dev/zero", "token: x"), "", "/dev/zero is not a regular file"},
		{"token file FIFO", kubeconfig(ca, "tokenFile: "+fifo), "", fifo + " is not a regular file"},
		{"client key FIFO", kubeconfig(ca, "client-certificate: "+ca+", client-key: "+fifo), "", fifo + " is not a regular file"},
		{"KUBECONFIG FIFO", "", fifo, fifo + " is not a regular file"},
		{"KUBECONFIG /dev/zero", "", "/dev/zero", "/dev/zero is not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tc.env)
			t.Setenv("KUBERNETES_SERVICE_HOST", "")
			_, _, err := LoadConfig(ConfigOptions{Kubeconfig: tc.kubeconfig})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadConfig() = %v, want an error with %q", err, tc.want)
			}
		})
	}
	if _, _, err := LoadConfig(ConfigOptions{Kubeconfig: kubeconfig(ca, "token: x")}); err != nil {
		t.Errorf("LoadConfig() of regular files = %v, want nil", err)
	}
}
