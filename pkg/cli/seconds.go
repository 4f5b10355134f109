package cli

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/spec"
)

// seconds is the value of a duration flag: a Go duration (90s, 1m30s) or
// a bare number of seconds (90), spec.ParseDuration's forms. Every
// duration flag takes both: --timeout, --status-interval, --fail-after,
// --attempt-timeout and --max-interval.
type seconds struct{ d time.Duration }

func (s *seconds) Set(v string) error {
	d, err := spec.ParseDuration(v)
	if err != nil {
		return err
	}
	s.d = d
	return nil
}

func (s *seconds) String() string { return s.d.String() }

// durationFlag is a duration flag with its KWAIT_* variable.
func durationFlag(name string, value time.Duration, usage string) cli.Flag {
	return &cli.GenericFlag{Name: name, Value: &seconds{d: value}, EnvVars: env(name), Usage: usage}
}

// duration is the value of the duration flag name; zero when the command
// does not define it.
func duration(c *cli.Context, name string) time.Duration {
	if s, ok := c.Generic(name).(*seconds); ok {
		return s.d
	}
	return 0
}
