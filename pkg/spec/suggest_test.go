package spec_test

import (
	"testing"

	"github.com/kwait-dev/kwait/pkg/spec"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	commands := []string{"crd", "deployment", "deploy", "statefulset", "daemonset", "job", "pods", "service", "tcp", "http", "dns"}
	for _, tc := range []struct{ word, want string }{
		{"deploymnet", "deployment"},
		{"Deploymnet", "deployment"},
		{"statefulst", "statefulset"},
		{"crds", "crd"},
		{"servic", "service"},
		{"htp", "http"},
		{"daemon", "daemonset"},
		{"deployment", ""}, // not a typo
		{"zzzzzz", ""},
		{"x", ""},
		{"q", ""},
		{"jobs", "job"},
	} {
		if got := spec.Suggest(tc.word, commands); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	flags := []string{"timeout", "termination-log", "min", "q", "n", "namespace"}
	for word, want := range map[string]string{"timout": "timeout", "namespce": "namespace", "x": "", "mins": "min"} {
		if got := spec.Suggest(word, flags); got != want {
			t.Errorf("Suggest(%q) among flags = %q, want %q", word, got, want)
		}
	}
}
