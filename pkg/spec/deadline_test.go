package spec_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kwait-dev/kwait/pkg/spec"
)

// TestOwnDeadline: "#timeout=DURATION" at the end of any target is its own
// deadline, in the mixed form and for subcommands, and String keeps it.
func TestOwnDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, arg string // kind empty: the mixed form
		want      spec.Spec
	}{
		{"", "tcp://db:5432#timeout=30s", spec.Spec{Kind: "tcp", Name: "db:5432", Timeout: 30 * time.Second}},
		{"", "crd/tenants.minio.min.io#timeout=2m", spec.Spec{Kind: kCRD, Name: "tenants.minio.min.io", Timeout: 2 * time.Minute}},
		{"", "deployment/prod/web:condition=Available#TIMEOUT=1m30s",
			spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "web", For: []string{"condition=Available"}, Timeout: 90 * time.Second}},
		{"", "http://web/healthz#frag#timeout=5s", spec.Spec{Kind: "http", Name: "http://web/healthz#frag", Timeout: 5 * time.Second}},
		{"", "http://web/#/dashboard", spec.Spec{Kind: "http", Name: "http://web/#/dashboard"}},
		{"tcp", "db:5432#timeout=10s", spec.Spec{Kind: "tcp", Name: "db:5432", Timeout: 10 * time.Second}},
		{kDeployment, "prod/web#timeout=1h", spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "web", Timeout: time.Hour}},
	}
	for _, tt := range tests {
		var got spec.Spec
		var err error
		if tt.kind == "" {
			got, err = spec.Parse(tt.arg)
		} else {
			got, err = spec.ParseKind(tt.kind, tt.arg)
		}
		if err != nil {
			t.Errorf("%s %q: %v", tt.kind, tt.arg, err)
			continue
		}
		if got.String() != tt.want.String() || got.Timeout != tt.want.Timeout || got.Name != tt.want.Name {
			t.Errorf("%s %q = %#v, want %#v", tt.kind, tt.arg, got, tt.want)
		}
	}
}

// TestOwnDeadlineRefused: a deadline that is not a positive duration, or a
// misspelled key, is an error naming the argument.
func TestOwnDeadlineRefused(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{
		"tcp://db:5432#timeout=", "tcp://db:5432#timeout=0s", "tcp://db:5432#timeout=-1s",
		"tcp://db:5432#timeout=soon", "crd/a.b#timout=5s", "tcp://db:5432#5s",
	} {
		_, err := spec.Parse(arg)
		if err == nil {
			t.Errorf("Parse(%q) accepted it", arg)
			continue
		}
		if !strings.Contains(err.Error(), "invalid target") {
			t.Errorf("Parse(%q) = %v, want an invalid target error", arg, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90", 90 * time.Second, true},
		{"0", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"+2", 2 * time.Second, true},
		{"-5", -5 * time.Second, true},
		{"90s", 90 * time.Second, true},
		{"1h30m", 90 * time.Minute, true},
		{"250ms", 250 * time.Millisecond, true},
		{"", 0, false},
		{".5", 0, false},
		{"1e3", 0, false},
		{"Inf", 0, false},
		{"NaN", 0, false},
		{"90 s", 0, false},
		{"99999999999999999999", 0, false},
		{"abc", 0, false},
	} {
		got, err := spec.ParseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("spec.ParseDuration(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
