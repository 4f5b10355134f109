package spec

import (
	"strings"

	"github.com/xrash/smetrics"
)

// suggestDistance is how many edits (insertions, deletions, substitutions)
// a typo may be from what was meant, as cobra's and kubectl's suggestions
// allow; a shorter word allows one edit per three characters, so that "x"
// suggests nothing.
const suggestDistance = 2

// Suggest is the candidate a mistyped word most likely meant, ignoring
// case, as kubectl and cobra suggest: the closest one at most
// suggestDistance edits away (one per three characters of a shorter word),
// or else one the word begins (at least three
// characters of it: "deploy" for "deployment"). It is "" when none is
// close, or when the word is a candidate itself. On a tie the earlier
// candidate wins.
func Suggest(word string, candidates []string) string {
	w := strings.ToLower(word)
	best, bestDistance := "", min(suggestDistance, len(w)/3)+1
	prefixed := ""
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == w {
			return ""
		}
		if d := smetrics.WagnerFischer(w, lc, 1, 1, 1); d < bestDistance {
			best, bestDistance = c, d
		}
		if prefixed == "" && len(w) >= 3 && strings.HasPrefix(lc, w) {
			prefixed = c
		}
	}
	if best != "" {
		return best
	}
	return prefixed
}
