package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// completionScript writes `kwait completion SHELL` to a file and returns
// its path.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	r := run(t, "completion", shell)
	if r.code != 0 || r.out == "" {
		t.Fatalf("completion %s: exit %d, stderr %q", shell, r.code, r.err)
	}
	path := filepath.Join(t.TempDir(), "kwait."+shell)
	if err := os.WriteFile(path, []byte(r.out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// shellBinary is the shell's path; make test-unit installs zsh and fish.
func shellBinary(t *testing.T, shell string) string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s is not installed (make test-unit installs it with hack/apt-install.sh)", shell)
	}
	return path
}

func shellOutput(t *testing.T, shell string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(shellBinary(t, shell), args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", shell, args, err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestCompletionBash runs the bash script's function on command lines as
// bash would and checks what it offers.
func TestCompletionBash(t *testing.T) {
	t.Parallel()
	script := completionScript(t, "bash")
	complete := func(words ...string) []string {
		line := "source " + script + "; COMP_WORDS=(" + strings.Join(quoteAll(words), " ") + "); COMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "; _kwait; printf '%s\\n' \"${COMPREPLY[@]}\""
		return shellOutput(t, "bash", "-c", line)
	}
	for _, tc := range []struct {
		words     []string
		want, not []string
	}{
		{[]string{"kwait", "depl"}, []string{"deployment", "deployments", "deploy", "deployment/"}, nil},
		{[]string{"kwait", "tc"}, []string{"tcp", "tcp://"}, nil},
		{[]string{"kwait", "tcp", "db:5432", "--tim"}, []string{"--timeout"}, nil},
		{[]string{"kwait", "tcp", "db:5432", "--s"}, []string{"--status-interval"}, []string{"--selector", "--status"}},
		{[]string{"kwait", "pods", "-"}, []string{"--selector", "-l", "--min", "--events"}, []string{"--status"}},
		{[]string{"kwait", "--log-level", "debug", "crd/x.y", "--na"}, []string{"--namespace"}, nil},
		{[]string{"kwait", "completion", ""}, []string{"bash", "zsh", "fish"}, nil},
	} {
		got := complete(tc.words...)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: offered %q, want %q among them", tc.words, got, w)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(got, w) {
				t.Errorf("%q: offered %q, which the command does not take", tc.words, w)
			}
		}
	}
}

// TestCompletionFish asks fish itself what it would complete.
func TestCompletionFish(t *testing.T) {
	t.Parallel()
	script := completionScript(t, "fish")
	complete := func(line string) string {
		return strings.Join(shellOutput(t, "fish", "--no-config", "-c", "source "+script+"; complete -C'"+line+"'"), "\n")
	}
	for line, want := range map[string][]string{
		"kwait depl":               {"deployment\twait for Deployments", "deployment/"},
		"kwait tcp db:5432 --time": {"--timeout\tgive up after this long"},
		"kwait completion ":        {"bash", "zsh", "fish"},
	} {
		got := complete(line)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%q: fish offers\n%s\nwant %q among it", line, got, w)
			}
		}
	}
	if got := complete("kwait tcp db:5432 --sel"); strings.Contains(got, "--selector") {
		t.Errorf("tcp offers --selector, which it does not take:\n%s", got)
	}
}

// TestCompletionZsh loads the zsh script into zsh's completion system
// (compinit) and checks that it defines the function for kwait.
func TestCompletionZsh(t *testing.T) {
	t.Parallel()
	script := completionScript(t, "zsh")
	shellOutput(t, "zsh", "-n", script)
	got := shellOutput(t, "zsh", "-f", "-c", "autoload -U compinit && compinit -u -D && source "+script+" && print -r -- ${_comps[kwait]}")
	if got[len(got)-1] != "_kwait" {
		t.Errorf("after sourcing, zsh completes kwait with %q, want _kwait", got)
	}
	body, _ := os.ReadFile(script)
	for _, w := range []string{"'deployment:wait for Deployments", "--timeout", "deployment/", "tcp://"} {
		if !strings.Contains(string(body), w) {
			t.Errorf("zsh script lacks %q", w)
		}
	}
}

func TestCompletionBadShell(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"completion"}, {"completion", "powershell"}, {"completion", "bash", "zsh"}} {
		r := run(t, args...)
		if r.code != 2 || strings.TrimSpace(r.err) != "kwait: completion: want one shell: bash, zsh, fish" {
			t.Errorf("%q: exit %d, stderr %q", args, r.code, r.err)
		}
	}
}

func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = "'" + w + "'"
	}
	return out
}
