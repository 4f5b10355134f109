package spec

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// deadlineKey starts a target's own deadline at the end of its argument:
// "tcp://db:5432#timeout=30s". No name, address or rule kwait takes ends
// in it: names, hosts and selectors never hold '#', and in a URL it would
// start a fragment, which is never sent.
const deadlineKey = "#timeout="

// cutDeadline splits a target's own deadline off arg. An argument without
// one is returned whole with a zero duration.
func cutDeadline(arg string) (rest string, d time.Duration, err error) {
	i := strings.LastIndex(strings.ToLower(arg), deadlineKey)
	if i < 0 {
		return arg, 0, nil
	}
	value := arg[i+len(deadlineKey):]
	d, err = ParseDuration(value)
	if err != nil || d <= 0 {
		return "", 0, errorf(arg, "%s%s: want a positive duration such as 30s or 2m, or a number of seconds", deadlineKey, value)
	}
	return arg[:i], d, nil
}

// ParseDuration reads a duration as kwait's flags and deadlines take it: a
// Go duration (90s, 1m30s, 250ms) or a bare number of seconds (90, 0.5),
// as the chart's timeout and kubectl's --request-timeout take one.
func ParseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if plainNumber(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && math.Abs(f) < math.MaxInt64/float64(time.Second) {
			return time.Duration(f * float64(time.Second)), nil
		}
	}
	return 0, fmt.Errorf("%q: want a duration such as 90s, 2m or 1h30m, or a number of seconds", s)
}

// plainNumber reports whether s is a bare decimal number: a sign, digits,
// perhaps a fraction; no exponent, no "Inf" or "NaN".
func plainNumber(s string) bool {
	s = strings.TrimLeft(s, "+-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		return false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
