package readiness

import (
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
	}{
		{"create", "create"},
		{"delete", "delete"},
		{"DELETE", "delete"},
		{" create ", "create"},
		{"condition=Ready", "condition=Ready=True"},
		{"condition=Ready=True", "condition=Ready=True"},
		{"condition=Ready=false", "condition=Ready=False"},
		{"condition=Ready=unknown", "condition=Ready=Unknown"},
		{"condition=Deployed=True", "condition=Deployed=True"},
		{"condition=Phase=Running", "condition=Phase=Running"},
		{"condition=example.com/Ready", "condition=example.com/Ready=True"},
		{"Condition=Ready", "condition=Ready=True"},
		{"jsonpath={.status.phase}=Running", "jsonpath={.status.phase}=Running"},
		{"jsonpath={status.phase}=Running", "jsonpath={.status.phase}=Running"},
		{"jsonpath=.status.phase=Running", "jsonpath={.status.phase}=Running"},
		{"jsonpath=status.phase=Running", "jsonpath={.status.phase}=Running"},
		{"jsonpath={.status.readyReplicas}=3", "jsonpath={.status.readyReplicas}=3"},
		{`jsonpath={.status.phase}="Running"`, "jsonpath={.status.phase}=Running"},
		{`jsonpath={.status.phase}='Running'`, "jsonpath={.status.phase}=Running"},
		{`jsonpath={.status.phase}=" Running "`, "jsonpath={.status.phase}=Running"},
		{`jsonpath={.status.message}="'quoted'"`, `jsonpath={.status.message}="'quoted'"`},
		{"jsonpath={.status.url}=http://x/?a=b", "jsonpath={.status.url}=http://x/?a=b"},
		{"jsonpath={.status.loadBalancer.ingress}", "jsonpath={.status.loadBalancer.ingress}"},
		{"jsonpath=.status.loadBalancer.ingress", "jsonpath={.status.loadBalancer.ingress}"},
		{`jsonpath={.status.conditions[?(@.type=="Ready")].status}=True`, `jsonpath={.status.conditions[?(@.type=="Ready")].status}=True`},
		{`jsonpath=.status.conditions[?(@.type=="Ready")].status=True`, `jsonpath={.status.conditions[?(@.type=="Ready")].status}=True`},
		{`jsonpath=.status.conditions[?(@.type!="Ready")].status`, `jsonpath={.status.conditions[?(@.type!="Ready")].status}`},
		{"jsonpath={..phase}=Running", "jsonpath={..phase}=Running"},
		{"jsonpath={.spec.containers[0].image}=nginx:1.27", "jsonpath={.spec.containers[0].image}=nginx:1.27"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRule(tc.in)
			if err != nil {
				t.Fatalf("ParseRule(%q): %v", tc.in, err)
			}
			if got := r.String(); got != tc.want {
				t.Errorf("ParseRule(%q).String() = %q, want %q", tc.in, got, tc.want)
			}
			again, err := ParseRule(r.String())
			if err != nil {
				t.Fatalf("ParseRule(%q) (canonical form): %v", r.String(), err)
			}
			if again != r {
				t.Errorf("canonical form %q parses to %#v, want %#v", r.String(), again, r)
			}
		})
	}
}

func TestParseRuleErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
	}{
		{"", `invalid --for "": empty rule`},
		{"   ", "empty rule"},
		{"ready", `invalid --for "ready": unknown rule "ready", want create, delete`},
		{"available=true", `unknown rule "available"`},
		{"create=yes", "create takes no value"},
		{"delete=now", "delete takes no value"},
		{"condition", "condition type is empty"},
		{"condition=", `invalid --for "condition=": condition type is empty`},
		{"condition==True", "condition type is empty"},
		{"condition=Ready=", "condition status is empty"},
		{"condition=Ready=True=False", `condition status "True=False" contains "="`},
		{"condition=Ready==True", `condition status "=True" contains "="`},
		{"condition=My Ready", "condition type \"My Ready\" contains white space"},
		{"condition=Ready=not true", "contains white space"},
		{"jsonpath", "jsonpath expression is empty"},
		{"jsonpath=", "jsonpath expression is empty"},
		{"jsonpath={}", "jsonpath expression is empty"},
		{"jsonpath={.}", "jsonpath expression is empty"},
		{"jsonpath==Running", "jsonpath expression is empty"},
		{"jsonpath={.status.phase", `no closing "}"`},
		{"jsonpath={.status.phase}Running", `unexpected "Running" after jsonpath expression`},
		{"jsonpath={.status.phase}=", `value after "=" is empty`},
		{`jsonpath={.status.phase}=""`, `value after "=" is empty`},
		{"jsonpath={.status.phase}==Running", `use a single "="`},
		{"jsonpath={.a}{.b}", `unexpected "{.b}" after jsonpath expression`},
		{"jsonpath={range .items[*]}{.name}{end}", `unexpected "{.name}{end}" after jsonpath expression`},
		{"jsonpath=.items{.name}", "not a single {...} expression"},
		{"jsonpath=.status.phase}", "not a single {...} expression"},
		{"jsonpath={.status.conditions[}", "jsonpath expression"},
		{"jsonpath={.status.conditions[?(@.type==]}=x", "jsonpath expression"},
		{"jsonpath={.spec.containers[x]}", `jsonpath expression "{.spec.containers[x]}": invalid array index x`},
		{"jsonpath=.spec.a,b", "unrecognized character"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRule(tc.in)
			if err == nil {
				t.Fatalf("ParseRule(%q) = %q, want an error", tc.in, r)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to contain %q", msg, tc.want)
			}
			if !strings.HasPrefix(msg, "invalid --for ") || strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error %q, want one line starting with %q", msg, "invalid --for ")
			}
		})
	}
}

