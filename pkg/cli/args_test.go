package cli

import (
	"io"
	"slices"
	"testing"
)

// TestReorderCommand: what follows the first "--" is the command to run
// once ready, whatever it holds; the targets and flags before it are read
// as usual.
func TestReorderCommand(t *testing.T) {
	t.Parallel()
	app := newApp(Streams{Out: io.Discard, Err: io.Discard}, Build{Version: "test"}, &invocation{})
	tests := []struct {
		name    string
		in      []string
		want    []string
		command []string
	}{
		{"no --", []string{"kwait", "tcp://a:1"}, []string{"kwait", "--", "tcp://a:1"}, nil},
		{"command after --",
			[]string{"kwait", "dns", "--timeout", "5s", "db", "--", "app", "--quiet", "-x"},
			[]string{"kwait", "dns", "--timeout", "5s", "--", "db"}, []string{"app", "--quiet", "-x"}},
		{"names before the command",
			[]string{"kwait", "tcp", "a:1", "--", "b:2"},
			[]string{"kwait", "tcp", "--", "a:1"}, []string{"b:2"}},
		{"second -- belongs to the command",
			[]string{"kwait", "tcp://a:1", "--", "sh", "--", "x"},
			[]string{"kwait", "--", "tcp://a:1"}, []string{"sh", "--", "x"}},
		{"-- with nothing after it",
			[]string{"kwait", "tcp://a:1", "--"},
			[]string{"kwait", "--", "tcp://a:1"}, []string{}},
		{"help after -- belongs to the command",
			[]string{"kwait", "dns", "db", "--", "app", "--help"},
			[]string{"kwait", "dns", "--", "db"}, []string{"app", "--help"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scan := reorder(slices.Clone(tt.in), app)
			if !slices.Equal(scan.args, tt.want) {
				t.Errorf("reorder(%q) = %q, want %q", tt.in, scan.args, tt.want)
			}
			if !slices.Equal(scan.command, tt.command) || (scan.command == nil) != (tt.command == nil) {
				t.Errorf("reorder(%q) command = %#v, want %#v", tt.in, scan.command, tt.command)
			}
		})
	}
}

