package cli

import (
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newLogger builds the one logger of a run from the validated --log-level,
// --log-format and --quiet, writing to the error stream.
func newLogger(o options, s Streams) *zap.Logger {
	level := o.logLevel
	if o.quiet {
		level = zapcore.ErrorLevel
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	var encoder zapcore.Encoder
	if o.logFormat == "json" || o.logFormat == "auto" && !s.ErrIsTerminal {
		encoder = zapcore.NewJSONEncoder(enc)
	} else {
		enc.EncodeLevel = zapcore.CapitalLevelEncoder
		encoder = zapcore.NewConsoleEncoder(enc)
	}
	// Targets log from their own goroutines: Lock makes one entry one
	// Write, whatever s.Err is.
	core := zapcore.NewCore(encoder, zapcore.Lock(zapcore.AddSync(s.Err)), level)
	return zap.New(core)
}
