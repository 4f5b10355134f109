package cli

import (
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"

	"github.com/kwait-dev/kwait/pkg/target"
)

// Log formats a person reads. kwait's log messages are constant and their
// values are fields; these formats turn the messages of a wait into
// sentences and every other message into "message key=value ...".
//
//   - console reads like kubectl on a terminal: "crd/tenants.minio.min.io:
//     not found", "crd/tenants.minio.min.io: ready after 1.2s"; lists
//     (what is still pending) go one item a line, indented, and the run's
//     last line says how it ended ("all 2 targets ready after 3.1s",
//     "timed out after 5s: 1 of 2 targets not ready").
//   - plain is one line of plain text per entry, without quotes or JSON,
//     so a log printed inside another's lines (Helm 4 quotes each hook log
//     line) stays readable; lists are joined with "; ", and the last
//     line starts with the outcome ("timed out after 5s; not ready: ...").
//
// Warnings and errors start with "warning: " and "error: ". Neither format
// has timestamps: kubectl logs --timestamps adds them in a pod.
const (
	formatConsole = "console"
	formatPlain   = "plain"
	formatJSON    = "json"
	formatAuto    = "auto"
)

// textEncoder is a zapcore.Encoder for the console and plain formats.
type textEncoder struct {
	plain bool
	// context holds the fields added by With, in order.
	context []field
}

// field is one logged value, as zap's map encoder holds it.
type field struct {
	key   string
	value any
}

func newTextEncoder(plain bool) zapcore.Encoder { return &textEncoder{plain: plain} }

var textBuffers = buffer.NewPool()

func (e *textEncoder) Clone() zapcore.Encoder {
	return &textEncoder{plain: e.plain, context: append([]field(nil), e.context...)}
}

func (e *textEncoder) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	all := append(append([]field(nil), e.context...), collect(fields)...)
	line, sentence := e.render(ent, all)
	switch {
	case sentence:
	case ent.Level >= zapcore.ErrorLevel:
		line = "error: " + line
	case ent.Level == zapcore.WarnLevel:
		line = "warning: " + line
	}
	line = target.Printable(line)
	if e.plain {
		line = strings.NewReplacer("\n", " ", "\t", " ").Replace(line)
	}
	b := textBuffers.Get()
	b.AppendString(line)
	b.AppendByte('\n')
	return b, nil
}

// collect turns zap fields into values, in order.
func collect(fields []zapcore.Field) []field {
	var out []field
	for _, f := range fields {
		m := zapcore.NewMapObjectEncoder()
		f.AddTo(m)
		for k, v := range m.Fields {
			if strings.HasSuffix(k, "Verbose") {
				continue // zap's stack of a wrapped error
			}
			out = append(out, field{k, v})
		}
	}
	return out
}

// render is the text of one entry; sentence is set for the messages of a
// wait, which say in words whether they are good or bad news.
func (e *textEncoder) render(ent zapcore.Entry, fields []field) (line string, sentence bool) {
	get := func(key string) any {
		for _, f := range fields {
			if f.key == key {
				return f.value
			}
		}
		return nil
	}
	str := func(key string) string { return text(get(key)) }
	switch ent.Message {
	case "waiting":
		return str("target") + ": " + str("reason"), true
	case "ready":
		return str("target") + ": ready after " + str("after"), true
	case "still waiting":
		return e.list("still waiting after "+str("elapsed")+":", get("pending")), true
	case "all ready":
		n := str("targets")
		noun := "targets"
		if n == "1" {
			noun = "target"
		}
		out := "all " + n + " " + noun + " ready"
		if after := get("after"); after != nil {
			out += " after " + text(after)
		}
		return out, true
	case "timed out":
		return e.outcome("timed out after "+str("elapsed"), "", get("pending")), true
	case "target timed out":
		return e.outcome("timed out after "+str("elapsed"), str("target")+": "+str("reason"), get("pending")), true
	case "target failed":
		return e.outcome("failed after "+str("elapsed"), str("target")+": "+str("reason"), get("pending")), true
	case "wait failed":
		return "failed: " + str("error"), true
	case "stopped":
		return e.outcome("stopped after "+str("elapsed")+" ("+str("cause")+")", "", get("pending")), true
	}
	var b strings.Builder
	if ent.LoggerName != "" {
		b.WriteString(ent.LoggerName + ": ")
	}
	b.WriteString(ent.Message)
	for _, f := range fields {
		fmt.Fprintf(&b, " %s=%s", f.key, text(f.value))
	}
	return b.String(), false
}