func TestReorder(t *testing.T) {
	t.Parallel()
	app := newApp(Streams{Out: io.Discard, Err: io.Discard}, Build{Version: "test"}, &invocation{})
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"nothing", []string{"kwait"}, []string{"kwait"}},
		{"one target", []string{"kwait", "tcp://db:5432"}, []string{"kwait", "--", "tcp://db:5432"}},
		{"command only", []string{"kwait", "version"}, []string{"kwait", "version"}},
		{"flags after names",
			[]string{"kwait", "tcp", "db:5432", "--timeout", "5s"},
			[]string{"kwait", "tcp", "--timeout", "5s", "--", "db:5432"}},
		{"flags before names",
			[]string{"kwait", "tcp", "--timeout", "5s", "db:5432"},
			[]string{"kwait", "tcp", "--timeout", "5s", "--", "db:5432"}},
		{"flags before the command",
			[]string{"kwait", "--timeout", "5s", "tcp", "db:5432"},
			[]string{"kwait", "tcp", "--timeout", "5s", "--", "db:5432"}},
		{"flag=value",
			[]string{"kwait", "tcp://a:1", "--timeout=5s", "tcp://b:2"},
			[]string{"kwait", "--timeout=5s", "--", "tcp://a:1", "tcp://b:2"}},
		{"bool flags take no value",
			[]string{"kwait", "http", "--insecure", "https://web", "-q", "https://api"},
			[]string{"kwait", "http", "--insecure", "-q", "--", "https://web", "https://api"}},
		{"bool flag=value",
			[]string{"kwait", "--quiet=false", "dns://db"},
			[]string{"kwait", "--quiet=false", "--", "dns://db"}},
		{"short namespace",
			[]string{"kwait", "deployment", "api", "-n", "prod", "web"},
			[]string{"kwait", "deployment", "-n", "prod", "--", "api", "web"}},
		{"command alias",
			[]string{"kwait", "-n", "prod", "deploy", "api"},
			[]string{"kwait", "deploy", "-n", "prod", "--", "api"}},
		{"mixed form",
			[]string{"kwait", "-n", "prod", "deployment/api", "--kubeconfig", "kc", "pods/app=web", "--min", "2"},
			[]string{"kwait", "-n", "prod", "--kubeconfig", "kc", "--min", "2", "--", "deployment/api", "pods/app=web"}},
		{"repeated flag",
			[]string{"kwait", "resource", "widgets/w", "--for", "create", "--for", "condition=Ready"},
			[]string{"kwait", "resource", "--for", "create", "--for", "condition=Ready", "--", "widgets/w"}},
		{"values starting with a dash",
			[]string{"kwait", "http", "http://web", "--body-contains", "-ok-", "-H", "X-Retry: -1", "--timeout", "-1s"},
			[]string{"kwait", "http", "--body-contains", "-ok-", "-H", "X-Retry: -1", "--timeout", "-1s", "--", "http://web"}},
		{"selector starting with a dash",
			[]string{"kwait", "pods", "-l", "-x", "--min", "2"},
			[]string{"kwait", "pods", "-l", "-x", "--min", "2"}},
		{"empty value",
			[]string{"kwait", "tcp", "db:1", "--termination-log", ""},
			[]string{"kwait", "tcp", "--termination-log", "", "--", "db:1"}},
		{"value that is a command name",
			[]string{"kwait", "--context", "tcp", "deployment/api"},
			[]string{"kwait", "--context", "tcp", "--", "deployment/api"}},
		{"valued flag last, without its value",
			[]string{"kwait", "tcp", "db:1", "--timeout"},
			[]string{"kwait", "tcp", "--timeout"}},
		{"string flag last, without its value",
			[]string{"kwait", "-q", "tcp://db:1", "--termination-log"},
			[]string{"kwait", "-q", "--termination-log"}},
		{"unknown flag is passed on",
			[]string{"kwait", "--bogus", "tcp://db:1"},
			[]string{"kwait", "--bogus", "--", "tcp://db:1"}},
		{"lone dash is a name",
			[]string{"kwait", "-"},
			[]string{"kwait", "--", "-"}},
		{"command not first is a name",
			[]string{"kwait", "api", "deployment"},
			[]string{"kwait", "--", "api", "deployment"}},
		{"help flag",
			[]string{"kwait", "crd", "--help"},
			[]string{"kwait", "crd", "--help"}},
		{"help flag drops names and other flags",
			[]string{"kwait", "tcp", "db:1", "-h", "--timeout", "5s"},
			[]string{"kwait", "tcp", "--help"}},
		{"help flag in the root form",
			[]string{"kwait", "tcp://db:1", "--help"},
			[]string{"kwait", "--help"}},
		{"help as a value is not the help flag",
			[]string{"kwait", "http", "http://web", "--body-contains", "-h"},
			[]string{"kwait", "http", "--body-contains", "-h", "--", "http://web"}},
		{"help command",
			[]string{"kwait", "help"},
			[]string{"kwait", "--help"}},
		{"help command with a command",
			[]string{"kwait", "help", "deploy"},
			[]string{"kwait", "deploy", "--help"}},
		{"help not first is a name",
			[]string{"kwait", "dns", "help"},
			[]string{"kwait", "dns", "--", "help"}},
		{"selector glued to -l",
			[]string{"kwait", "pods", "-lapp=x"},
			[]string{"kwait", "pods", "-l", "app=x"}},
		{"selector after -l=",
			[]string{"kwait", "pods", "-l=app=x"},
			[]string{"kwait", "pods", "-l=app=x"}},
		{"namespace glued to -n",
			[]string{"kwait", "deploy", "api", "-nprod"},
			[]string{"kwait", "deploy", "-n", "prod", "--", "api"}},
		{"header glued to -H",
			[]string{"kwait", "http", "http://web", "-HX-A: 1"},
			[]string{"kwait", "http", "-H", "X-A: 1", "--", "http://web"}},
		{"a flag of its own is not split",
			[]string{"kwait", "-namespace", "prod", "deployment/api"},
			[]string{"kwait", "-namespace", "prod", "--", "deployment/api"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := slices.Clone(tt.in)
			got := reorder(in, app).args
			if !slices.Equal(got, tt.want) {
				t.Errorf("reorder(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Errorf("reorder changed its input to %q", in)
			}
		})
	}
}

// TestReorderRecords: the flags on the command line and the last value of
// each are noted, under the flag's first name.
func TestReorderRecords(t *testing.T) {
	t.Parallel()
	app := newApp(Streams{Out: io.Discard, Err: io.Discard}, Build{Version: "test"}, &invocation{})
	s := reorder([]string{"kwait", "-q", "--termination-log", "/a", "tcp://db:1", "--termination-log=/b", "-nprod"}, app)
	for _, name := range []string{"quiet", "q", "termination-log", "namespace", "n"} {
		if !s.given[name] {
			t.Errorf("given[%q] = false, want true", name)
		}
	}
	if got := s.values["termination-log"]; got != "/b" {
		t.Errorf("termination-log = %q, want the last value /b", got)
	}
	if got := s.values["namespace"]; got != "prod" {
		t.Errorf("namespace = %q, want prod", got)
	}
}
