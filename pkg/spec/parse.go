package spec

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Parse parses one target in the mixed form (see the package comment).
func Parse(arg string) (Spec, error) {
	if strings.TrimSpace(arg) == "" {
		return Spec{}, errorf(arg, "empty target")
	}
	// A "://" after a slash belongs to a rule (":jsonpath={.url}=http://x"),
	// not to a scheme: every Kubernetes form has a slash before its rule.
	if scheme, rest, ok := strings.Cut(arg, "://"); ok && !strings.Contains(scheme, "/") {
		switch strings.ToLower(scheme) {
		case "tcp":
			s, err := ParseKind(TCP, rest)
			return s, naming(redact(arg), err)
		case "dns":
			s, err := ParseKind(DNS, rest)
			return s, naming(redact(arg), err)
		case "http", "https":
			return ParseKind(HTTP, arg)
		}
		// Other URLs ("postgres://user:pw@db/app") may hold a password too.
		shown := redact(arg)
		scheme, _, _ = strings.Cut(shown, "://")
		return Spec{}, errorf(shown, "unknown scheme %q (want tcp://, http://, https:// or dns://)", scheme)
	}
	head, rest, ok := strings.Cut(arg, "/")
	if !ok || rest == "" {
		return Spec{}, errorf(arg, "want KIND/NAME, tcp://HOST:PORT, http(s)://URL or dns://NAME")
	}
	if kind, known := aliases[head]; known {
		return parseKube(kind, "", arg, rest)
	}
	if !strings.Contains(rest, ":") {
		return Spec{}, errorf(arg, "unknown kind %q (a custom resource needs a rule: TYPE/[NS/]NAME:condition=Ready)", head)
	}
	return parseKube(Resource, head, arg, rest)
}

// ParseKind parses the argument of a subcommand, which names one target of
// a known kind: "NAME" or "NS/NAME" for Kubernetes kinds, "TYPE/[NS/]NAME"
// for Resource, a selector for Pods, HOST:PORT, a URL or a host name.
func ParseKind(kind Kind, arg string) (Spec, error) {
	switch kind {
	case TCP:
		return parseTCP(arg)
	case HTTP:
		return parseHTTP(arg)
	case DNS:
		return parseDNS(arg)
	case Resource:
		typ, rest, ok := strings.Cut(arg, "/")
		if !ok {
			return Spec{}, errorf(arg, "want TYPE/NAME or TYPE/NAMESPACE/NAME")
		}
		return parseKube(Resource, typ, arg, rest)
	}
	return parseKube(kind, "", arg, arg)
}

// parseKube parses "[NS/]NAME[:FOR]" (or "[NS/]SELECTOR" for pods) for kind.
func parseKube(kind Kind, typ, arg, rest string) (Spec, error) {
	s := Spec{Kind: kind}
	if kind == Resource {
		if err := validateType(typ); err != nil {
			return Spec{}, errorf(arg, "%s", err)
		}
		s.Type = typ
	}
	if body, rule, ok := strings.Cut(rest, ":"); ok {
		if rule == "" {
			return Spec{}, errorf(arg, "empty rule after ':'")
		}
		rest, s.For = body, []string{rule}
	}
	if kind == Pods {
		return parsePods(s, arg, rest)
	}
	ns, name, namespaced := strings.Cut(rest, "/")
	if !namespaced {
		ns, name = "", rest
	}
	if kind == CRD {
		if namespaced {
			return Spec{}, errorf(arg, "a CRD is cluster-scoped: want crd/PLURAL.GROUP")
		}
		if err := validateCRDName(name); err != nil {
			return Spec{}, errorf(arg, "%s", err)
		}
		s.Name = name
		return s, nil
	}
	if namespaced {
		if err := validateNamespace(ns); err != nil {
			return Spec{}, errorf(arg, "%s", err)
		}
	}
	if err := validateName(name); err != nil {
		return Spec{}, errorf(arg, "%s", err)
	}
	s.Namespace, s.Name = ns, name
	return s, nil
}

