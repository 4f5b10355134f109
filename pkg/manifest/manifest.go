// Package manifest decodes the objects an admission target sends to the
// apiserver, from YAML or JSON as kubectl create -f reads them, and checks
// each names what the apiserver needs to route it: an apiVersion, a kind and
// a name. What the object holds beyond that is the apiserver's to judge.
package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/target"
)

// MaxSize bounds a manifest: far more than a few probe objects take (etcd
// keeps objects of at most 1.5 MiB), and little enough to hold in memory.
const MaxSize = 8 << 20

// Object is one object of a manifest.
type Object struct {
	// Object is the object as the apiserver is to receive it.
	Object *unstructured.Unstructured
	// Type names its type in kubectl's grammar, KIND.VERSION[.GROUP]
	// ("Issuer.v1.cert-manager.io", "ConfigMap.v1"), which package apitype
	// resolves.
	Type apitype.Name
}

// Name is how messages name the object: KIND[.GROUP]/[NAMESPACE/]NAME, with
// a generated name shown as its prefix and "*". ns is the namespace the
// object goes to, empty for a cluster-scoped one.
func (o Object) Name(ns string) string {
	gvk := o.Object.GroupVersionKind()
	typ := gvk.Kind
	if gvk.Group != "" {
		typ += "." + gvk.Group
	}
	name := o.Object.GetName()
	if name == "" {
		name = o.Object.GetGenerateName() + "*"
	}
	if ns == "" {
		return typ + "/" + name
	}
	return typ + "/" + ns + "/" + name
}

// ErrNoObjects is what Decode says of a manifest without objects (empty,
// or only comments).
var ErrNoObjects = errors.New("no objects")

// Decode reads the objects of a manifest: YAML documents separated by
// "---" lines, or JSON; empty documents are skipped and the items of a
// List (kind List, as kubectl get -o yaml prints several objects) are
// objects of their own. Each object needs apiVersion, kind and
// metadata.name or metadata.generateName; a namespace, if given, must be a
// namespace name. A manifest without objects is an error.
func Decode(data []byte) ([]Object, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("larger than %d MiB", MaxSize>>20)
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []Object
	for doc := 1; ; doc++ {
		raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %s", doc, target.Line(err.Error()))
		}
		objs, err := decodeDocument(raw)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", doc, err)
		}
		out = append(out, objs...)
	}
	if len(out) == 0 {
		return nil, ErrNoObjects
	}
	return out, nil
}

func decodeDocument(raw []byte) ([]Object, error) {
	j, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, errors.New(target.Line(err.Error()))
	}
	var v any
	if err := utiljson.Unmarshal(j, &v); err != nil {
		return nil, errors.New(target.Line(err.Error()))
	}
	if v == nil {
		return nil, nil // an empty document, or only comments
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not an object (a mapping with apiVersion, kind and metadata)")
	}
	if kind, _ := m["kind"].(string); kind == "List" || strings.HasSuffix(kind, "List") && m["items"] != nil {
		items, ok := m["items"].([]any)
		if !ok {
			return nil, fmt.Errorf("%s: items is not a list", kind)
		}
		var out []Object
		for i, item := range items {
			im, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s item %d: not an object", kind, i+1)
			}
			o, err := object(im)
			if err != nil {
				return nil, fmt.Errorf("%s item %d: %w", kind, i+1, err)
			}
			out = append(out, o)
		}
		return out, nil
	}
	o, err := object(m)
	if err != nil {
		return nil, err
	}
	return []Object{o}, nil
}

// object checks one object and names its type.
func object(m map[string]any) (Object, error) {
	u := &unstructured.Unstructured{Object: m}
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	switch {
	case apiVersion == "":
		return Object{}, errors.New("apiVersion is not set")
	case kind == "":
		return Object{}, errors.New("kind is not set")
	}
	if md, ok := m["metadata"]; ok && md != nil {
		if _, ok := md.(map[string]any); !ok {
			return Object{}, errors.New("metadata is not a mapping")
		}
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || gv.Version == "" {
		return Object{}, fmt.Errorf("apiVersion %s is not VERSION or GROUP/VERSION", quote(apiVersion))
	}
	n := kind + "." + gv.Version
	if gv.Group != "" {
		n += "." + gv.Group
	}
	typ, err := apitype.ParseName(n)
	if err != nil {
		return Object{}, fmt.Errorf("kind %s, apiVersion %s: not a Kubernetes kind and version", quote(kind), quote(apiVersion))
	}
	name, _, _ := unstructured.NestedString(m, "metadata", "name")
	generate, _, _ := unstructured.NestedString(m, "metadata", "generateName")
	switch {
	case name == "" && generate == "":
		return Object{}, fmt.Errorf("%s has neither metadata.name nor metadata.generateName", kind)
	case name != "":
		if err := objectName(name); err != nil {
			return Object{}, fmt.Errorf("%s: %w", kind, err)
		}
	default:
		if err := objectName(generate); err != nil {
			return Object{}, fmt.Errorf("%s: generateName: %w", kind, err)
		}
	}
	if ns := u.GetNamespace(); ns != "" {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return Object{}, fmt.Errorf("%s: namespace %s: %s", kind, quote(ns), target.Line(errs[0]))
		}
	}
	return Object{Object: u, Type: typ}, nil
}

// objectName checks a name as the apiserver's URL paths need it; the type's
// own rules are the apiserver's to apply.
func objectName(name string) error {
	if errs := path.IsValidPathSegmentName(name); len(errs) > 0 {
		return fmt.Errorf("name %s: %s", quote(name), target.Line(errs[0]))
	}
	if strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("name %s holds white space or a control character", quote(name))
	}
	return nil
}

// maxEcho bounds how much of a value an error repeats.
const maxEcho = 64

func quote(s string) string {
	if len(s) > maxEcho {
		return fmt.Sprintf("%q...", target.Cut(s, maxEcho))
	}
	return fmt.Sprintf("%q", s)
}