func TestRuleEvaluate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rule string
		file string // empty means the object does not exist
		want verdict
	}{
		{"create", "", pending("not found")},
		{"create", "rule/ready.yaml", ready},
		{"create", "rule/deleting.yaml", ready},
		{"delete", "", ready},
		{"delete", "rule/ready.yaml", pending("still exists")},
		{"delete", "rule/deleting.yaml", pending("being deleted, finalizers: example.com/backup, example.com/cleanup")},

		{"condition=Ready", "rule/ready.yaml", ready},
		{"condition=ready=TRUE", "rule/ready.yaml", ready},
		{"condition=Deployed", "rule/ready.yaml", ready},
		{"condition=Degraded=False", "rule/ready.yaml", ready},
		{"condition=Degraded", "rule/ready.yaml", pending("Degraded=False: AsExpected")},
		{"condition=Ready=False", "rule/ready.yaml", pending("Ready=True: Available: all members are up")},
		{"condition=Ready", "rule/installing.yaml", pending(`Ready=False: Installing: waiting for deployment "orders-db" to become available`)},
		{"condition=Ready=false", "rule/installing.yaml", ready},
		{"condition=Released", "rule/release.yaml", pending("Released=Unknown: Pending")},
		{"condition=Ready", "rule/no-status.yaml", pending("condition Ready not set")},
		{"condition=Ready", "rule/stale-condition.yaml", pending("condition Ready: waiting for generation 3 to be observed (observed 2)")},
		{"condition=Ready", "rule/generation-not-observed.yaml", pending("waiting for generation 3 to be observed (observed 2)")},
		{"condition=Ready", "rule/deleting.yaml", pending("being deleted")},
		{"condition=Ready", "", pending("not found")},

		{"jsonpath={.status.phase}=Running", "rule/ready.yaml", ready},
		{"jsonpath=status.phase=Running", "rule/ready.yaml", ready},
		{"jsonpath={.status.phase}=Failed", "rule/ready.yaml", pending(`{.status.phase} is "Running", want "Failed"`)},
		{"jsonpath={.status.phase}=Running", "rule/installing.yaml", pending(`{.status.phase} is "Pending", want "Running"`)},
		{"jsonpath={.status.readyReplicas}=3", "rule/ready.yaml", ready},
		{"jsonpath={.status.readyReplicas}=2", "rule/ready.yaml", pending(`is "3", want "2"`)},
		{"jsonpath={.status.paused}=false", "rule/ready.yaml", ready},
		{"jsonpath={.status.ports}=[5432,8008]", "rule/ready.yaml", ready},
		{"jsonpath={.status.ports[1]}=8008", "rule/ready.yaml", ready},
		{"jsonpath={.status.ports[*]}=5432", "rule/ready.yaml", pending("{.status.ports[*]} matches 2 values, want exactly one")},
		{`jsonpath={.status.conditions[?(@.type=="Ready")].status}=True`, "rule/ready.yaml", ready},
		{`jsonpath={.status.conditions[?(@.status=="True")].type}=Ready`, "rule/ready.yaml", pending("matches 2 values")},
		{`jsonpath={.status.members[?(@.state=="Up")].name}=a`, "rule/release.yaml", ready},
		{"jsonpath={.status.phase}=Running", "rule/no-status.yaml", pending(`{.status.phase} not set, want "Running"`)},
		{"jsonpath={.status.phase}", "rule/ready.yaml", ready},
		{"jsonpath={.status.paused}", "rule/ready.yaml", ready},
		{"jsonpath={.status.phase}", "rule/no-status.yaml", pending("{.status.phase} not set")},
		{"jsonpath={.status.endpoint}", "rule/ready.yaml", pending("{.status.endpoint} is empty")},
		{"jsonpath={.status.tls}", "rule/ready.yaml", pending("{.status.tls} is empty")},
		{"jsonpath={.status.phase}=Running", "rule/generation-not-observed.yaml", pending("waiting for generation 3 to be observed (observed 2)")},
		{"jsonpath={.status.phase}=Running", "rule/deleting.yaml", pending("being deleted")},
		{"jsonpath={.status.phase}=Running", "", pending("not found")},
	} {
		t.Run(tc.rule+" on "+tc.file, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRule(tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			if tc.file == "" {
				check(t, r.Evaluate(nil), tc.want)
				return
			}
			check(t, r.Evaluate(loadUnstructured(t, tc.file)), tc.want)
		})
	}
}

func TestZeroRule(t *testing.T) {
	t.Parallel()
	var r Rule
	check(t, r.Evaluate(nil), pending("no rule given"))
	if s := r.String(); s != "" {
		t.Errorf("zero Rule String() = %q, want empty", s)
	}
}
