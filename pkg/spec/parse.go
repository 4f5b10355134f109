package spec

import (
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/network"
)

// Parse parses one target in the mixed form (see the package comment).
func Parse(arg string) (Spec, error) {
	rest, d, err := cutDeadline(arg)
	if err != nil {
		return Spec{}, err
	}
	s, err := parse(rest)
	s.Timeout = d
	return s, err
}

func parse(arg string) (Spec, error) {
	if strings.TrimSpace(arg) == "" {
		return Spec{}, errorf(arg, "empty target")
	}
	if len(arg) >= len(admissionPrefix) && strings.EqualFold(arg[:len(admissionPrefix)], admissionPrefix) {
		return parseAdmission(arg, arg[len(admissionPrefix):])
	}
	// A "://" after a slash belongs to a rule (":jsonpath={.url}=http://x"),
	// not to a scheme: every Kubernetes form has a slash before its rule.
	if scheme, rest, ok := strings.Cut(arg, "://"); ok && !strings.Contains(scheme, "/") {
		switch strings.ToLower(scheme) {
		case TCP:
			return parseAddress(TCP, arg, rest, network.CheckHostPort)
		case DNS:
			return parseAddress(DNS, arg, rest, network.CheckHost)
		case "http", "https":
			return ParseKind(HTTP, arg)
		}
		if k, ok := network.Schemes()[strings.ToLower(scheme)]; ok {
			return ParseKind(k, arg)
		}
		scheme, _, _ = strings.Cut(network.Redact(arg), "://")
		return Spec{}, errorf(arg, "unknown scheme %q (want tcp://, http(s)://, dns://, postgres://, mysql://, redis(s)://, amqp(s)://, memcached://, mongodb://, kafka:// or grpc(s)://)", scheme)
	}
	head, rest, ok := strings.Cut(arg, "/")
	if !ok || rest == "" {
		return Spec{}, errorf(arg, "want KIND/NAME, TYPE/NAME:RULE, tcp://HOST:PORT, http(s)://URL, dns://NAME or a database URL (postgres://HOST)")
	}
	if k, known := kind.Lookup(head); known {
		return parseKube(k, apitype.Name{}, arg, rest)
	}
	typ, err := apitype.ParseName(head)
	if err != nil {
		return Spec{}, errorf(arg, "%s", err)
	}
	return parseKube(kind.Kind{}, typ, arg, rest)
}

// ParseKind parses the argument of a subcommand, which names one target of
// one kind: "[NS/]NAME" for a kind of package kind, "TYPE/[NS/]NAME" for
// Resource, HOST:PORT, a URL or a host name; each may end in its own
// "#timeout=DURATION".
func ParseKind(kindName, arg string) (Spec, error) {
	rest, d, err := cutDeadline(arg)
	if err != nil {
		return Spec{}, err
	}
	s, err := parseKind(kindName, rest)
	s.Timeout = d
	return s, err
}

func parseKind(kindName, arg string) (Spec, error) {
	switch kindName {
	case Admission:
		return parseAdmission(arg, arg)
	case TCP:
		return parseAddress(TCP, arg, arg, network.CheckHostPort)
	case DNS:
		return parseAddress(DNS, arg, arg, network.CheckHost)
	case HTTP:
		if err := network.CheckURL(arg); err != nil {
			return Spec{}, errorf(arg, "%s", err)
		}
		return Spec{Kind: HTTP, Name: arg}, nil
	case Postgres, MySQL, Redis, AMQP, Memcached, MongoDB, Kafka, GRPC:
		return parseServer(kindName, arg)
	case Resource:
		head, rest, ok := strings.Cut(arg, "/")
		if !ok {
			return Spec{}, errorf(arg, "want TYPE/NAME or TYPE/NAMESPACE/NAME")
		}
		typ, err := apitype.ParseName(head)
		if err != nil {
			return Spec{}, errorf(arg, "%s", err)
		}
		return parseKube(kind.Kind{}, typ, arg, rest)
	}
	k, ok := kind.Lookup(kindName)
	if !ok {
		return Spec{}, errorf(arg, "unknown kind %q", kindName)
	}
	return parseKube(k, apitype.Name{}, arg, arg)
}

// admissionPrefix starts an admission target in the mixed form.
const admissionPrefix = Admission + ":"

// parseAdmission reads what an admission target names: a file, "-" for
// standard input, or an object written inline (JSON, starting with "{").
// What the manifest holds is read later (package manifest).
func parseAdmission(arg, manifest string) (Spec, error) {
	if strings.TrimSpace(manifest) == "" {
		return Spec{}, errorf(arg, "no manifest: want admission:FILE, admission:- (standard input) or admission:{...} (an object in JSON)")
	}
	return Spec{Kind: Admission, Name: manifest}, nil
}

