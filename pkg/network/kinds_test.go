package network

import (
	"strings"
	"testing"
)

// TestKindsComplete: every row of the table has its help, grammar and
// target, no scheme starts two kinds, and each row's example builds.
func TestKindsComplete(t *testing.T) {
	t.Parallel()
	schemes := map[string]string{}
	for _, k := range Kinds() {
		if !k.Complete() {
			t.Errorf("kind %q lacks a piece: %+v", k.Name, k)
			continue
		}
		for _, s := range k.Schemes {
			if other, ok := schemes[s]; ok {
				t.Errorf("scheme %q starts %q and %q", s, other, k.Name)
			}
			schemes[s] = k.Name
		}
		fields := strings.Fields(k.Example)
		if len(fields) < 3 || fields[1] != k.Name {
			t.Errorf("kind %q: example %q does not run its command", k.Name, k.Example)
			continue
		}
		name, err := k.Parse(fields[2])
		if err != nil {
			t.Errorf("kind %q: example %q: %v", k.Name, k.Example, err)
			continue
		}
		if _, err := k.New(name, Options{Poll: DefaultPoll()}); err != nil {
			t.Errorf("kind %q: example %q: %v", k.Name, k.Example, err)
		}
		if got, ok := KindOfScheme(strings.ToUpper(k.Schemes[0])); !ok || got.Name != k.Name {
			t.Errorf("KindOfScheme(%q) = %q, %v", k.Schemes[0], got.Name, ok)
		}
	}
}

// TestProtocolsAreKinds: every database and queue protocol is a row.
func TestProtocolsAreKinds(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		k, ok := KindOf(p.schemes[0])
		if !ok || !k.URL || k.Port != p.port || k.PasswordEnv != p.passwordEnv {
			t.Errorf("protocol %q: row %+v", p.schemes[0], k)
		}
	}
}
