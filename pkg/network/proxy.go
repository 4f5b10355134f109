package network

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// proxyError is a proxy's refusal of CONNECT, as opposed to an answer of
// the target: its reason names the proxy ("proxy: HTTP 407").
type proxyError struct {
	status int
}

func (e *proxyError) Error() string { return fmt.Sprintf("proxy: HTTP %d", e.status) }

// proxyFromEnv is the proxy selection Go's http.ProxyFromEnvironment makes
// (HTTP_PROXY for http URLs, HTTPS_PROXY for https, NO_PROXY, each also in
// lower case; never for loopback addresses), read through getenv when the
// target is built, with one difference: a proxy URL that Go would ignore
// or reinterpret is an error. The variable the target's scheme uses must
// be empty or scheme://host[:port] with scheme http, https, socks5 or
// socks5h; as in Go, "host:port" means http://host:port. Errors name the
// variable, never its value, which may hold a password.
func proxyFromEnv(getenv func(string) string, targetScheme string) (func(*http.Request) (*url.URL, error), error) {
	cfg := httpproxy.Config{
		HTTPProxy:  firstEnv(getenv, "HTTP_PROXY", "http_proxy"),
		HTTPSProxy: firstEnv(getenv, "HTTPS_PROXY", "https_proxy"),
		NoProxy:    firstEnv(getenv, "NO_PROXY", "no_proxy"),
		// As in Go: under CGI, HTTP_PROXY may be set by a client's
		// "Proxy:" request header, so it is not used.
		CGI: getenv("REQUEST_METHOD") != "",
	}
	variable, value := "HTTP_PROXY", cfg.HTTPProxy
	if strings.EqualFold(targetScheme, "https") {
		variable, value = "HTTPS_PROXY", cfg.HTTPSProxy
	}
	if value != "" && !(variable == "HTTP_PROXY" && cfg.CGI) {
		if err := checkProxyURL(value); err != nil {
			return nil, fmt.Errorf("invalid %s: %w", variable, err)
		}
	}
	choose := cfg.ProxyFunc()
	return func(req *http.Request) (*url.URL, error) { return choose(req.URL) }, nil
}

func firstEnv(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// checkProxyURL accepts what Go's proxy parsing makes sense of: a URL with
// a scheme and a host, or host[:port] alone, which Go prefixes with
// http://. Anything it would only guess at is refused: an unknown scheme, a
// path ("http//proxy:3128" is host "http" with path "//proxy:3128" to Go),
// a query, a bad port, a URL that does not parse (Go then tries it again
// behind "http://" and may well succeed, with a host of "http:").
func checkProxyURL(raw string) error {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "socks5", "socks5h":
	default:
		return fmt.Errorf("unsupported proxy scheme %q, want http, https, socks5 or socks5h", u.Scheme)
	}
	switch {
	case u.Hostname() == "":
		return errors.New("missing host")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return errors.New("want scheme://host[:port], without a path or query")
	}
	if p := u.Port(); p != "" {
		if err := checkPort(p); err != nil {
			return err
		}
	}
	return nil
}

// onProxyConnect turns a refused CONNECT into a proxyError, where Go's
// error would be the bare status text ("Forbidden"), read as the target's.
func onProxyConnect(_ context.Context, _ *url.URL, _ *http.Request, resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		return &proxyError{status: resp.StatusCode}
	}
	return nil
}
