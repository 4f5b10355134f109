package cli

import (
	"github.com/urfave/cli/v2"
)

// commands are the one-kind forms, kwait KIND NAME..., one for each member
// of every family, each with its action. Every waiting command takes every
// flag of the root command, so that every KWAIT_* variable is read and
// checked whatever the command; those that do not apply to the command are
// hidden from its help and refused on its command line.
func commands(s Streams, in *invocation) []*cli.Command {
	var cmds []*cli.Command
	for _, m := range members() {
		cmds = append(cmds, &cli.Command{
			Name: m.name, Aliases: m.aliases, ArgsUsage: m.args, Usage: m.usage, Description: m.description(),
			Flags:  withRoot(m.flags()),
			Action: memberAction(m, s, in),
			// Without this urfave/cli gives every command a "help" (alias
			// "h") subcommand, so "kwait deployment h" would print help and
			// exit 0 instead of waiting for the Deployment named h.
			HideHelpCommand:    true,
			OnUsageError:       onUsageError,
			CustomHelpTemplate: cli.CommandHelpTemplate + exitCodesHelp,
		})
	}
	return cmds
}

// description is a command's description: its example command line, then
// any notes.
func (m member) description() string {
	d := "Example: " + m.example
	if m.notes != "" {
		d += "\n   " + m.notes
	}
	return d
}

// flags are the flags a command shows: the common ones, then those of its
// member's groups, -f after -n.
func (m member) flags() []cli.Flag {
	out := commonFlags()
	for _, g := range flagGroups() {
		if m.applies&g.group != 0 {
			out = append(out, g.flags()...)
		}
		if g.group == groupNamespace && m.files != "" {
			out = append(out, filenameFlag(m.files))
		}
	}
	return out
}
