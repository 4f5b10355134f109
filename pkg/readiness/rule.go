package readiness

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// ruleKind tells the forms of --for apart.
type ruleKind int

const (
	ruleUnset ruleKind = iota
	ruleCreate
	ruleDelete
	ruleCondition
	ruleJSONPath
	ruleReady
)

// Rule is a readiness rule for an object of any kind, written the way
// `kubectl wait --for` takes it:
//
//	create                     the object exists
//	delete                     the object does not exist
//	condition=TYPE             condition TYPE has status True
//	condition=TYPE=STATUS      condition TYPE has status STATUS
//	jsonpath=EXPR=VALUE        EXPR yields exactly one value, printed as VALUE
//	jsonpath=EXPR              EXPR yields exactly one value that is not empty
//	ready                      the object is ready as kstatus would call it
//	                           Current, closed where kstatus is open (see
//	                           Current); targets of a type of package kind use
//	                           that kind's rule instead
//
// EXPR is a client-go JSONPath expression such as {.status.phase}; the
// braces and the leading dot may be left out (.status.phase, status.phase).
// Build a Rule with ParseRule; the zero Rule is never satisfied. A Rule is a
// small value, safe to copy and to use from several goroutines.
type Rule struct {
	kind ruleKind
	// condType and condStatus are set for condition rules.
	condType, condStatus string
	// path is the canonical JSONPath expression ("{.status.phase}") and
	// value the wanted printed value, empty when any non-empty value will do.
	path, value string
}

// ParseRule parses one --for value. The keywords ready, create, delete, condition
// and jsonpath are matched without regard to case. Condition statuses
// True, False and Unknown are normalised to that spelling; any other status
// is kept as written and compared case-insensitively. A jsonpath VALUE may be
// wrapped in one pair of single or double quotes, which are removed;
// surrounding white space never counts.
//
// The error, if any, is one line naming the input and what is wrong with it.
func ParseRule(s string) (Rule, error) {
	r, err := parseRule(strings.TrimSpace(s))
	if err != nil {
		return Rule{}, fmt.Errorf("invalid --for %q: %w", s, err)
	}
	return r, nil
}

// Ready is the rule --for ready gives.
func Ready() Rule { return Rule{kind: ruleReady} }

// Deleted is the rule --for delete gives: the object is gone.
func Deleted() Rule { return Rule{kind: ruleDelete} }

func parseRule(s string) (Rule, error) {
	if s == "" {
		return Rule{}, errors.New("empty rule, want ready, create, delete, condition=TYPE[=STATUS] or jsonpath=EXPR[=VALUE]")
	}
	keyword, rest, hasArg := strings.Cut(s, "=")
	switch strings.ToLower(keyword) {
	case "create", "delete", "ready":
		if hasArg {
			return Rule{}, fmt.Errorf("%s takes no value", strings.ToLower(keyword))
		}
		switch strings.ToLower(keyword) {
		case "create":
			return Rule{kind: ruleCreate}, nil
		case "ready":
			return Rule{kind: ruleReady}, nil
		}
		return Rule{kind: ruleDelete}, nil
	case "condition":
		return parseCondition(rest)
	case "jsonpath":
		return parseJSONPathRule(rest)
	}
	return Rule{}, fmt.Errorf("unknown rule %q, want ready, create, delete, condition=TYPE[=STATUS] or jsonpath=EXPR[=VALUE]", keyword)
}

func parseCondition(s string) (Rule, error) {
	typ, status, hasStatus := strings.Cut(s, "=")
	switch {
	case typ == "":
		return Rule{}, errors.New("condition type is empty")
	case strings.ContainsFunc(typ, unicode.IsSpace):
		return Rule{}, fmt.Errorf("condition type %q contains white space", typ)
	case !hasStatus:
		status = "True"
	case status == "":
		return Rule{}, errors.New("condition status is empty")
	case strings.Contains(status, "="):
		return Rule{}, fmt.Errorf("condition status %q contains \"=\", want condition=TYPE or condition=TYPE=STATUS", status)
	case strings.ContainsFunc(status, unicode.IsSpace):
		return Rule{}, fmt.Errorf("condition status %q contains white space", status)
	}
	for _, known := range []string{"True", "False", "Unknown"} {
		if strings.EqualFold(status, known) {
			status = known
		}
	}
	return Rule{kind: ruleCondition, condType: typ, condStatus: status}, nil
}

// IsReady reports whether r is the ready rule, which a target judges with
// its kind's own rule when its type has one.
func (r Rule) IsReady() bool { return r.kind == ruleReady }

