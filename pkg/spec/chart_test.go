package spec

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kwait-dev/kwait/pkg/manifest"
)

// The library chart parses targets itself to compute their RBAC
// (charts/kwait/templates/_grants.tpl); hack/charts-test.sh renders its
// case files with helm. These are the case files whose targets the chart
// accepts, and the folder of those it refuses.
const (
	chartCases   = "../../charts/tests/render/cases"
	chartInvalid = "../../charts/tests/render/invalid"
)

var chartValidCases = []string{"target-forms.yaml", "webhooks-and-admission.yaml"}

// TestChartTargetGrammar: what the chart accepts and refuses is what kwait
// accepts and refuses before it talks to a cluster. Every target of the
// chart's valid cases is one kwait takes; every invalid case refused for
// its targets alone (a call of a template and targets, no values) holds a
// target kwait refuses too, except those the chart refuses because it
// cannot compute RBAC from a type's name, which kwait resolves through
// discovery.
func TestChartTargetGrammar(t *testing.T) {
	t.Parallel()
	valid := 0
	for _, name := range chartValidCases {
		call, _ := firstChartCall(t, filepath.Join(chartCases, name))
		targets := chartTargets(call["targets"])
		valid += len(targets)
		for _, arg := range targets {
			if why := refused(arg); why != "" {
				t.Errorf("%s: the chart accepts %q, kwait refuses it: %s", name, arg, why)
			}
		}
	}

	if valid < 30 {
		t.Fatalf("the valid cases hold only %d targets", valid)
	}

	paths, err := filepath.Glob(filepath.Join(chartInvalid, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no invalid cases in %s: %v", chartInvalid, err)
	}
	checked := 0
	for _, path := range paths {
		call, values := firstChartCall(t, path)
		if _, ok := call["targets"]; len(call) != 2 || !ok || values {
			continue // refused for a chart parameter or value, not for its targets
		}
		if b, _ := os.ReadFile(path); strings.Contains(string(b), "the chart cannot tell") {
			continue
		}
		checked++
		targets := chartTargets(call["targets"])
		if len(targets) == 0 {
			continue // kwait without a target is bad usage too ("no targets given")
		}
		anyRefused := false
		for _, arg := range targets {
			anyRefused = anyRefused || refused(arg) != ""
		}
		if !anyRefused {
			t.Errorf("%s: the chart refuses %q, kwait takes them", filepath.Base(path), targets)
		}
	}
	if checked < 10 {
		t.Errorf("only %d invalid target cases checked", checked)
	}
}

// refused is why kwait refuses arg, a target of the mixed form given
// without --for, before it talks to a cluster ("" when it does not): the
// grammar (Parse); a resource without a rule (package cli asks for one);
// an admission target's object, which in a chart must be inline JSON that
// decodes to one object (a file would have to be in the pod).
func refused(arg string) string {
	s, err := Parse(arg)
	switch {
	case err != nil:
		return err.Error()
	case s.Kind == Resource && len(s.For) == 0:
		return "a resource needs a rule"
	case s.Kind == Admission && !strings.HasPrefix(strings.TrimSpace(s.Name), "{"):
		return "admission:FILE names a file the pod does not have"
	case s.Kind == Admission:
		objs, err := manifest.Decode([]byte(s.Name))
		if err != nil {
			return err.Error()
		}
		if len(objs) != 1 {
			return "not one object"
		}
	}
	return ""
}

// firstChartCall is the first call of a case file, its parameters by name,
// and whether the file sets values besides the calls (kwait:, global:).
func firstChartCall(t *testing.T, path string) (map[string]any, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	calls, _ := c["calls"].([]any)
	if len(calls) == 0 {
		t.Fatalf("%s: no calls", path)
	}
	first, _ := calls[0].(map[string]any)
	return first, len(c) > 1
}

// chartTargets are a call's targets as helm hands them to kwait: a number
// in the YAML list is a target too, written as helm writes it.
func chartTargets(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		switch v := x.(type) {
		case string:
			out = append(out, v)
		case float64:
			out = append(out, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	return out
}
