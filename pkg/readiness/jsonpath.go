package readiness

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/util/jsonpath"

	"github.com/kwait-dev/kwait/pkg/target"
)

// parseJSONPathRule parses what follows "jsonpath=": an expression,
// optionally followed by "=" and the wanted value.
func parseJSONPathRule(s string) (Rule, error) {
	expr, value, hasValue, err := splitJSONPath(s)
	if err != nil {
		return Rule{}, err
	}
	path, err := canonicalPath(expr)
	if err != nil {
		return Rule{}, err
	}
	if strings.Contains(path, "managedFields") {
		return Rule{}, errors.New("kwait does not keep metadata.managedFields of the objects it watches; wait on another field")
	}
	if !hasValue {
		return Rule{kind: ruleJSONPath, path: path}, nil
	}
	// "==Running", spaced or not, is a typo; a value that starts with "="
	// must be quoted.
	if strings.HasPrefix(strings.TrimSpace(value), "=") {
		return Rule{}, errors.New(`use a single "=" between the jsonpath expression and the value`)
	}
	value = strings.TrimSpace(unquote(value))
	if value == "" {
		return Rule{}, errors.New(`value after "=" is empty; leave out "=" to wait for any value`)
	}
	return Rule{kind: ruleJSONPath, path: path, value: value}, nil
}

// splitJSONPath separates the expression from the value. With braces the
// expression ends at the first "}". Without, it ends at the first "=" that is
// neither inside brackets or parentheses (filters such as
// [?(@.type=="Ready")]) nor inside quotes.
func splitJSONPath(s string) (expr, value string, hasValue bool, err error) {
	if s == "" {
		return "", "", false, errors.New("jsonpath expression is empty")
	}
	if s[0] == '{' {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return "", "", false, errors.New(`jsonpath expression has no closing "}"`)
		}
		expr, rest := s[:end+1], s[end+1:]
		if rest == "" {
			return expr, "", false, nil
		}
		if rest[0] != '=' {
			return "", "", false, fmt.Errorf(`unexpected %q after jsonpath expression, want "=VALUE" or nothing`, rest)
		}
		return expr, rest[1:], true, nil
	}
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		case c == '=' && depth <= 0:
			return s[:i], s[i+1:], true, nil
		}
	}
	return s, "", false, nil
}

// canonicalPath turns the relaxed forms kubectl accepts ({.a.b}, {a.b},
// .a.b, a.b) into {.a.b} and checks that client-go can parse it. Only a
// single expression is allowed: no literal text, no {range}...{end}.
func canonicalPath(expr string) (string, error) {
	inner := expr
	if strings.HasPrefix(inner, "{") && strings.HasSuffix(inner, "}") {
		inner = inner[1 : len(inner)-1]
	}
	inner = strings.TrimPrefix(inner, ".")
	if strings.TrimSpace(inner) == "" {
		return "", errors.New("jsonpath expression is empty")
	}
	if strings.ContainsAny(inner, "{}") {
		return "", fmt.Errorf("jsonpath expression %q is not a single {...} expression", expr)
	}
	path := "{." + inner + "}"
	if err := jsonpath.New("for").Parse(path); err != nil {
		return "", fmt.Errorf("jsonpath expression %q: %s", expr, oneLine(err.Error()))
	}
	return path, nil
}

// unquote removes one pair of matching single or double quotes around s,
// as a shell would have if the value had been typed on a command line.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// quoteValue is the inverse of unquote for values that unquote would
// otherwise change, and quotes a value starting with "=", which unquoted
// reads as a doubled "=", so that String output parses back to the same
// rule.
func quoteValue(s string) string {
	if s[0] == '"' || s[0] == '\'' || s[0] == '=' || s[len(s)-1] == '"' || s[len(s)-1] == '\'' {
		return `"` + s + `"`
	}
	return s
}

// evaluateJSONPath applies a jsonpath rule to obj. Reasons never print a
// value of a Secret, nor an evaluation error of one; other objects' values
// and errors are printed bounded and sanitized (see oneLine), and errors
// that would print a value are replaced by what they mean.
func (r Rule) evaluateJSONPath(obj *unstructured.Unstructured) target.Status {
	secret := isSecret(obj)
	// A JSONPath keeps state while it evaluates, so each call gets its own.
	j := jsonpath.New("for").AllowMissingKeys(true)
	if err := j.Parse(r.path); err != nil {
		return target.Pending("%s: %s", r.path, oneLine(err.Error()))
	}
	results, err := j.FindResults(obj.Object)
	switch {
	case err != nil && secret:
		return target.Pending("%s cannot be evaluated on this Secret", r.path)
	case err != nil:
		return target.Pending("%s: %s", r.path, jsonPathError(err))
	}
	var values []reflect.Value
	for _, list := range results {
		for _, v := range list {
			if v.IsValid() {
				values = append(values, v)
			}
		}
	}
	switch {
	case len(values) == 0 && r.value == "":
		return target.Pending("%s not set", r.path)
	case len(values) == 0:
		return target.Pending("%s not set, want %q", r.path, r.value)
	case len(values) > 1:
		return target.Pending("%s matches %d values, want exactly one", r.path, len(values))
	}
	text, empty := printValue(values[0])
	if r.value == "" {
		if empty {
			return target.Pending("%s is empty", r.path)
		}
		return target.Ready()
	}
	if strings.TrimSpace(text) == r.value {
		return target.Ready()
	}
	if secret {
		return target.Pending("%s does not have the wanted value (a Secret's values are never shown)", r.path)
	}
	return target.Pending("%s is %q, want %q", r.path, oneLine(text), r.value)
}

// isSecret reports whether obj is a core Secret, whose values must never
// reach a log or a termination message.
func isSecret(obj *unstructured.Unstructured) bool {
	return obj.GetKind() == "Secret" && obj.GroupVersionKind().Group == ""
}

// jsonPathError is an evaluation error of client-go's jsonpath as a reason.
// Most of its messages are made of the expression and types only; the one
// for a filter applied to something that is not a list prints that
// something, a whole object map as like as not, and is replaced.
func jsonPathError(err error) string {
	msg := err.Error()
	if strings.HasSuffix(msg, "is not array or slice and cannot be filtered") {
		return "not a list, cannot be filtered"
	}
	return oneLine(msg)
}

// printValue prints a value found by JSONPath and says whether it is
// empty: null, "", {} or [].
func printValue(v reflect.Value) (text string, empty bool) {
	switch x := v.Interface().(type) {
	case nil:
		return "null", true
	case string:
		return x, x == ""
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b), len(x) == 0
	case []any:
		b, _ := json.Marshal(x)
		return string(b), len(x) == 0
	default:
		return fmt.Sprint(x), false
	}
}