// WantsAbsent reports whether only a missing object satisfies the rule.
func (r Rule) WantsAbsent() bool { return r.kind == ruleDelete }

// String returns the rule in canonical --for form, which ParseRule accepts
// and turns into the same rule: "condition=Ready=True",
// "jsonpath={.status.phase}=Running".
func (r Rule) String() string {
	switch r.kind {
	case ruleCreate:
		return "create"
	case ruleDelete:
		return "delete"
	case ruleReady:
		return "ready"
	case ruleCondition:
		return "condition=" + r.condType + "=" + r.condStatus
	case ruleJSONPath:
		if r.value == "" {
			return "jsonpath=" + r.path
		}
		return "jsonpath=" + r.path + "=" + quoteValue(r.value)
	}
	return ""
}

// Evaluate applies the rule to obj, nil meaning the object does not exist.
// Only ready may return Failed (Stalled=True, see Current); no other rule
// does: an object that does not satisfy a rule today
// may satisfy it tomorrow, and only the user knows which states are final.
//
// create is Ready as soon as obj is not nil. delete is Ready when obj is
// nil and Pending while it exists, naming any finalizers holding it.
//
// condition and jsonpath rules, first match wins:
//  1. obj nil: Pending "not found".
//  2. metadata.deletionTimestamp set: Pending "being deleted".
//  3. metadata.generation and status.observedGeneration both present and
//     the latter lower: Pending, the controller has not caught up with the
//     latest spec, so whatever status is there describes an older one.
//  4. The rule itself (see below).
//
// A condition rule is Ready when status.conditions holds an entry whose
// type matches (case-insensitively), whose status matches
// (case-insensitively), and which does not carry an observedGeneration
// lower than metadata.generation. Otherwise Pending, with the condition as
// it stands ("Ready=False: Installing: waiting for deployment"), "condition
// Ready not set", or the generation the condition is stale for.
//
// A jsonpath rule is Pending while the expression yields no value or more
// than one. The value is printed the way `kubectl get -o jsonpath` prints it
// (objects and lists as JSON) and compared as a string, surrounding white
// space ignored. Without a wanted value, any value other than null, "", {}
// or [] is Ready. A reason about a core Secret never shows its values (nor
// an evaluation error, which may quote them); other values and condition
// messages are shown bounded and sanitized (see oneLine).
func (r Rule) Evaluate(obj *unstructured.Unstructured) target.Status {
	switch r.kind {
	case ruleCreate:
		if obj == nil {
			return target.Pending("not found")
		}
		return target.Ready()
	case ruleDelete:
		return evaluateDelete(obj)
	case ruleReady:
		return Current(obj, false)
	case ruleCondition, ruleJSONPath:
		if s, ok := current(obj); !ok {
			return s
		}
		if r.kind == ruleCondition {
			return r.evaluateCondition(obj)
		}
		return r.evaluateJSONPath(obj)
	}
	return target.Pending("no rule given")
}

func evaluateDelete(obj *unstructured.Unstructured) target.Status {
	if obj == nil {
		return target.Ready()
	}
	if obj.GetDeletionTimestamp() == nil {
		return target.Pending("still exists")
	}
	if f := obj.GetFinalizers(); len(f) > 0 {
		return target.Pending("being deleted, finalizers: %s", oneLine(strings.Join(f, ", ")))
	}
	return target.Pending("being deleted")
}

// current reports whether obj exists, is not being deleted and has its
// latest generation observed, and if not, the Pending status saying which.
func current(obj *unstructured.Unstructured) (target.Status, bool) {
	if obj == nil {
		return target.Pending("not found"), false
	}
	if obj.GetDeletionTimestamp() != nil {
		return target.Pending("being deleted"), false
	}
	gen, okGen := intField(obj.Object, "metadata", "generation")
	obs, okObs := intField(obj.Object, "status", "observedGeneration")
	if okGen && okObs && obs < gen {
		return target.Pending("waiting for generation %d to be observed (observed %d)", gen, obs), false
	}
	return target.Status{}, true
}

func (r Rule) evaluateCondition(obj *unstructured.Unstructured) target.Status {
	c, ok := findCondition(obj, r.condType)
	if !ok {
		return target.Pending("condition %s not set", r.condType)
	}
	if !strings.EqualFold(c.Status, r.condStatus) {
		if c.Status == "" {
			c.Status = "<no status>"
		}
		return target.Pending("%s", c)
	}
	if gen := obj.GetGeneration(); c.ObservedGeneration != 0 && c.ObservedGeneration < gen {
		return target.Pending("condition %s: waiting for generation %d to be observed (observed %d)",
			c.Type, gen, c.ObservedGeneration)
	}
	return target.Ready()
}
