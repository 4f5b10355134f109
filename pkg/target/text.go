package target

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable is text from outside kwait (object status, server answers)
// made safe to show a person, in a log, a termination message or an
// Event: line breaks and tabs stay; other control characters, the
// invisible controls of bidirectional text (which could make a message read
// as something else) and invalid UTF-8 become "?".
func Printable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == utf8.RuneError:
			return '?'
		}
		return r
	}, s)
}
