package events

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kwait-dev/kwait/pkg/target"
)

// Resource is where kwait writes Events, and Verbs what it does there:
// create a new Event, patch one to count another occurrence (its series).
// The library chart's RBAC grants exactly these, generated from here.
var Resource = schema.GroupVersionResource{Group: "events.k8s.io", Version: "v1", Resource: "events"}

// Verbs are the verbs on Resource that recording needs.
func Verbs() []string { return []string{"create", "patch"} }

// Controller is the reportingController of kwait's Events.
const Controller = "kwait.dev/kwait"

// action is the one thing kwait does about its pod.
const action = "Wait"

// Limits the apiserver sets on an Event's fields.
const (
	noteLimit  = 1024
	fieldLimit = 128
	// nameLimit leaves room in a 253-character name for the time name
	// adds.
	nameLimit = 240
)

// Event types.
const (
	Normal  = "Normal"
	Warning = "Warning"
)

// event is one Event before it is written.
type event struct {
	kind   string // Normal or Warning
	reason string // CamelCase, machine-readable
	note   string // for a person
}

// Sink writes Events to the apiserver. Create returns the name of the
// Event created; Patch applies a JSON merge patch to the Event name.
type Sink interface {
	Create(ctx context.Context, obj *unstructured.Unstructured) (string, error)
	Patch(ctx context.Context, name string, patch []byte) error
}

// DynamicSink writes Events into namespace through d.
func DynamicSink(d dynamic.Interface, namespace string) Sink {
	return dynamicSink{d.Resource(Resource).Namespace(namespace)}
}

type dynamicSink struct{ r dynamic.ResourceInterface }

func (s dynamicSink) Create(ctx context.Context, obj *unstructured.Unstructured) (string, error) {
	out, err := s.r.Create(ctx, obj, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	return out.GetName(), nil
}

func (s dynamicSink) Patch(ctx context.Context, name string, patch []byte) error {
	_, err := s.r.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

// object is e as an events.k8s.io/v1 Event about pod, reported by
// instance at now.
func (e event) object(pod Pod, instance string, now time.Time) *unstructured.Unstructured {
	regarding := map[string]any{"apiVersion": "v1", "kind": "Pod", "namespace": pod.Namespace, "name": pod.Name}
	if pod.UID != "" {
		regarding["uid"] = pod.UID
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "events.k8s.io/v1",
		"kind":       "Event",
		"metadata": map[string]any{
			"name":      name(pod.Name, now),
			"namespace": pod.Namespace,
		},
		"eventTime":           microTime(now),
		"reportingController": Controller,
		"reportingInstance":   target.Clip(instance, fieldLimit),
		"action":              action,
		"reason":              e.reason,
		"type":                e.kind,
		"regarding":           regarding,
		"note":                target.Clip(target.Printable(e.note), noteLimit),
	}}
}

// name is the name of an Event about the pod name at now, as the kubelet
// names its Events: the pod's name, a dot, the time in hexadecimal
// nanoseconds.
func name(pod string, now time.Time) string {
	if len(pod) > nameLimit {
		pod = strings.TrimRight(pod[:nameLimit], ".-")
	}
	return fmt.Sprintf("%s.%x", pod, now.UnixNano())
}

// seriesPatch counts one more occurrence of an Event, at now.
func seriesPatch(count int, now time.Time) []byte {
	return fmt.Appendf(nil, `{"series":{"count":%d,"lastObservedTime":%q}}`, count, microTime(now))
}

// microTime is t as the apiserver's MicroTime: RFC 3339 with microseconds.
func microTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00") }