// parseServer reads the URL of a database or queue target; a subcommand's
// argument may leave out the scheme ("kwait postgres db:5432"). The scheme
// is kept in lower case.
func parseServer(kindName, arg string) (Spec, error) {
	scheme, rest, ok := strings.Cut(arg, "://")
	if !ok || strings.Contains(scheme, "/") || strings.Contains(scheme, "@") {
		scheme, rest = kindName, arg
	}
	scheme = strings.ToLower(scheme)
	raw := scheme + "://" + rest
	if network.Schemes()[scheme] != kindName {
		return Spec{}, errorf(arg, "not a %s URL", kindName)
	}
	if err := network.CheckServerURL(raw); err != nil {
		return Spec{}, errorf(arg, "%s", err)
	}
	return Spec{Kind: kindName, Name: raw}, nil
}

// parseAddress checks the address of a tcp or dns target.
func parseAddress(kindName, arg, addr string, check func(string) error) (Spec, error) {
	if err := check(addr); err != nil {
		if strings.Contains(addr, "@") {
			// The checks quote the part of addr they refuse, which may
			// hold a password ("user:secret@db"); errorf redacts only arg.
			return Spec{}, errorf(arg, "an address takes no USER:PASSWORD@")
		}
		return Spec{}, errorf(arg, "%s", err)
	}
	return Spec{Kind: kindName, Name: addr}, nil
}

// parseKube parses "[NS/]NAME[:RULE]" (or "[NS/]SELECTOR" for pods without a
// rule) for kind k, or for a resource of type typ when k is the zero Kind.
func parseKube(k kind.Kind, typ apitype.Name, arg, rest string) (Spec, error) {
	s := Spec{Kind: k.Name, Type: typ}
	if k.Name == "" {
		s.Kind = Resource
	}
	cut := strings.Cut
	if s.Kind == Resource {
		cut = cutRule
	}
	if body, rule, ok := cut(rest, ":"); ok {
		if rule == "" {
			return Spec{}, errorf(arg, "empty rule after ':'")
		}
		rest, s.For = body, []string{rule}
	}
	if k.Select == kind.BySelector && len(s.For) == 0 {
		return parseSelector(s, arg, rest)
	}
	ns, name, namespaced := strings.Cut(rest, "/")
	if !namespaced {
		ns, name = "", rest
	}
	if namespaced {
		if scope, known := clusterScoped(k, typ); known && scope {
			return Spec{}, errorf(arg, "%s is cluster-scoped: name it without a namespace", typeOf(k, typ))
		}
		if err := ValidateNamespace(ns); err != nil {
			return Spec{}, errorf(arg, "%s", err)
		}
	}
	validate := validateName
	if s.Kind == Resource || k.LooseNames {
		validate = validateObjectName
	}
	if err := validate(name); err != nil {
		return Spec{}, errorf(arg, "%s", err)
	}
	if k.Then == kind.ThenServed && !strings.Contains(name, ".") {
		return Spec{}, errorf(arg, "CRD name %q is not PLURAL.GROUP", name)
	}
	s.Namespace, s.Name = ns, name
	return s, nil
}

// cutRule cuts "[NS/]NAME:RULE" at the first sep that starts a rule
// (ready, create, delete, condition=..., jsonpath=..., in any case, or nothing), so
// that a name with colons ("system:node") stays whole. Names of the kinds
// of package kind never hold a colon; any resource's may.
func cutRule(rest, sep string) (body, rule string, found bool) {
	for i := strings.Index(rest, sep); i >= 0; {
		r := rest[i+len(sep):]
		lower := strings.ToLower(r)
		if r == "" || lower == "ready" || lower == "create" || lower == "delete" ||
			strings.HasPrefix(lower, "condition=") || strings.HasPrefix(lower, "jsonpath=") {
			return rest[:i], r, true
		}
		next := strings.Index(r, sep)
		if next < 0 {
			break
		}
		i += len(sep) + next
	}
	return rest, "", false
}

// clusterScoped says whether the object a target names is cluster-scoped,
// when that is known without the API.
func clusterScoped(k kind.Kind, typ apitype.Name) (scoped, known bool) {
	if k.Name != "" {
		return !k.Type.Namespaced, true
	}
	if t, ok := apitype.ResolveBuiltin(typ); ok {
		return !t.Namespaced, true
	}
	return false, false
}

func typeOf(k kind.Kind, typ apitype.Name) string {
	if k.Name != "" {
		return k.Type.String()
	}
	if t, ok := apitype.ResolveBuiltin(typ); ok {
		return t.String()
	}
	return typ.String()
}

// parseSelector reads "[NS/]SELECTOR". The first segment is a namespace
// when it is a DNS label and the rest parses as a selector; a selector
// whose key has a prefix ("app.kubernetes.io/name=x") keeps its slash
// because a namespace cannot contain dots.
func parseSelector(s Spec, arg, rest string) (Spec, error) {
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
