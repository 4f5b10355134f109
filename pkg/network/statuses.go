package network

import (
	"fmt"
	"strconv"
	"strings"
)

// StatusSet is a set of HTTP status codes, written as a comma-separated
// list of codes (200), ranges (200-299) and classes (2xx). The zero value
// is empty; NewHTTP reads an empty set as 200-399, the codes a kubelet
// httpGet probe accepts.
type StatusSet struct {
	ranges []statusRange
}

type statusRange struct{ lo, hi int }

func defaultStatuses() StatusSet {
	return StatusSet{ranges: []statusRange{{200, 399}}}
}

// ParseStatuses parses a list such as "200,204", "200-299,301" or "2xx,3xx".
// Every code is 100-599. Spaces around items are ignored; empty items are
// errors.
func ParseStatuses(s string) (StatusSet, error) {
	var set StatusSet
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return StatusSet{}, fmt.Errorf("invalid status list %q: empty item", s)
		}
		r, err := parseStatusItem(item)
		if err != nil {
			return StatusSet{}, err
		}
		set.ranges = append(set.ranges, r)
	}
	return set, nil
}

func parseStatusItem(item string) (statusRange, error) {
	if len(item) == 3 && strings.EqualFold(item[1:], "xx") {
		c := item[0]
		if c < '1' || c > '5' {
			return statusRange{}, fmt.Errorf("invalid status class %q: want 1xx to 5xx", item)
		}
		lo := int(c-'0') * 100
		return statusRange{lo, lo + 99}, nil
	}
	if from, to, ok := strings.Cut(item, "-"); ok {
		lo, err := parseStatusCode(from)
		if err != nil {
			return statusRange{}, fmt.Errorf("invalid status range %q: %w", item, err)
		}
		hi, err := parseStatusCode(to)
		if err != nil {
			return statusRange{}, fmt.Errorf("invalid status range %q: %w", item, err)
		}
		if lo > hi {
			return statusRange{}, fmt.Errorf("invalid status range %q: %d is after %d", item, lo, hi)
		}
		return statusRange{lo, hi}, nil
	}
	if len(item) != 3 || !allDigits(item) {
		return statusRange{}, fmt.Errorf("invalid status %q: want a code (200), a range (200-299) or a class (2xx)", item)
	}
	code, err := parseStatusCode(item)
	if err != nil {
		return statusRange{}, fmt.Errorf("invalid status %q: %w", item, err)
	}
	return statusRange{code, code}, nil
}

// parseStatusCode accepts exactly three digits making 100-599.
func parseStatusCode(s string) (int, error) {
	if len(s) != 3 || !allDigits(s) {
		return 0, fmt.Errorf("%q is not a three-digit code", s)
	}
	n, _ := strconv.Atoi(s)
	if n < 100 || n > 599 {
		return 0, fmt.Errorf("code %d is not in 100-599", n)
	}
	return n, nil
}

// Contains reports whether code is in the set.
func (s StatusSet) Contains(code int) bool {
	for _, r := range s.ranges {
		if r.lo <= code && code <= r.hi {
			return true
		}
	}
	return false
}

// String writes the set back in the form ParseStatuses reads, item by item
// in the order given; a range covering exactly one class is written as the
// class ("2xx").
func (s StatusSet) String() string {
	items := make([]string, 0, len(s.ranges))
	for _, r := range s.ranges {
		switch {
		case r.lo == r.hi:
			items = append(items, strconv.Itoa(r.lo))
		case r.lo%100 == 0 && r.hi == r.lo+99:
			items = append(items, strconv.Itoa(r.lo/100)+"xx")
		default:
			items = append(items, strconv.Itoa(r.lo)+"-"+strconv.Itoa(r.hi))
		}
	}
	return strings.Join(items, ",")
}
