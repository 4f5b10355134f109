package target

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The one rule for text from outside kwait (object status, an apiserver's
// or a server's answer, an error's message, an argument echoed back) on its
// way to a person: a log line, a reason, an Event, the termination message.
//
//   - A control character (C0, DEL, C1: ESC, BEL, CR, NEL, ...), a format
//     character (Unicode category Cf, which holds the invisible controls of
//     bidirectional text such as U+202E RIGHT-TO-LEFT OVERRIDE, and
//     zero-width characters) and every byte of invalid UTF-8 become "?":
//     none of them can recolour a terminal, move its cursor or make a
//     message read as something else.
//   - Printable keeps line breaks and tabs; Line folds every run of white
//     space, line breaks included, into one space.
//   - A cut (Cut, Clip) is counted in bytes, as the kubelet and the
//     apiserver count their limits, and never falls inside a UTF-8
//     sequence; Clip ends a cut text in "...".
//
// Each caller keeps its own limit: 4096 bytes for the termination message,
// 200 for a detail from an object, and so on.

// replacement is what an unsafe character becomes: one byte, so that a
// replaced text is never longer than the original.
const replacement = '?'

// Printable is s made safe to show a person, on as many lines as it has:
// line breaks and tabs stay, every other character the rule above names
// becomes "?".
func Printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		return safe(r)
	}, s)
}

// Line is s made safe to show a person on one line: runs of white space
// (spaces, tabs, line breaks, U+2028 ...) become one space, the ends are
// trimmed, and every other character the rule above names becomes "?".
func Line(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		return safe(r)
	}, s)), " ")
}

// safe is r, or "?" for a control or format character and for invalid
// UTF-8 (which strings.Map hands over as utf8.RuneError).
func safe(r rune) rune {
	if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
		return replacement
	}
	return r
}

// Cut is the longest beginning of s of at most n bytes that does not end
// inside a UTF-8 sequence.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	cut := n
	// A character is at most utf8.UTFMax bytes: look no further back, so
	// that a run of stray continuation bytes is cut where n says.
	for cut > n-(utf8.UTFMax-1) && cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if !utf8.RuneStart(s[cut]) {
		cut = n
	}
	return s[:cut]
}

// Clip is s when it has at most n bytes, else its beginning cut as Cut
// does and "...", n bytes at most in all (a limit too small for "..." cuts
// without it).
func Clip(s string, n int) string {
	const more = "..."
	switch {
	case len(s) <= n:
		return s
	case n < len(more):
		return Cut(s, n)
	}
	return Cut(s, n-len(more)) + more
}
