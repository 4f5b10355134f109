package readiness

import (
	"encoding/json"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// maxDetail bounds how much of a condition message or similar free text
// goes into a reason, so one chatty controller cannot flood the logs.
const maxDetail = 200

// oneLine makes text from an object fit a reason, which ends up in logs and
// the termination message: target.Line's rule, cut to maxDetail bytes.
func oneLine(s string) string { return target.Clip(target.Line(s), maxDetail) }

// describeCondition renders a condition as "Type=Status: Reason: message",
// leaving out the parts that are empty.
func describeCondition(typ, status, reason, message string) string {
	parts := []string{typ + "=" + status}
	if reason != "" {
		parts = append(parts, reason)
	}
	if message != "" {
		parts = append(parts, message)
	}
	return oneLine(strings.Join(parts, ": "))
}

// detail renders a reason and message pair such as
// "BackoffLimitExceeded: Job has reached the specified backoff limit".
func detail(reason, message string) string {
	switch {
	case reason == "":
		return oneLine(message)
	case message == "":
		return oneLine(reason)
	}
	return oneLine(reason + ": " + message)
}

// condition is one entry of status.conditions of an object read as
// unstructured data.
type condition struct {
	Type, Status, Reason, Message string
	// ObservedGeneration is zero when the condition does not carry one.
	ObservedGeneration int64
}

func (c condition) String() string {
	return describeCondition(c.Type, c.Status, c.Reason, c.Message)
}

// findCondition returns the first entry of status.conditions whose type is
// typ, compared case-insensitively as kubectl does. Malformed entries are skipped rather than reported: a rule about one
// condition should not fail because of another.
func findCondition(obj *unstructured.Unstructured, typ string) (condition, bool) {
	list, ok, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	if !ok {
		return condition{}, false
	}
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		t, _ := m["type"].(string)
		if !strings.EqualFold(t, typ) {
			continue
		}
		c := condition{Type: t}
		c.Status, _ = m["status"].(string)
		c.Reason, _ = m["reason"].(string)
		c.Message, _ = m["message"].(string)
		c.ObservedGeneration, _ = asInt64(m["observedGeneration"])
		return c, true
	}
	return condition{}, false
}

// intField reads an integer at path in obj. JSON decoders differ in how
// they represent numbers, so all the usual forms are accepted.
func intField(obj map[string]any, path ...string) (int64, bool) {
	v, ok, err := unstructured.NestedFieldNoCopy(obj, path...)
	if !ok || err != nil {
		return 0, false
	}
	return asInt64(v)
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		if n != float64(int64(n)) {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}
