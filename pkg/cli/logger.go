package cli

import (
	"github.com/go-logr/zapr"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"k8s.io/klog/v2"
)

// newLogger builds the one logger of a run from the validated --log-level,
// --log-format and --quiet, writing to the error stream.
func newLogger(o options, s Streams) *zap.Logger {
	level := o.logLevel
	if o.quiet {
		level = zapcore.ErrorLevel
	}
	var encoder zapcore.Encoder
	switch logFormat(o.logFormat, s.ErrIsTerminal) {
	case formatConsole:
		encoder = newTextEncoder(false)
	case formatPlain:
		encoder = newTextEncoder(true)
	default:
		enc := zap.NewProductionEncoderConfig()
		enc.EncodeTime = zapcore.ISO8601TimeEncoder
		encoder = zapcore.NewJSONEncoder(enc)
	}
	// Targets log from their own goroutines: Lock makes one entry one
	// Write, whatever s.Err is.
	core := zapcore.NewCore(encoder, zapcore.Lock(zapcore.AddSync(s.Err)), level)
	return zap.New(core)
}

// logFormat is the format --log-format names; auto is console on a
// terminal (a person reads it) and JSON otherwise (in a pod, a log
// collector reads it).
func logFormat(flag string, terminal bool) string {
	if flag != formatAuto {
		return flag
	}
	if terminal {
		return formatConsole
	}
	return formatJSON
}

// routeKlog sends what client-go logs through klog into log, named
// "klog", so --log-format json stays one JSON object per line and
// --log-level applies. Only klog's V(0) messages pass: client-go's verbose
// levels (request and response dumps) stay off. klog's logger is process
// state, set once per run.
func routeKlog(log *zap.Logger) {
	klog.SetLogger(zapr.NewLogger(log.Named("klog")))
}
