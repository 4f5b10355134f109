package readiness

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
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
		{`jsonpath={.status.expr}="=x"`, `jsonpath={.status.expr}="=x"`},
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
		{"jsonpath={.status.phase}= =Running", `use a single "="`},
		{"jsonpath={.a}{.b}", `unexpected "{.b}" after jsonpath expression`},
		{"jsonpath={.metadata.managedFields[0].manager}=helm", "does not keep metadata.managedFields"},
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

// TestRuleReasonsNeverShowSecretValues: a reason goes into logs and the
// pod's termination message, which anyone who can get pods may read.
func TestRuleReasonsNeverShowSecretValues(t *testing.T) {
	t.Parallel()
	const password = "c3VwZXJzM2NyZXQ=" // what a Secret's data holds
	secret := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Secret",
		"metadata":   map[string]any{"name": "db", "namespace": "shop"},
		"data":       map[string]any{"password": password, "user": "YWRtaW4="},
	}}
	for _, rule := range []string{
		"jsonpath={.data.password}=y",
		"jsonpath={.data}=y",
		`jsonpath={.data[?(@.x=="y")]}=y`,
		"jsonpath={.data.password.x}=y",
	} {
		r, err := ParseRule(rule)
		if err != nil {
			t.Fatal(err)
		}
		st := r.Evaluate(secret)
		if st.Phase != target.PhasePending {
			t.Errorf("%s: phase %s, want pending", rule, phaseName(st.Phase))
		}
		if strings.Contains(st.Reason, password) || strings.Contains(st.Reason, "YWRtaW4=") {
			t.Errorf("%s: reason %q shows a value of the Secret", rule, st.Reason)
		}
	}
}

// TestRuleReasonsAreSanitized: values from other objects are printed, but
// bounded, on one line, without control or format characters, and no
// error prints a whole object.
func TestRuleReasonsAreSanitized(t *testing.T) {
	t.Parallel()
	hostile := "Install\x1b]0;owned\x07ing\u202eevil\r\nnext line\xff"
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1",
		"kind":       "Widget",
		"metadata":   map[string]any{"name": "w"},
		"spec":       map[string]any{"token": "do-not-print", "size": 3},
		"status": map[string]any{
			"phase": hostile,
			"long":  strings.Repeat("x", 10000),
			"conditions": []any{map[string]any{
				"type": "Ready", "status": "False", "reason": "Installing", "message": hostile,
			}},
		},
	}}
	for _, tc := range []struct {
		rule       string
		mustNotSay []string
	}{
		{"jsonpath={.status.phase}=Running", []string{"\x1b", "\x07", "\u202e", "\n", "\xff"}},
		{"condition=Ready", []string{"\x1b", "\x07", "\u202e", "\n", "\r", "\xff"}},
		{"jsonpath={.status.long}=short", nil},
		{`jsonpath={.spec[?(@.x=="y")]}=y`, []string{"do-not-print", "map["}},
	} {
		r, err := ParseRule(tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		reason := r.Evaluate(obj).Reason
		for _, bad := range tc.mustNotSay {
			if strings.Contains(reason, bad) {
				t.Errorf("%s: reason %q contains %q", tc.rule, reason, bad)
			}
		}
		if !utf8.ValidString(reason) || len(reason) > 2*maxDetail+len(tc.rule) {
			t.Errorf("%s: reason of %d bytes (valid UTF-8: %t), want valid and at most about %d", tc.rule, len(reason), utf8.ValidString(reason), 2*maxDetail)
		}
	}
}

func TestDeletedIsForDelete(t *testing.T) {
	r, err := ParseRule("delete")
	if err != nil || !reflect.DeepEqual(r, Deleted()) {
		t.Errorf("ParseRule(delete) = %v, %v; want Deleted() = %v", r, err, Deleted())
	}
}
