package spec

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kwait-dev/kwait/pkg/target"
)

func errorString(s string) error { return errors.New(s) }

func validateName(name string) error {
	if name == "" {
		return errorString("empty name")
	}
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return errorString("name " + quote(name) + ": " + target.Line(errs[0]))
	}
	return nil
}

// validateObjectName checks the name of an object of any type: the API
// allows more than DNS names for some (the APIService "v1.", the ClusterRole
// "system:node"), but never a slash or percent sign, "." or "..", and kwait
// refuses white space and control characters too.
func validateObjectName(name string) error {
	if name == "" {
		return errorString("empty name")
	}
	if errs := path.IsValidPathSegmentName(name); len(errs) > 0 {
		return errorString("name " + quote(name) + ": " + target.Line(errs[0]))
	}
	if strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return errorString("name " + quote(name) + " holds white space or a control character")
	}
	return nil
}

// ValidateNamespace checks a namespace name.
func ValidateNamespace(ns string) error {
	if ns == "" {
		return errorString("empty namespace")
	}
	if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
		return errorString("namespace " + quote(ns) + ": " + target.Line(errs[0]))
	}
	return nil
}

// quote quotes s as Go does, so that a name with a newline or other
// control character still gives a one-line message, and cuts it to
// maxEcho bytes.
func quote(s string) string {
	if len(s) > maxEcho {
		return strconv.Quote(target.Cut(s, maxEcho)) + "..."
	}
	return strconv.Quote(s)
}
