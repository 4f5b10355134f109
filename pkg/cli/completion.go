package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/spec"
)

// The shells `kwait completion SHELL` writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

// completion is what the scripts complete, read from the command line
// itself: every command with the flags its help shows, the root command's
// flags, and the beginnings of targets in the mixed form.
type completion struct {
	commands []completionCommand
	root     []completionFlag
	prefixes []string // crd/, deployment/, tcp://, admission:, ...
}

type completionCommand struct {
	names []string
	usage string
	flags []completionFlag
}

type completionFlag struct {
	names []string // without dashes
	usage string
	value bool // takes a value
	file  bool // the value is a file or directory
}

// completionCommand prints a completion script for bash, zsh or fish.
func completionCmd(s Streams) *cli.Command {
	return &cli.Command{
		Name: "completion", ArgsUsage: strings.Join(completionShells, "|"),
		Usage: "print a shell completion script: commands, flags and target kinds",
		Description: "bash:  source <(kwait completion bash)         (or write it to /etc/bash_completion.d/kwait)\n" +
			"   zsh:   source <(kwait completion zsh)          (or write it as _kwait to a directory of $fpath)\n" +
			"   fish:  kwait completion fish | source           (or write it to ~/.config/fish/completions/kwait.fish)",
		HideHelpCommand: true, OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 || !slices.Contains(completionShells, c.Args().First()) {
				return usagef("completion: want one shell: %s", strings.Join(completionShells, ", "))
			}
			comp := completionOf(c.App)
			var b strings.Builder
			switch c.Args().First() {
			case "bash":
				comp.bash(&b)
			case "zsh":
				comp.zsh(&b)
			case "fish":
				comp.fish(&b)
			}
			_, err := io.WriteString(s.Out, b.String())
			return err
		},
	}
}

func completionOf(app *cli.App) completion {
	var comp completion
	for _, c := range app.Commands {
		comp.commands = append(comp.commands, completionCommand{names: c.Names(), usage: c.Usage, flags: completionFlags(c.VisibleFlags())})
	}
	comp.root = completionFlags(app.VisibleFlags())
	for _, k := range kind.All() {
		comp.prefixes = append(comp.prefixes, k.Name+"/")
	}
	for _, k := range network.Kinds() {
		for _, sc := range k.Schemes {
			comp.prefixes = append(comp.prefixes, sc+"://")
		}
	}
	comp.prefixes = append(comp.prefixes, spec.Admission+":")
	return comp
}

func completionFlags(flags []cli.Flag) []completionFlag {
	var out []completionFlag
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		usage := ""
		if d, ok := f.(cli.DocGenerationFlag); ok {
			usage = d.GetUsage()
		}
		name := f.Names()[0]
		out = append(out, completionFlag{names: f.Names(), usage: usage, value: !isBool,
			file: name == flagFilename || name == flagKubeconfig || name == flagCAFile || name == flagCertFile || name == flagKeyFile || name == flagTerminationLog})
	}
	return out
}

// dashedAll is every name of flags with its dashes.
func dashedAll(flags []completionFlag) string {
	var out []string
	for _, f := range flags {
		for _, n := range f.names {
			out = append(out, dashed(n))
		}
	}
	return strings.Join(out, " ")
}

// valued is the flags' names (with dashes) that take a value, and those
// whose value is a file.
func valued(flags []completionFlag) (values, files []string) {
	for _, f := range flags {
		for _, n := range f.names {
			switch {
			case f.file:
				files = append(files, dashed(n))
			case f.value:
				values = append(values, dashed(n))
			}
		}
	}
	return values, files
}

func (c completion) commandWords() string {
	var out []string
	for _, cmd := range c.commands {
		out = append(out, cmd.names...)
	}
	return strings.Join(out, " ")
}

