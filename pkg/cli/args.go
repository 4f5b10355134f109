package cli

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// reorder lets flags come before or after target names. urfave/cli, like
// Go's flag package, stops reading flags at the first positional argument,
// and a subcommand reads only the flags after its name. So reorder puts the
// command name first, then every flag with its value, then "--" and the
// positional arguments in their order. Which flags take a value is read
// from the app's own flag definitions; an unknown flag is passed on for
// urfave/cli to reject. The names (with aliases) of the flags found on the
// command line are recorded in given.
func reorder(args []string, app *cli.App, given map[string]bool) []string {
	if len(args) < 2 {
		return args
	}
	valued := map[string]bool{}
	names := map[string][]string{}
	commands := map[string]bool{}
	note := func(flags []cli.Flag) {
		for _, f := range flags {
			_, isBool := f.(*cli.BoolFlag)
			for _, n := range f.Names() {
				valued[n] = !isBool
				names[n] = f.Names()
			}
		}
	}
	note(app.Flags)
	for _, c := range app.Commands {
		note(c.Flags)
		for _, n := range c.Names() {
			commands[n] = true
		}
	}

	var flags, positional []string
	help, valueMissing := false, false
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		help = help || name == "help" || name == "h"
		bare, _, hasValue := strings.Cut(name, "=")
		for _, n := range names[bare] {
			given[n] = true
		}
		if hasValue {
			continue
		}
		if valued[name] {
			if i+1 == len(rest) {
				valueMissing = true
				break
			}
			flags = append(flags, rest[i+1])
			i++
		}
	}
	out := []string{args[0]}
	if len(positional) > 0 && commands[positional[0]] {
		out = append(out, positional[0])
		positional = positional[1:]
	}
	if help {
		// urfave/cli reads a name after --help as a help topic and fails
		// on "tcp db:5432 --help"; help is all that was asked for.
		return append(out, "--help")
	}
	out = append(out, flags...)
	if valueMissing {
		// The last flag lacks its value: end with it, so that urfave/cli
		// says so instead of taking the "--" below as the value.
		return out
	}
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}