// parsePods reads "[NS/]SELECTOR". The first segment is a namespace when it
// is a DNS label and the rest parses as a selector; a selector whose key has
// a prefix ("app.kubernetes.io/name=x") keeps its slash because a namespace
// cannot contain dots.
func parsePods(s Spec, arg, rest string) (Spec, error) {
	if ns, sel, ok := strings.Cut(rest, "/"); ok && len(validation.IsDNS1123Label(ns)) == 0 {
		if _, err := labels.Parse(sel); err == nil && sel != "" {
			s.Namespace, rest = ns, sel
		}
	}
	sel, err := ParseSelector(rest)
	if err != nil {
		return Spec{}, errorf(arg, "%s", err)
	}
	s.Selector = sel
	return s, nil
}

// ParseSelector validates a label selector and returns it in canonical form.
// An empty selector would match every pod in the namespace and is refused.
func ParseSelector(sel string) (string, error) {
	if strings.TrimSpace(sel) == "" {
		return "", errorString("empty label selector")
	}
	parsed, err := labels.Parse(sel)
	if err != nil {
		return "", errorString("bad label selector: " + oneLine(err.Error()))
	}
	if parsed.Empty() {
		// The selector lexer skips more than white space ("\x00").
		return "", errorString("empty label selector")
	}
	return parsed.String(), nil
}

func parseTCP(arg string) (Spec, error) {
	host, port, err := net.SplitHostPort(arg)
	// No host has an "@": what comes before it may be a password, which
	// the reason must not quote.
	if err != nil || strings.Contains(arg, "@") {
		return Spec{}, errorf(arg, "want HOST:PORT")
	}
	if host == "" {
		return Spec{}, errorf(arg, "empty host")
	}
	if !validPort(port) {
		return Spec{}, errorf(arg, "port %q is not a number from 1 to 65535", port)
	}
	return Spec{Kind: TCP, Name: arg}, nil
}

func parseHTTP(arg string) (Spec, error) {
	u, err := url.Parse(arg)
	if err != nil {
		return Spec{}, errorf(redact(arg), "not a URL")
	}
	// u.Redacted() shows an opaque URL ("user:secret@host",
	// "http:user:secret@host") as given, so errors use redact instead.
	if u.Scheme != "http" && u.Scheme != "https" {
		return Spec{}, errorf(redact(arg), "want an http:// or https:// URL")
	}
	if u.Hostname() == "" {
		return Spec{}, errorf(redact(arg), "URL has no host")
	}
	if port := u.Port(); port != "" && !validPort(port) {
		return Spec{}, errorf(redact(arg), "port %q is not a number from 1 to 65535", port)
	}
	return Spec{Kind: HTTP, Name: arg}, nil
}

func parseDNS(arg string) (Spec, error) {
	name := strings.TrimSuffix(arg, ".")
	if errs := validation.IsDNS1123Subdomain(strings.ToLower(name)); len(errs) > 0 {
		return Spec{}, errorf(arg, "not a DNS name")
	}
	return Spec{Kind: DNS, Name: arg}, nil
}

// redact hides what may be a password in a URL before it reaches an error
// message: everything from after the "//" that starts the authority (or
// from the start when there is none before the first "@") up to the last
// "@". url.Parse splits userinfo at the last "@", so a password containing
// "@" is hidden whole; this may hide more than the password, never less.
func redact(arg string) string {
	last := strings.LastIndex(arg, "@")
	if last < 0 {
		return arg
	}
	start := 0
	first := strings.Index(arg, "@")
	if j := strings.Index(arg[:first], "//"); j >= 0 {
		start = j + 2
	}
	return arg[:start] + "REDACTED" + arg[last:]
}

// naming makes a parse error name arg, the whole argument as the user
// typed it (less any password), rather than the part after its scheme.
func naming(arg string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		e.Arg = arg
	}
	return err
}

// validPort accepts a decimal port 1-65535, as package network does.
func validPort(port string) bool {
	if port == "" || len(port) > 5 {
		return false
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	n, _ := strconv.Atoi(port)
	return n >= 1 && n <= 65535
}
