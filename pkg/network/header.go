package network

import (
	"errors"
	"fmt"
	"strings"
)

// ParseHeader splits a "Name: value" flag into name and value. Spaces
// around both are trimmed; the value may be empty. Errors name the header,
// never its value, which may be a credential; when there is no colon the
// input is not echoed at all, since it may be the value alone.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		return "", "", errors.New(`invalid header: want "Name: value"`)
	}
	name = strings.TrimSpace(name)
	value = strings.Trim(value, " \t")
	if err := checkHeader(name, value); err != nil {
		return "", "", err
	}
	return name, value, nil
}

func checkHeader(name, value string) error {
	if name == "" {
		return errors.New("invalid header: empty name")
	}
	if !isToken(name) {
		return fmt.Errorf("invalid header name %q", name)
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Errorf("invalid header %q: value has a control character", name)
		}
	}
	return nil
}

// isToken reports whether s is an HTTP token (RFC 9110): what a header
// name or a method is made of.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}
