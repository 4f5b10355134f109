package target

import "errors"

// ConfigError says the run cannot work as configured, whatever it waits
// for: the apiserver's certificate does not verify against the CA kwait
// was given, or the apiserver keeps rejecting the credentials. Waiting
// cannot fix either, so it ends the run like bad input (exit 2).
type ConfigError struct {
	Reason string
}

func (e *ConfigError) Error() string { return e.Reason }

// IsConfig reports whether err says the run is misconfigured.
func IsConfig(err error) bool {
	var c *ConfigError
	return errors.As(err, &c)
}
