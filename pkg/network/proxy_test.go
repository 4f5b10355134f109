package network

import (
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// noEnv is an empty environment: no proxy.
func noEnv(string) string { return "" }

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// A name that is never resolved: requests for it go to the proxy, which
// would resolve it. (Loopback targets never use a proxy.)
const viaProxy = "kwait-proxy-test.invalid"

func TestHTTPThroughProxy(t *testing.T) {
	t.Parallel()
	proxy := quietServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != viaProxy {
			w.WriteHeader(http.StatusBadGateway)
		}
	}), false)
	h, err := newHTTP(HTTPOptions{URL: "http://" + viaProxy + "/health"}, fastPoll(), envOf(map[string]string{"HTTP_PROXY": proxy.URL}))
	if err != nil {
		t.Fatal(err)
	}
	mustBeReady(t, h)
}

func TestHTTPProxyTroubleIsNamed(t *testing.T) {
	t.Parallel()
	refusing := "http://" + closedAddr(t)
	connectDenied := quietServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusProxyAuthRequired)
	}), false)
	for _, tc := range []struct {
		name, url string
		env       map[string]string
		want      string
	}{
		{"refused, http", "http://" + viaProxy + "/", map[string]string{"HTTP_PROXY": refusing}, "proxy: connection refused"},
		{"refused, https", "https://" + viaProxy + "/", map[string]string{"https_proxy": refusing}, "proxy: connection refused"},
		{"CONNECT denied", "https://" + viaProxy + "/", map[string]string{"HTTPS_PROXY": connectDenied.URL}, "proxy: HTTP 407"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := newHTTP(HTTPOptions{URL: tc.url}, fastPoll(), envOf(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if got := firstReason(t, h); got != tc.want {
				t.Errorf("reason %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReasonNamesProxy(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "proxyconnect", Net: "tcp", Err: refused}, "proxy: connection refused"},
		{&net.OpError{Op: "proxyconnect", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "proxy", IsNotFound: true}}, "proxy: no such host"},
		{&net.OpError{Op: "socks connect", Net: "tcp", Err: errors.New("unknown error general SOCKS server failure")}, "proxy: unknown error general SOCKS server failure"},
		{&proxyError{status: 403}, "proxy: HTTP 403"},
		{refused, "connection refused"},
	} {
		if got := reason(tc.err, time.Second); got != tc.want {
			t.Errorf("reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestMalformedProxyIsRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, variable, value string
		wantErr              string // "" when accepted
	}{
		{"http://db/", "HTTP_PROXY", "proxy:3128", ""},
		{"http://db/", "HTTP_PROXY", "http://proxy.corp:3128", ""},
		{"http://db/", "http_proxy", "http://user:pw@proxy:3128/", ""},
		{"https://db/", "HTTPS_PROXY", "socks5h://proxy:1080", ""},
		{"https://db/", "HTTP_PROXY", "http//proxy:3128", ""}, // not the variable https uses
		{"http://db/", "HTTP_PROXY", "http//proxy:3128", "invalid HTTP_PROXY: want scheme://host[:port], without a path or query"},
		{"http://db/", "http_proxy", "ftp://proxy:21", `invalid HTTP_PROXY: unsupported proxy scheme "ftp", want http, https, socks5 or socks5h`},
		{"https://db/", "HTTPS_PROXY", "http://user:s3cret@proxy:99999", `invalid HTTPS_PROXY: port "99999" is not a number 1-65535`},
		{"https://db/", "HTTPS_PROXY", "http://user:s3cret@proxy host:3128", "invalid HTTPS_PROXY: not a URL"},
		{"https://db/", "HTTPS_PROXY", "http://proxy:3128/?x=1", "invalid HTTPS_PROXY: want scheme://host[:port], without a path or query"},
	} {
		_, err := newHTTP(HTTPOptions{URL: tc.url}, Poll{}, envOf(map[string]string{tc.variable: tc.value}))
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s=%s for %s: %v, want accepted", tc.variable, tc.value, tc.url, err)
		case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
			t.Errorf("%s=%s for %s: error %v, want %q", tc.variable, tc.value, tc.url, err, tc.wantErr)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("error %q shows the proxy's password", err)
		}
	}
}
