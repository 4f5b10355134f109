package apitype

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNotServed says no type of those given answers to a name.
var ErrNotServed = errors.New("not served")

// AmbiguousError says a name answers to types of several groups, none of
// them built in, so kwait cannot choose as kubectl would.
type AmbiguousError struct {
	Name       string
	Candidates []string // PLURAL.GROUP of each
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("resource type %q is ambiguous: it names %s; add the group", e.Name, strings.Join(e.Candidates, ", "))
}

// Resolve finds the type n names among served, which lists types in
// discovery order: the core group first, then groups by the apiserver's
// priority, each group's preferred version first.
//
// The rules, kubectl's:
//   - the readings of n are tried most specific first (resource.version.group,
//     then resource.group, then resource.version of the core group, then a
//     bare token); the first reading with a match decides;
//   - a token matches a type's plural, singular or short names, or its
//     kind in any case;
//   - without a version, a group's preferred version is taken;
//   - when several groups match, the first built-in group wins (core
//     before the others: "events" is the core type, not events.k8s.io's);
//     when none of them is built in, the name is ambiguous.
func Resolve(n Name, served []Type) (Type, error) {
	for _, r := range n.readings() {
		var matches []Type
		for _, t := range served {
			if !t.answersTo(r.token) || (r.version != "" && r.version != t.Version) {
				continue
			}
			if r.group != t.Group && (r.group != "" || r.version != "") {
				continue
			}
			if slices.ContainsFunc(matches, func(m Type) bool { return m.Group == t.Group && m.Resource == t.Resource }) {
				continue // a less preferred version of a type already matched
			}
			matches = append(matches, t)
		}
		switch {
		case len(matches) == 1:
			return matches[0], nil
		case len(matches) > 1:
			if i := slices.IndexFunc(matches, func(t Type) bool { return IsBuiltinGroup(t.Group) }); i >= 0 {
				return matches[i], nil
			}
			names := make([]string, len(matches))
			for i, m := range matches {
				names[i] = m.String()
			}
			return Type{}, &AmbiguousError{Name: n.raw, Candidates: names}
		}
	}
	return Type{}, fmt.Errorf("resource type %q: %w", n.raw, ErrNotServed)
}

// ResolveBuiltin resolves n among the built-in types, without the API.
func ResolveBuiltin(n Name) (Type, bool) {
	t, err := Resolve(n, Builtins())
	return t, err == nil
}
