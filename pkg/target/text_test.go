package target

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// hostile holds what a status message or a server's answer may carry:
// an escape sequence setting the terminal's title, BEL, a bidi override
// (U+202E), an isolate (U+2066), a zero-width joiner, NEL (U+0085), CR,
// a line break, a tab and a byte of invalid UTF-8.
const hostile = "a\x1b]0;owned\x07b \u202eexe.txt\u2066c\u200dd\u0085e\r\nf\tg\xff"

func TestPrintable(t *testing.T) {
	t.Parallel()
	got := Printable(hostile)
	want := "a?]0;owned?b ?exe.txt?c?d?e?\nf\tg?"
	if got != want {
		t.Errorf("Printable = %q, want %q", got, want)
	}
	if Printable("héllo, 世界\n") != "héllo, 世界\n" {
		t.Errorf("Printable changed printable text: %q", Printable("héllo, 世界\n"))
	}
}

func TestLine(t *testing.T) {
	t.Parallel()
	got := Line(hostile)
	want := "a?]0;owned?b ?exe.txt?c?d e f g?"
	if got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	if got := Line("  one\n\n\ttwo\u2028three  "); got != "one two three" {
		t.Errorf("Line folds white space to %q, want %q", got, "one two three")
	}
}

// TestCutUTF8: a cut never ends inside a character, whatever its length,
// and keeps as many bytes as the limit allows.
func TestCutUTF8(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abc", 2, "ab"},
		{"abc", 0, ""},
		{"aé", 2, "a"}, // é is 2 bytes
		{"a世", 3, "a"}, // 世 is 3 bytes
		{"a世", 4, "a世"},
		{"a😀", 4, "a"}, // 😀 is 4 bytes: back 3
		{"a😀b", 5, "a😀"},
		{"a\x80\x80\x80\x80\x80", 4, "a\x80\x80\x80"}, // stray continuation bytes: cut where n says
	} {
		if got := Cut(tc.s, tc.n); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// TestClipBytes: 4 KB of text, as the termination message takes it, cut
// through multi-byte characters: at most the limit, valid UTF-8, "..." at
// the end; text within the limit is left alone.
func TestClipBytes(t *testing.T) {
	t.Parallel()
	const limit = 4096
	for _, s := range []string{strings.Repeat("é", 3000), strings.Repeat("世", 2000), "x" + strings.Repeat("😀", 1100)} {
		got := Clip(s, limit)
		if len(got) > limit || len(got) < limit-utf8.UTFMax || !utf8.ValidString(got) || !strings.HasSuffix(got, "...") {
			t.Errorf("Clip of %d bytes of %q to %d: %d bytes, valid %t, suffix %q", len(s), s[:4], limit, len(got), utf8.ValidString(got), got[len(got)-3:])
		}
	}
	if s := strings.Repeat("x", limit); Clip(s, limit) != s {
		t.Errorf("Clip cut a text of exactly the limit")
	}
	if got := Clip("abcdef", 5); got != "ab..." {
		t.Errorf("Clip(abcdef, 5) = %q, want ab...", got)
	}
	if got := Clip("abcdef", 2); got != "ab" {
		t.Errorf("Clip(abcdef, 2) = %q, want ab (no room for ...)", got)
	}
}

// FuzzText: whatever the input, Line gives valid UTF-8 on one line
// without a control or format character, Printable keeps only line
// breaks and tabs of the control characters, and Clip stays within its
// limit without cutting a character of valid text.
func FuzzText(f *testing.F) {
	for _, s := range []string{hostile, "", "héllo 世界 😀", "\xff\xfe", "a\u202eb\u2066c", strings.Repeat("é", 100)} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = max(0, n%300)
		for _, r := range Line(s) {
			if r == '\n' || r == '\t' || r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("Line(%q) holds %U", s, r)
			}
		}
		if !utf8.ValidString(Line(s)) || !utf8.ValidString(Printable(s)) {
			t.Fatalf("Line or Printable of %q is not valid UTF-8", s)
		}
		for _, r := range Printable(s) {
			if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
				t.Fatalf("Printable(%q) holds %U", s, r)
			}
		}
		clipped := Clip(Line(s), n)
		if len(clipped) > n {
			t.Fatalf("Clip(%q, %d) = %q: %d bytes", Line(s), n, clipped, len(clipped))
		}
		if !utf8.ValidString(clipped) {
			t.Fatalf("Clip(%q, %d) = %q cuts a character", Line(s), n, clipped)
		}
	})
}
