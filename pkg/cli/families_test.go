package cli

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	"sigs.k8s.io/yaml"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/spec"
)

// chartTemplates is the library chart, whose generated table file and
// grammar must know every family member.
const chartTemplates = "../../charts/kwait/templates"

// TestFamiliesComplete fails when a member of any family lacks a piece the
// command line or the chart needs: its row's help, its command (with its
// action, help and flags), a grammar that takes its example, a builder, or
// its entry in the library chart. A new protocol is a row of
// network.Kinds; this test says what else the row needs.
func TestFamiliesComplete(t *testing.T) {
	t.Parallel()
	app := newApp(Streams{Out: io.Discard, Err: io.Discard}, Build{Version: "test"}, &invocation{})
	chart := chartTable(t)
	prefixes := completionOf(app).prefixes
	seen := map[string]bool{}
	for _, m := range members() {
		t.Run(m.name, func(t *testing.T) {
			if seen[m.name] {
				t.Fatalf("two rows named %q", m.name)
			}
			seen[m.name] = true
			if m.args == "" || m.usage == "" || m.specs == nil || m.build == nil {
				t.Fatalf("row %+v lacks its args, usage, specs or build", m)
			}
			if !strings.HasPrefix(m.example, "kwait "+m.name+" ") {
				t.Errorf("example %q does not run kwait %s", m.example, m.name)
			}
			cmd := app.Command(m.name)
			switch {
			case cmd == nil:
				t.Fatalf("no command %q", m.name)
			case cmd.Action == nil:
				t.Errorf("command %q has no action", m.name)
			case cmd.Usage != m.usage || cmd.ArgsUsage != m.args || !strings.Contains(cmd.Description, m.example):
				t.Errorf("command %q's help is not its row's", m.name)
			}
			checkShownFlags(t, m, cmd)
			sp := exampleSpec(t, m)
			if got, ok := memberOf(sp.Kind); !ok || got.name != m.name {
				t.Errorf("the example's spec %v is of kind %q, not of this row", sp, sp.Kind)
			}
			if sp.Family() == spec.Unknown {
				t.Errorf("the example's spec %v has no family", sp)
			}
			checkApplied(t, m, sp)
			if nk, ok := network.KindOf(m.name); ok {
				checkNetwork(t, nk, sp, chart, prefixes)
			} else if !slices.Contains(chart.names, m.name) {
				t.Errorf("the library chart does not know %q (%s)", m.name, chartTemplates)
			}
		})
	}
	for _, c := range app.Commands {
		if _, ok := memberOf(c.Name); !ok && c.Name != "version" && c.Name != "completion" {
			t.Errorf("command %q is no family's member", c.Name)
		}
	}
}

// exampleSpec parses the first argument of a row's example the way its
// command does; a manifest verb's example names a manifest.
func exampleSpec(t *testing.T, m member) spec.Spec {
	t.Helper()
	words := strings.Fields(m.example)[2:]
	var arg string
	for i := 0; i < len(words); i++ {
		switch {
		case words[i] == "-f" || words[i] == "-l":
			arg = words[i+1]
		case strings.HasPrefix(words[i], "-"):
			i++ // a flag's value
		case arg == "":
			arg = words[i]
		}
		if arg != "" {
			break
		}
	}
	if arg == "" {
		t.Fatalf("example %q names nothing", m.example)
	}
	switch {
	case m.files != "" && m.name != spec.Admission:
		return spec.Spec{Kind: m.name, Name: arg}
	case strings.Contains(m.args, "-l SELECTOR"):
		return spec.Spec{Kind: m.name, Selector: arg}
	}
	sp, err := spec.ParseKind(m.name, arg)
	if err != nil {
		t.Fatalf("example %q: %v", m.example, err)
	}
	return sp
}

// checkShownFlags: a command's help shows the common flags and exactly the
// flags of its row's groups.
func checkShownFlags(t *testing.T, m member, cmd *cli.Command) {
	t.Helper()
	shown := map[string]bool{}
	for _, f := range cmd.VisibleFlags() {
		shown[f.Names()[0]] = true
	}
	for _, g := range flagGroups() {
		for _, f := range g.flags() {
			if name := f.Names()[0]; shown[name] != (m.applies&g.group != 0) {
				t.Errorf("--%s shown in its help: %v, but its row's groups say %v", name, shown[name], !shown[name])
			}
		}
	}
	if shown[flagFilename] != (m.files != "") {
		t.Errorf("-f shown in its help: %v, but its row says %v", shown[flagFilename], m.files != "")
	}
}

