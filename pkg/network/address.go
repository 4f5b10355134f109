package network

import (
	"net/url"
	"strings"
)

// The one grammar of network target addresses is checkHostPort, checkHost
// and parseURL, used by each kind's Parse (package spec checks command-line
// arguments with it) and by the constructors here.

// Redact hides what may be a password in a target argument before it
// reaches a message: a URL's whole user information becomes "REDACTED"
// ("postgres://REDACTED@db/x"), and so does every query value
// ("?token=REDACTED"), since tokens travel there too. A string that does not parse as a URL loses
// everything from after "//" (or from the start) up to the last "@", which
// may hide more than a password, never less. It is kwait's one redactor.
func Redact(s string) string {
	// The URL form only when its user information holds the one "@": an
	// "@" in a path, query or fragment may follow a password too.
	if u, err := url.Parse(s); err == nil && u.Opaque == "" && (u.User != nil || !strings.Contains(s, "@")) {
		if u.User == nil && u.RawQuery == "" {
			return s
		}
		if u.User != nil {
			u.User = url.User("REDACTED")
		}
		u.RawQuery = redactQuery(u.RawQuery)
		if r := u.String(); strings.Count(r, "@") <= 1 {
			return r
		}
	}
	last := strings.LastIndex(s, "@")
	if last < 0 {
		return s
	}
	start := 0
	first := strings.Index(s, "@")
	if j := strings.Index(s[:first], "//"); j >= 0 {
		start = j + 2
	}
	return s[:start] + "REDACTED" + s[last:]
}

// redactQuery keeps the keys of a query and hides its values.
func redactQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if k, _, ok := strings.Cut(p, "="); ok {
			parts[i] = k + "=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}
