package spec

import (
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
	d, err = time.ParseDuration(value)
	if err != nil || d <= 0 {
		return "", 0, errorf(arg, "%s%s: want a positive duration such as 30s or 2m", deadlineKey, value)
	}
	return arg[:i], d, nil
}
