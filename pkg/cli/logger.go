package cli

import (
	"github.com/urfave/cli/v2"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newLogger builds the one logger of a run from --log-level, --log-format
// and --quiet, writing to the error stream.
func newLogger(c *cli.Context, s Streams) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(c.String(flagLogLevel))
	if err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", c.String(flagLogLevel))
	}
	if c.Bool(flagQuiet) {
		level = zapcore.ErrorLevel
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	var encoder zapcore.Encoder
	switch format := c.String(flagLogFormat); {
	case format == "json" || format == "auto" && !s.ErrIsTerminal:
		encoder = zapcore.NewJSONEncoder(enc)
	case format == "console" || format == "auto":
		enc.EncodeLevel = zapcore.CapitalLevelEncoder
		encoder = zapcore.NewConsoleEncoder(enc)
	default:
		return nil, usagef("--log-format %q: want json, console or auto", format)
	}
	// Targets log from their own goroutines: Lock makes one entry one
	// Write, whatever s.Err is.
	core := zapcore.NewCore(encoder, zapcore.Lock(zapcore.AddSync(s.Err)), level)
	return zap.New(core), nil
}
