package cli_test

import (
	"strings"
	"testing"
)

// TestDidYouMean: a mistyped flag, command or kind is one line, exit 2,
// naming what was most likely meant; a word close to nothing gets no
// guess.
func TestDidYouMean(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"tcp://127.0.0.1:1", "--timout", "5s"}, "kwait: unknown flag --timout; did you mean --timeout?"},
		{[]string{"tcp", "127.0.0.1:1", "--timout", "5s"}, "kwait: unknown flag --timout; did you mean --timeout?"},
		{[]string{"deployment", "web", "--namespce", "shop"}, "kwait: unknown flag --namespce; did you mean --namespace?"},
		{[]string{"tcp://127.0.0.1:1", "--xyzzy"}, "kwait: unknown flag --xyzzy"},
		{[]string{"tcp://127.0.0.1:1", "-x"}, "kwait: unknown flag -x"},
		{[]string{"deploymnet", "web"}, `kwait: "deploymnet" is not a command or a target; did you mean deployment?`},
		{[]string{"statefulst/db"}, "; did you mean statefulset/db?"},
		{[]string{"deploymnet/shop/web"}, "; did you mean deployment/shop/web?"},
	} {
		r := run(t, tc.args...)
		got := strings.TrimSpace(r.err)
		if r.code != 2 || strings.Contains(got, "\n") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line", tc.args, r.code, got)
			continue
		}
		switch {
		case strings.HasPrefix(tc.want, "kwait: ") && got != tc.want:
			t.Errorf("%q: %q, want %q", tc.args, got, tc.want)
		case !strings.HasPrefix(tc.want, "kwait: ") && !strings.HasSuffix(got, tc.want):
			t.Errorf("%q: %q, want it to end in %q", tc.args, got, tc.want)
		}
	}
}
