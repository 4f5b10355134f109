package network

import (
	"strings"
	"testing"
)

func TestParseStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string // String() of the result
		in2     []int  // codes in the set
		out     []int  // codes not in the set
		wantErr string
	}{
		{in: "200", want: "200", in2: []int{200}, out: []int{199, 201}},
		{in: "200-299", want: "2xx", in2: []int{200, 250, 299}, out: []int{199, 300}},
		{in: "2xx,3XX", want: "2xx,3xx", in2: []int{200, 399}, out: []int{199, 400}},
		{in: " 200 , 204-206,5xx", want: "200,204-206,5xx", in2: []int{200, 205, 500, 599}, out: []int{201, 207, 404}},
		{in: "100-599", want: "100-599", in2: []int{100, 599}, out: []int{99, 600}},
		{in: "404-404", want: "404", in2: []int{404}},
		{in: "", wantErr: `invalid status list "": empty item`},
		{in: "200,", wantErr: `invalid status list "200,": empty item`},
		{in: "ok", wantErr: `invalid status "ok": want a code (200), a range (200-299) or a class (2xx)`},
		{in: "2000", wantErr: `invalid status "2000": want a code (200), a range (200-299) or a class (2xx)`},
		{in: "+20", wantErr: `invalid status "+20": want a code (200), a range (200-299) or a class (2xx)`},
		{in: "600", wantErr: `invalid status "600": code 600 is not in 100-599`},
		{in: "099", wantErr: `invalid status "099": code 99 is not in 100-599`},
		{in: "6xx", wantErr: `invalid status class "6xx": want 1xx to 5xx`},
		{in: "200-199", wantErr: `invalid status range "200-199": 200 is after 199`},
		{in: "200-", wantErr: `invalid status range "200-": "" is not a three-digit code`},
		{in: "200-2xx", wantErr: `invalid status range "200-2xx": "2xx" is not a three-digit code`},
		{in: "200-700", wantErr: `invalid status range "200-700": code 700 is not in 100-599`},
		{in: "200,20\n1", wantErr: `invalid status "20\n1": want a code (200), a range (200-299) or a class (2xx)`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseStatuses(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseStatuses(%q) = %v, want error %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseStatuses(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("String() = %q, want %q", got.String(), tt.want)
			}
			for _, c := range tt.in2 {
				if !got.Contains(c) {
					t.Errorf("%q does not contain %d", tt.in, c)
				}
			}
			for _, c := range tt.out {
				if got.Contains(c) {
					t.Errorf("%q contains %d", tt.in, c)
				}
			}
		})
	}
}

func TestStatusSetZero(t *testing.T) {
	t.Parallel()
	var s StatusSet
	if s.Contains(200) || s.String() != "" {
		t.Errorf("zero StatusSet contains 200 or prints %q", s.String())
	}
	if got := defaultStatuses().String(); got != "200-399" {
		t.Errorf("default statuses %q, want 200-399", got)
	}
}

func FuzzParseStatuses(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseStatuses(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		// What String writes, ParseStatuses reads back to the same set.
		again, err := ParseStatuses(set.String())
		if err != nil {
			t.Fatalf("String() of %q = %q, which does not parse: %v", s, set.String(), err)
		}
		for code := 0; code < 700; code++ {
			if set.Contains(code) != again.Contains(code) {
				t.Fatalf("%q and its String() %q differ on %d", s, set.String(), code)
			}
			if set.Contains(code) && (code < 100 || code > 599) {
				t.Fatalf("%q contains %d", s, code)
			}
		}
	})
}