// bash: the command is the first word that is not a flag (nor a flag's
// value); a flag's file value and a word after "--" fall back to file names.
func (c completion) bash(b *strings.Builder) {
	rootValues, rootFiles := valued(c.root)
	fmt.Fprintf(b, `# bash completion for kwait: source <(kwait completion bash)
_kwait() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd="" i w
  local commands=%q
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    [[ $w == -- ]] && return 0
    [[ $w == -* ]] && continue
    case " $commands " in *" $w "*) cmd=$w ;; esac
    break
  done
  local flags values files
  case $cmd in
`, c.commandWords())
	for _, cmd := range c.commands {
		values, files := valued(cmd.flags)
		fmt.Fprintf(b, "    %s) flags=%q values=%q files=%q ;;\n", strings.Join(cmd.names, "|"), dashedAll(cmd.flags),
			strings.Join(values, " "), strings.Join(files, " "))
	}
	fmt.Fprintf(b, "    *) flags=%q values=%q files=%q ;;\n  esac\n", dashedAll(c.root), strings.Join(rootValues, " "), strings.Join(rootFiles, " "))
	fmt.Fprintf(b, `  if [[ " $files " == *" $prev "* ]]; then
    compopt -o default 2>/dev/null; COMPREPLY=(); return 0
  fi
  [[ " $values " == *" $prev "* ]] && { COMPREPLY=(); return 0; }
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$flags" -- "$cur")
  elif [[ $cmd == completion ]]; then
    mapfile -t COMPREPLY < <(compgen -W %q -- "$cur")
  elif [[ -z $cmd ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$commands %s" -- "$cur")
    [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *[/:] ]] && compopt -o nospace 2>/dev/null
  fi
  return 0
}
complete -F _kwait kwait
`, strings.Join(completionShells, " "), strings.Join(c.prefixes, " "))
}

// zsh: the same rules as bash, with each command's usage shown.
func (c completion) zsh(b *strings.Builder) {
	b.WriteString("#compdef kwait\n# zsh completion for kwait: source <(kwait completion zsh)\n_kwait() {\n  local -a commands\n  commands=(\n")
	for _, cmd := range c.commands {
		for _, n := range cmd.names {
			fmt.Fprintf(b, "    %s\n", zshQuote(n+":"+cmd.usage))
		}
	}
	b.WriteString("  )\n  local cmd= i\n  for ((i = 2; i < CURRENT; i++)); do\n    [[ ${words[i]} == -- ]] && { _files; return; }\n" +
		"    [[ ${words[i]} == -* ]] && continue\n    (( ${commands[(I)${words[i]}:*]} )) && cmd=${words[i]}\n    break\n  done\n" +
		"  local -a flags files\n  case $cmd in\n")
	for _, cmd := range c.commands {
		_, files := valued(cmd.flags)
		fmt.Fprintf(b, "    %s) flags=(%s) files=(%s) ;;\n", strings.Join(cmd.names, "|"), dashedAll(cmd.flags), strings.Join(files, " "))
	}
	_, rootFiles := valued(c.root)
	fmt.Fprintf(b, "    *) flags=(%s) files=(%s) ;;\n  esac\n", dashedAll(c.root), strings.Join(rootFiles, " "))
	fmt.Fprintf(b, `  if (( ${files[(I)${words[CURRENT-1]}]} )); then
    _files
  elif [[ $PREFIX == -* ]]; then
    compadd -a flags
  elif [[ $cmd == completion ]]; then
    compadd %s
  elif [[ -z $cmd ]]; then
    _describe -t commands 'kwait command' commands
    compadd -S '' %s
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _kwait "$@"
else
  compdef _kwait kwait
fi
`, strings.Join(completionShells, " "), strings.Join(c.prefixes, " "))
}

func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fish: commands until one is given, then that command's flags.
func (c completion) fish(b *strings.Builder) {
	b.WriteString("# fish completion for kwait: kwait completion fish | source\ncomplete -c kwait -f\n")
	var all []string
	for _, cmd := range c.commands {
		all = append(all, cmd.names...)
	}
	seen := "__fish_seen_subcommand_from " + strings.Join(all, " ")
	for _, cmd := range c.commands {
		for _, n := range cmd.names {
			fmt.Fprintf(b, "complete -c kwait -n 'not %s' -a %s -d %s\n", seen, n, fishQuote(cmd.usage))
		}
	}
	for _, p := range c.prefixes {
		fmt.Fprintf(b, "complete -c kwait -n 'not %s' -a %s\n", seen, fishQuote(p))
	}
	fmt.Fprintf(b, "complete -c kwait -n '__fish_seen_subcommand_from completion' -a %s\n", fishQuote(strings.Join(completionShells, " ")))
	flagLines := func(cond string, flags []completionFlag) {
		for _, f := range flags {
			var opts []string
			for _, n := range f.names {
				if len(n) == 1 {
					opts = append(opts, "-s "+n)
				} else {
					opts = append(opts, "-l "+n)
				}
			}
			switch {
			case f.file:
				opts = append(opts, "-r -F")
			case f.value:
				opts = append(opts, "-r")
			}
			fmt.Fprintf(b, "complete -c kwait -n %s %s -d %s\n", fishQuote(cond), strings.Join(opts, " "), fishQuote(f.usage))
		}
	}
	flagLines("not "+seen, c.root)
	for _, cmd := range c.commands {
		flagLines("__fish_seen_subcommand_from "+strings.Join(cmd.names, " "), cmd.flags)
	}
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
