package cli

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// Suggestions for mistyped words, as kubectl and cobra make them
// (spec.Suggest): an unknown flag among the flags the command shows, a
// word that is neither a command nor a target among the commands, and an
// unknown KIND/NAME among the kinds and built-in types.

// unknownFlag is the one-line error for a flag the command does not
// define, named as the user wrote it, with the flag of the command it
// most likely meant.
func unknownFlag(c *cli.Context, name string) error {
	msg := "unknown flag " + dashed(name)
	if s := spec.Suggest(name, shownFlagNames(c)); s != "" {
		msg += "; did you mean " + dashed(s) + "?"
	}
	return usagef("%s", msg)
}

// dashed is a flag's name as typed: -n, --timeout.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// shownFlagNames are the names of the flags c's command shows in its help:
// the others are refused on its command line anyway.
func shownFlagNames(c *cli.Context) []string {
	flags := c.App.VisibleFlags()
	if c.Command != nil && c.Command.Name != "" {
		flags = c.Command.VisibleFlags()
	}
	var names []string
	for _, f := range flags {
		names = append(names, f.Names()...)
	}
	return names
}

// commandNames are every command's names and aliases.
func commandNames(app *cli.App) []string {
	var names []string
	for _, c := range app.Commands {
		names = append(names, c.Names()...)
	}
	return names
}

// typeNames are the names a KIND/NAME or TYPE/NAME may start with that
// kwait knows without asking the apiserver: its kinds and their aliases,
// and the built-in types' plural, singular, kind and short names.
func typeNames() []string {
	var names []string
	for _, k := range kind.All() {
		names = append(names, k.Name)
		names = append(names, k.Aliases()...)
	}
	for _, t := range apitype.Builtins() {
		names = append(names, t.Resource, t.Singular, t.Kind)
		names = append(names, t.ShortNames...)
	}
	return names
}

// didYouMean is "; did you mean S?" for the candidate closest to word, or
// "" for none.
func didYouMean(word string, candidates []string) string {
	if s := spec.Suggest(word, candidates); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

// suggestTarget adds to err, the error of an argument that is not a
// target, the command or kind the argument most likely meant: a bare word
// ("deploymnet") among the commands, KIND/NAME ("deploymnet/web") among
// the kinds and built-in types.
func suggestTarget(app *cli.App, arg string, err error) error {
	if strings.ContainsAny(arg, ":.") {
		return err
	}
	word, rest, slash := strings.Cut(arg, "/")
	if !slash {
		if hint := didYouMean(word, commandNames(app)); hint != "" {
			return usagef("%q is not a command or a target%s", arg, hint)
		}
		return err
	}
	if s := spec.Suggest(word, typeNames()); s != "" {
		return usagef("%s%s", target.Line(err.Error()), "; did you mean "+s+"/"+rest+"?")
	}
	return err
}
