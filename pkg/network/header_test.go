package network

import (
	"strings"
	"testing"
)

func TestParseHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		wantName  string
		wantValue string
		wantErr   string
	}{
		{in: "Authorization: Bearer s3cret", wantName: "Authorization", wantValue: "Bearer s3cret"},
		{in: "X-Token:s3cret", wantName: "X-Token", wantValue: "s3cret"},
		{in: " X-Token \t:  s3cret \t", wantName: "X-Token", wantValue: "s3cret"},
		{in: "X-Url: http://db:80/", wantName: "X-Url", wantValue: "http://db:80/"},
		{in: "X-Empty:", wantName: "X-Empty", wantValue: ""},
		{in: "Bearer s3cret", wantErr: `invalid header: want "Name: value"`},
		{in: ": s3cret", wantErr: "invalid header: empty name"},
		{in: "X Token: s3cret", wantErr: `invalid header name "X Token"`},
		{in: "X-Token: s3cr\x00et", wantErr: `invalid header "X-Token": value has a control character`},
		{in: "X-Token: s3cret\r\nX-Evil: 1", wantErr: `invalid header "X-Token": value has a control character`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			name, value, err := ParseHeader(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseHeader(%q) = %v, want error %q", tt.in, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cr") {
					t.Errorf("error %q shows the value", err)
				}
				return
			}
			if err != nil || name != tt.wantName || value != tt.wantValue {
				t.Errorf("ParseHeader(%q) = %q, %q, %v; want %q, %q", tt.in, name, value, err, tt.wantName, tt.wantValue)
			}
		})
	}
}
