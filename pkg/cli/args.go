package cli

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// scanned is the command line as reorder left it for urfave/cli, and what
// it noticed on the way.
type scanned struct {
	args []string
	// given holds the names (with aliases) of the flags on the command line.
	given map[string]bool
	// values holds the last value given to each valued flag, by its name.
	values map[string]string
	// command is what follows the first "--": the command to run once
	// every target is ready. It is nil without "--" and empty (not nil)
	// for a "--" with nothing after it.
	command []string
}

// reorder lets flags come before or after target names, and takes
// kubectl's spellings. urfave/cli, like Go's flag package, stops reading
// flags at the first positional argument, and a subcommand reads only the
// flags after its name. So reorder puts the command name first, then every
// flag with its value, then "--" and the positional arguments in their
// order. What follows the user's own "--" is the command to run once every
// target is ready, kept apart. Which flags take a value is read from the
// app's own flag definitions; an unknown flag is passed on for urfave/cli
// to reject. On the way:
//   - a one-letter flag glued to its value is split: -lapp=x is -l app=x,
//     -nprod is -n prod (-l=app=x is already understood);
//   - "help [COMMAND]" in first place asks for help.
func reorder(args []string, app *cli.App) scanned {
	s := scanned{args: args, given: map[string]bool{}, values: map[string]string{}}
	if len(args) < 2 {
		return s
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
	rest := slices.Clone(args[1:])
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			s.command = append([]string{}, rest[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		if flag, value, ok := glued(a, valued, names); ok {
			a = flag
			rest = slices.Insert(rest, i+1, value)
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		help = help || name == "help" || name == "h"
		bare, value, hasValue := strings.Cut(name, "=")
		for _, n := range names[bare] {
			s.given[n] = true
		}
		if hasValue {
			s.record(names[bare], value)
			continue
		}
		if valued[name] {
			if i+1 == len(rest) {
				valueMissing = true
				break
			}
			flags = append(flags, rest[i+1])
			s.record(names[name], rest[i+1])
			i++
		}
	}
	out := []string{args[0]}
	if len(positional) > 0 && positional[0] == "help" {
		help = true
		positional = positional[1:]
	}
	if len(positional) > 0 && commands[positional[0]] {
		out = append(out, positional[0])
		positional = positional[1:]
	}
	if help {
		// urfave/cli reads a name after --help as a help topic and fails
		// on "tcp db:5432 --help"; help is all that was asked for.
		s.args = append(out, "--help")
		return s
	}
	out = append(out, flags...)
	if valueMissing {
		// The last flag lacks its value: end with it, so that urfave/cli
		// says so instead of taking the "--" below as the value.
		s.args = out
		return s
	}
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	s.args = out
	return s
}

// record notes value as the last one of the flag with these names.
func (s scanned) record(names []string, value string) {
	if len(names) > 0 {
		s.values[names[0]] = value
	}
}

// glued splits a one-letter flag glued to its value ("-lapp=x"), kubectl's
// spelling, unless the whole is a flag of its own.
func glued(a string, valued map[string]bool, names map[string][]string) (flag, value string, ok bool) {
	if len(a) < 3 || a[0] != '-' || a[1] == '-' || a[2] == '=' || !valued[a[1:2]] {
		return "", "", false
	}
	if bare, _, _ := strings.Cut(a[1:], "="); names[bare] != nil {
		return "", "", false
	}
	return a[:2], a[2:], true
}