// checkApplied: with a target of the row alone, a flag on the command line
// is refused exactly when its group does not apply, so a flag is neither
// refused on a member that uses it (--attempt-timeout on a protocol) nor
// silently accepted on one that does not (--for on a protocol).
func checkApplied(t *testing.T, m member, sp spec.Spec) {
	t.Helper()
	for _, g := range flagGroups() {
		name := g.flags()[0].Names()[0]
		if g.group == groupSelector {
			name = flagMin // -l is the pods command's own
		}
		err := checkApplies(map[string]bool{name: true}, []spec.Spec{sp})
		want := m.applies&g.group != 0
		if nk, ok := network.KindOf(m.name); ok && g.group == groupTLS && !nk.UsesTLS(sp.Name) {
			want = false // a database URL speaks TLS only where it asks for it
		}
		if (err == nil) != want {
			t.Errorf("--%s with %v: error %v, want it applied: %v", name, sp, err, want)
		}
	}
}

// checkNetwork: a network row is complete, builds its example without
// asking for a cluster, and the chart and completion know its schemes.
func checkNetwork(t *testing.T, nk network.Kind, sp spec.Spec, chart chartFacts, prefixes []string) {
	t.Helper()
	if !nk.Complete() {
		t.Errorf("network kind %+v lacks a piece", nk)
	}
	if sp.Family() != spec.Network {
		t.Errorf("%v: family %v, want Network", sp, sp.Family())
	}
	b := &builder{o: options{network: network.Options{Poll: network.DefaultPoll()}}}
	if _, err := b.target(t.Context(), sp); err != nil {
		t.Errorf("building %v: %v", sp, err)
	}
	if b.kube != nil {
		t.Errorf("building %v connected to a cluster", sp)
	}
	for _, s := range nk.Schemes {
		if !slices.Contains(chart.schemes, s) {
			t.Errorf("the library chart's table lacks scheme %q: go test ./pkg/kind -run TestChartTable -update", s)
		}
		if !slices.Contains(prefixes, s+"://") {
			t.Errorf("completion lacks %s://", s)
		}
	}
}

// chartFacts are what the library chart knows of the families: the
// generated table's kinds and schemes, and the names its templates quote
// (the manifest verbs).
type chartFacts struct {
	names   []string
	schemes []string
}

func chartTable(t *testing.T) chartFacts {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(chartTemplates, "_kinds.tpl"))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(data), `{{- define "kwait.table" -}}`)
	body, _, _ = strings.Cut(body, "{{- end -}}")
	var table struct {
		Kinds []struct {
			Name string `json:"name"`
		} `json:"kinds"`
		Schemes []string `json:"schemes"`
	}
	if err := yaml.Unmarshal([]byte(body), &table); err != nil {
		t.Fatal(err)
	}
	facts := chartFacts{schemes: table.Schemes}
	for _, k := range table.Kinds {
		facts.names = append(facts.names, k.Name)
	}
	// Any resource and the manifest verbs are forms of the chart's
	// grammar and settings, not rows of its table.
	files, err := filepath.Glob(filepath.Join(chartTemplates, "_*.tpl"))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
	}
	for _, name := range []string{spec.Resource, spec.Admission, spec.Apply, spec.Delete} {
		if strings.Contains(all.String(), `"`+name+`"`) {
			facts.names = append(facts.names, name)
		}
	}
	return facts
}

// TestKindsAreMembers: every kind of package kind and of package network
// is a row of the command line's families, once.
func TestKindsAreMembers(t *testing.T) {
	t.Parallel()
	var want []string
	for _, k := range kind.All() {
		want = append(want, k.Name)
	}
	for _, k := range network.Kinds() {
		want = append(want, k.Name)
	}
	for _, name := range want {
		n := 0
		for _, m := range members() {
			if m.name == name {
				n++
			}
		}
		if n != 1 {
			t.Errorf("kind %q is %d rows of the families, want 1", name, n)
		}
	}
}