// list is a heading and its items: indented lines in the console format,
// one line joined by "; " in the plain one.
func (e *textEncoder) list(heading string, items any) string {
	lines := strings.Split(text(items), "\x00")
	if e.plain {
		return heading + " " + strings.Join(lines, "; ")
	}
	return heading + "\n  " + strings.Join(lines, "\n  ")
}

// outcome is the run's last entry: how it ended, which target ended it
// (if one did), and what was still pending. The outcome comes first on
// the plain format's one line, and on the console format's last line.
func (e *textEncoder) outcome(how, cause string, pending any) string {
	var items []string
	if p := text(pending); p != "" {
		items = strings.Split(p, "\x00")
	}
	if e.plain {
		out := how
		if cause != "" {
			out += ": " + cause
		}
		if len(items) > 0 {
			out += "; not ready: " + strings.Join(items, "; ")
		}
		return out
	}
	var b strings.Builder
	for _, it := range items {
		b.WriteString("not ready: " + it + "\n")
	}
	b.WriteString(how)
	if cause != "" {
		b.WriteString(": " + cause)
	}
	switch len(items) {
	case 0:
	case 1:
		b.WriteString(", 1 target not ready")
	default:
		fmt.Fprintf(&b, ", %d targets not ready", len(items))
	}
	return b.String()
}

// text is a field's value as text; a list's items are separated by NUL.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case time.Duration:
		return v.Round(time.Millisecond).String()
	case []any:
		items := make([]string, len(v))
		for i, it := range v {
			items[i] = text(it)
		}
		return strings.Join(items, "\x00")
	case time.Time:
		return v.Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// The encoder's ObjectEncoder half: zap adds With fields through it.

func (e *textEncoder) add(key string, value any) { e.context = append(e.context, field{key, value}) }

func (e *textEncoder) AddArray(key string, v zapcore.ArrayMarshaler) error {
	m := zapcore.NewMapObjectEncoder()
	err := m.AddArray(key, v)
	e.add(key, m.Fields[key])
	return err
}

func (e *textEncoder) AddObject(key string, v zapcore.ObjectMarshaler) error {
	m := zapcore.NewMapObjectEncoder()
	err := m.AddObject(key, v)
	e.add(key, m.Fields[key])
	return err
}

func (e *textEncoder) AddBinary(key string, v []byte)          { e.add(key, fmt.Sprintf("%x", v)) }
func (e *textEncoder) AddByteString(key string, v []byte)      { e.add(key, string(v)) }
func (e *textEncoder) AddBool(key string, v bool)              { e.add(key, v) }
func (e *textEncoder) AddComplex128(key string, v complex128)  { e.add(key, v) }
func (e *textEncoder) AddComplex64(key string, v complex64)    { e.add(key, v) }
func (e *textEncoder) AddDuration(key string, v time.Duration) { e.add(key, v) }
func (e *textEncoder) AddFloat64(key string, v float64)        { e.add(key, v) }
func (e *textEncoder) AddFloat32(key string, v float32)        { e.add(key, v) }
func (e *textEncoder) AddInt(key string, v int)                { e.add(key, v) }
func (e *textEncoder) AddInt64(key string, v int64)            { e.add(key, v) }
func (e *textEncoder) AddInt32(key string, v int32)            { e.add(key, v) }
func (e *textEncoder) AddInt16(key string, v int16)            { e.add(key, v) }
func (e *textEncoder) AddInt8(key string, v int8)              { e.add(key, v) }
func (e *textEncoder) AddString(key, v string)                 { e.add(key, v) }
func (e *textEncoder) AddTime(key string, v time.Time)         { e.add(key, v) }
func (e *textEncoder) AddUint(key string, v uint)              { e.add(key, v) }
func (e *textEncoder) AddUint64(key string, v uint64)          { e.add(key, v) }
func (e *textEncoder) AddUint32(key string, v uint32)          { e.add(key, v) }
func (e *textEncoder) AddUint16(key string, v uint16)          { e.add(key, v) }
func (e *textEncoder) AddUint8(key string, v uint8)            { e.add(key, v) }
func (e *textEncoder) AddUintptr(key string, v uintptr)        { e.add(key, v) }
func (e *textEncoder) AddReflected(key string, v any) error    { e.add(key, v); return nil }
func (e *textEncoder) OpenNamespace(string)                    {}
