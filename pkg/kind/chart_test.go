package kind

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/events"
	"github.com/kwait-dev/kwait/pkg/network"
)

var update = flag.Bool("update", false, "rewrite the library chart's generated table")

// chartTable is where the library chart keeps its copy of the tables of
// packages kind and apitype.
const chartTable = "../../charts/kwait/templates/_kinds.tpl"

// TestChartTable checks that the library chart's tables are what this
// package's and package apitype's tables generate; with -update it
// rewrites them (go test ./pkg/kind -run TestChartTable -update).
func TestChartTable(t *testing.T) {
	want := renderChartTable(t)
	if *update {
		if err := os.WriteFile(chartTable, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(chartTable)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with packages kind, apitype, network and events: run go test ./pkg/kind -run TestChartTable -update", chartTable)
	}
}

type chartType struct {
	Group      string   `json:"group"`
	Version    string   `json:"version"`
	Resource   string   `json:"resource"`
	Names      []string `json:"names"` // lower-case singular, kind, short names
	Namespaced bool     `json:"namespaced"`
}

type chartKind struct {
	Name   string    `json:"name"`
	Type   chartType `json:"type"`
	Watch  chartType `json:"watch"`
	Select string    `json:"select"`
	// Then is what the kind waits for after its rule: "served" (CRD
	// discovery), "endpoints" (the EndpointSlices of the Services a
	// webhook configuration names, in namespaces the chart cannot know),
	// "discovery" (an APIService's group/version), or nothing.
	Then       string `json:"then,omitempty"`
	LooseNames bool   `json:"looseNames,omitempty"`
}

type chartEvents struct {
	Group    string   `json:"group"`
	Resource string   `json:"resource"`
	Verbs    []string `json:"verbs"`
}

func toChart(t apitype.Type) chartType {
	names := []string{t.Singular}
	if k := strings.ToLower(t.Kind); k != t.Singular {
		names = append(names, k)
	}
	names = append(names, t.ShortNames...)
	return chartType{Group: t.Group, Version: t.Version, Resource: t.Resource, Names: names, Namespaced: t.Namespaced}
}

func renderChartTable(t *testing.T) []byte {
	t.Helper()
	selects := map[Selection]string{ByName: "name", ByServiceName: "serviceName", BySelector: "selector"}
	thens := map[Then]string{ThenServed: "served", ThenEndpoints: "endpoints", ThenDiscovery: "discovery"}
	var table struct {
		Kinds []chartKind `json:"kinds"`
		Types []chartType `json:"types"`
		// Schemes are those of the network targets, which read nothing
		// from the API.
		Schemes []string `json:"schemes"`
		// Events is where kwait records Events on its pod, and the verbs
		// it needs there.
		Events chartEvents `json:"events"`
	}
	table.Events = chartEvents{Group: events.Resource.Group, Resource: events.Resource.Resource, Verbs: events.Verbs()}
	for _, k := range All() {
		table.Kinds = append(table.Kinds, chartKind{Name: k.Name, Type: toChart(k.Type), Watch: toChart(k.Watch),
			Select: selects[k.Select], Then: thens[k.Then], LooseNames: k.LooseNames})
	}
	for _, ty := range apitype.Builtins() {
		table.Types = append(table.Types, toChart(ty))
	}
	for _, k := range network.Kinds() {
		table.Schemes = append(table.Schemes, k.Schemes...)
	}
	body, err := yaml.Marshal(table)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString(`{{/*
GENERATED from the Go tables of packages kind, apitype, network and events by
go test ./pkg/kind -run TestChartTable -update; do not edit.

kwait.table: the kinds kwait waits for with rules of their own (the API
type each names, the type it watches and how it selects objects), the
built-in API types kwait knows without discovery, in discovery order,
the URL schemes of network targets, and the resource and verbs of the
Events kwait records on its pod.

  {{- $table := include "kwait.table" . | fromYaml -}}
*/}}
{{- define "kwait.table" -}}
`)
	b.Write(body)
	b.WriteString("{{- end -}}\n")
	b.WriteString(`
{{/*
kwait.pattern: a regular expression kwait's Go code reads names with, by
name: dnsLabel (a namespace, a name the chart makes), typeName (a TYPE of a
target: parts of letters, digits and '-', joined by dots), version (an API
version in a TYPE: v1, v2beta1).

  {{- if not (regexMatch (include "kwait.pattern" "dnsLabel") $namespace) -}}
*/}}
{{- define "kwait.pattern" -}}
{{- get (dict
`)
	for i, name := range slices.Sorted(maps.Keys(chartPatterns())) {
		end := ""
		if i == len(chartPatterns())-1 {
			end = ") . -}}"
		}
		fmt.Fprintf(&b, "      %q %s%s\n", name, strconv.Quote(chartPatterns()[name]), end)
	}
	b.WriteString("{{- end -}}\n")
	return b.Bytes()
}

// chartPatterns are the regular expressions the chart shares with kwait,
// by name (kwait.pattern).
func chartPatterns() map[string]string {
	return map[string]string{
		// A DNS label of at most 63 characters, as validation.IsDNS1123Label
		// takes it (TestChartPatterns checks they agree).
		"dnsLabel": fmt.Sprintf("^[a-z0-9]([-a-z0-9]{0,%d}[a-z0-9])?$", validation.DNS1123LabelMaxLength-2),
		"typeName": "^" + apitype.NamePartPattern + "(\\." + apitype.NamePartPattern + ")*$",
		"version":  apitype.VersionPattern,
	}
}

// TestChartPatterns: the chart's DNS label pattern, written with a length
// bound Go's regexp can check, takes what validation.IsDNS1123Label takes.
func TestChartPatterns(t *testing.T) {
	label := regexp.MustCompile(chartPatterns()["dnsLabel"])
	for _, s := range []string{"a", "a-b", "0", "db", "a-", "-a", "A", "a.b", "a_b", "", strings.Repeat("a", 63), strings.Repeat("a", 64), "a" + strings.Repeat("-", 61) + "a", "kube-system"} {
		if got, want := label.MatchString(s), len(validation.IsDNS1123Label(s)) == 0; got != want {
			t.Errorf("dnsLabel matches %q: %t, validation.IsDNS1123Label: %t", s, got, want)
		}
	}
}
