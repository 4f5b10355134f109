package events

import (
	"encoding/base64"
	"testing"
)

// token is a service account token whose payload holds claims; header and
// signature are not read.
func token(claims string) []byte {
	return []byte("eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2ln")
}

const boundClaims = `{"aud":["x"],"kubernetes.io":{"namespace":"shop","pod":{"name":"web-7d9","uid":"u-1"},` +
	`"serviceaccount":{"name":"web","uid":"s-1"}}}`

func TestPodOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		env   map[string]string
		token []byte
		want  Pod
		ok    bool
	}{
		{"token claims alone", nil, token(boundClaims), Pod{"shop", "web-7d9", "u-1"}, true},
		{"downward API alone", map[string]string{EnvPodName: "a", EnvPodNamespace: "ns", EnvPodUID: "u"}, nil, Pod{"ns", "a", "u"}, true},
		{"env name, token namespace and uid", map[string]string{EnvPodName: "web-7d9"}, token(boundClaims), Pod{"shop", "web-7d9", "u-1"}, true},
		{"env names another pod: no uid from the token", map[string]string{EnvPodName: "other"}, token(boundClaims), Pod{"shop", "other", ""}, true},
		{"env name without any namespace", map[string]string{EnvPodName: "a"}, nil, Pod{Name: "a"}, false},
		{"token not bound to a pod", nil, token(`{"kubernetes.io":{"namespace":"shop"}}`), Pod{}, false},
		{"not a JWT", nil, []byte("abc"), Pod{}, false},
		{"payload not base64", nil, []byte("a.!!!.c"), Pod{}, false},
		{"nothing", nil, nil, Pod{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := PodOf(func(k string) string { return tc.env[k] }, tc.token)
			if got != tc.want || ok != tc.ok {
				t.Errorf("PodOf = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
