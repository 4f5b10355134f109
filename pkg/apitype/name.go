package apitype

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Name is a resource type as a user wrote it, in kubectl's grammar:
//
//	TOKEN                  deployments, deployment, deploy, Deployment
//	TOKEN.GROUP            deployments.apps, Deployment.apps, tenants.minio.min.io
//	TOKEN.VERSION.GROUP    deployments.v1.apps, Tenant.v2.minio.min.io
//	TOKEN.VERSION          configmaps.v1 (the core group)
//
// TOKEN is a plural, singular, short name or kind, in any case. Which dots
// separate a version from a group is decided by what the cluster serves:
// "a.b.c" is first read as resource a, version b, group c, then as resource
// a in group b.c, as kubectl reads it.
type Name struct {
	raw string
}

// ParseName checks that s can name a resource type: dot-separated parts,
// each letters, digits and dashes, starting and ending alphanumeric.
func ParseName(s string) (Name, error) {
	if s == "" {
		return Name{}, errors.New("empty resource type")
	}
	if len(s) > 253 {
		return Name{}, errors.New("resource type is longer than 253 characters")
	}
	for _, part := range strings.Split(s, ".") {
		if !namePart.MatchString(part) {
			return Name{}, errors.New("resource type " + strconv.Quote(s) + " is not TYPE[.VERSION][.GROUP] (a kind, plural, singular or short name)")
		}
	}
	return Name{raw: s}, nil
}

var namePart = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$`)

func (n Name) String() string { return n.raw }

// reading is one way to split a Name into token, version and group.
type reading struct {
	token, version, group string
}

// readings lists the ways to read n, most specific first.
func (n Name) readings() []reading {
	parts := strings.Split(n.raw, ".")
	out := []reading{}
	if len(parts) >= 3 {
		out = append(out, reading{token: parts[0], version: parts[1], group: strings.Join(parts[2:], ".")})
	}
	if len(parts) >= 2 {
		out = append(out, reading{token: parts[0], group: strings.Join(parts[1:], ".")})
	}
	if len(parts) == 2 && isVersion(parts[1]) {
		out = append(out, reading{token: parts[0], version: parts[1]})
	}
	if len(parts) == 1 {
		out = append(out, reading{token: parts[0]})
	}
	return out
}

// Grouped reports whether n has a dot, so names a group or a version: a
// name without one may be any group's, the core group's included.
func (n Name) Grouped() bool { return strings.Contains(n.raw, ".") }

// CRD is the name of the CustomResourceDefinition that would define n, and
// the version n asks for, for a name written PLURAL.GROUP or
// PLURAL.VERSION.GROUP in lower case with a group that has a dot (as every
// CRD's group must). ok is false for every other form: a kind, a short
// name or a bare plural cannot be matched to a CRD by name.
func (n Name) CRD() (name, version string, ok bool) {
	if n.raw != strings.ToLower(n.raw) {
		return "", "", false
	}
	parts := strings.Split(n.raw, ".")
	if len(parts) >= 4 && isVersion(parts[1]) {
		version = parts[1]
		parts = append(parts[:1], parts[2:]...)
	}
	if len(parts) < 3 {
		return "", "", false
	}
	name = strings.Join(parts, ".")
	if len(validation.IsDNS1123Subdomain(name)) > 0 {
		return "", "", false
	}
	return name, version, true
}

var versionPattern = regexp.MustCompile(`^v[0-9]+((alpha|beta)[0-9]+)?$`)

func isVersion(s string) bool { return versionPattern.MatchString(s) }

// CoreForm reports whether n may name a core type with its version
// ("configmaps.v1"), the one grouped form the core group can answer.
func (n Name) CoreForm() bool {
	parts := strings.Split(n.raw, ".")
	return len(parts) == 2 && isVersion(parts[1])
}
