package cli

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/urfave/cli/v2"
)

// Build identifies a kwait binary. cmd/kwait fills it from variables the
// build sets with -ldflags -X (see the Makefile) and hands it to Main.
type Build struct {
	// Version is `git describe --tags` of the commit built: v0.2.0 on a
	// tag, v0.2.0-3-gabc1234 three commits after it, v0.0.0-N-gabc1234
	// before the first tag; "-dirty" when the tree had uncommitted changes.
	Version string
	// Commit is the full hash of the commit built; empty when unknown.
	Commit string
}

// versionInfo is what `kwait version` prints, as text or JSON.
type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

const flagOutput = "output"

// versionCommand prints the version line, the commit, the Go version and
// the platform; `-o json` prints the same as one JSON object.
func versionCommand(s Streams, b Build) *cli.Command {
	return &cli.Command{
		Name: "version", Usage: "print the version, commit, Go version and platform",
		HideHelpCommand: true, OnUsageError: onUsageError,
		Flags: []cli.Flag{&cli.StringFlag{Name: flagOutput, Aliases: []string{"o"}, Value: "text", EnvVars: env(flagOutput),
			Usage: "text or json"}},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("version takes no arguments")
			}
			info := versionInfo{Version: b.Version, Commit: b.Commit, GoVersion: runtime.Version(),
				Platform: runtime.GOOS + "/" + runtime.GOARCH}
			switch o := c.String(flagOutput); o {
			case "text":
				commit := info.Commit
				if commit == "" {
					commit = "unknown"
				}
				_, err := fmt.Fprintf(s.Out, "%s\ncommit:   %s\ngo:       %s\nplatform: %s\n",
					versionLine(b), commit, info.GoVersion, info.Platform)
				return err
			case "json":
				data, err := json.Marshal(info)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(s.Out, "%s\n", data)
				return err
			default:
				return usagef("--output %q: want text or json", o)
			}
		},
	}
}

// versionLine is what `kwait --version` prints, and the first line of
// `kwait version`.
func versionLine(b Build) string { return "kwait " + b.Version }

// printVersionFlag handles `kwait --version` (or -version): when that is
// the only argument it prints the version line and reports true. urfave/cli's
// own version flag is hidden because its printer is a package variable.
func printVersionFlag(args []string, s Streams, b Build) bool {
	if len(args) != 2 || (args[1] != "--version" && args[1] != "-version") {
		return false
	}
	fmt.Fprintln(s.Out, versionLine(b))
	return true
}
