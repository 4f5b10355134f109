package spec

import (
	"errors"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

func errorString(s string) error { return errors.New(s) }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func validateName(name string) error {
	if name == "" {
		return errorString("empty name")
	}
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return errorString("name " + quote(name) + ": " + oneLine(errs[0]))
	}
	return nil
}

// ValidateNamespace checks a namespace name.
func ValidateNamespace(ns string) error { return validateNamespace(ns) }

func validateNamespace(ns string) error {
	if ns == "" {
		return errorString("empty namespace")
	}
	if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
		return errorString("namespace " + quote(ns) + ": " + oneLine(errs[0]))
	}
	return nil
}

// validateCRDName checks a CRD name is PLURAL.GROUP, the only form the API
// accepts for CustomResourceDefinition objects.
func validateCRDName(name string) error {
	if err := validateName(name); err != nil {
		return err
	}
	if !strings.Contains(name, ".") {
		return errorString("CRD name " + quote(name) + " is not PLURAL.GROUP")
	}
	return nil
}

// validateType checks a resource type: PLURAL, PLURAL.GROUP or
// PLURAL.VERSION.GROUP, lower case as the API spells resources.
func validateType(typ string) error {
	if typ == "" {
		return errorString("empty resource type")
	}
	if errs := validation.IsDNS1123Subdomain(typ); len(errs) > 0 {
		return errorString("resource type " + quote(typ) + " is not PLURAL[.VERSION][.GROUP] in lower case")
	}
	return nil
}

// quote quotes s as Go does, so that a name with a newline or other
// control character still gives a one-line message.
func quote(s string) string { return strconv.Quote(s) }
