package network

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/kwait-dev/kwait/pkg/target"
)

// maxBody is how much of a response body is read: enough for any health
// endpoint, bounded against one that streams.
const maxBody = 1 << 20

// HTTPOptions describe an HTTP target.
type HTTPOptions struct {
	// URL is an absolute http or https URL. Userinfo is sent as basic
	// auth; its password never appears in the target's name or errors.
	URL string
	// Statuses are the codes that count as ready; empty means 200-399.
	Statuses StatusSet
	// Headers are sent with every request. A Host header sets the request's
	// host. Values never appear in reasons or errors.
	Headers http.Header
	// BodyContains, when set, must occur in the first 1 MiB of the body.
	BodyContains string
	// BodyRegexp, when set, must match the first 1 MiB of the body.
	BodyRegexp string
	// TLS says how https servers are verified and which client
	// certificate is sent, as for every TLS target.
	TLS TLSOptions
	// Method defaults to GET; it is upper-cased.
	Method string
}

// HTTP is ready once a request gets a response whose status is in the set
// and whose body, if checks were given, contains and matches what they ask.
//
// Everything else is "not yet": another status ("HTTP 503"), a body that
// does not match, a refused connection, a timeout, and TLS errors too (a
// certificate may be issued or fixed while kwait waits; the reason says
// which). Each attempt opens a fresh connection, so a server that stopped
// listening is noticed. Up to 10 redirects are followed, and headers go to
// the URL's own origin only (see checkRedirect). Proxies are taken from
// HTTP_PROXY, HTTPS_PROXY and NO_PROXY (see proxyFromEnv); trouble with the
// proxy is named as such ("proxy: connection refused").
type HTTP struct {
	name     string
	url      string
	method   string
	header   http.Header
	host     string
	statuses StatusSet
	contains string
	re       *regexp.Regexp
	client   *http.Client
	poll     Poll
}

// NewHTTP checks o and returns an HTTP target. Its proxy comes from the
// environment, read now (see proxyFromEnv).
func NewHTTP(o HTTPOptions, p Poll) (*HTTP, error) {
	return newHTTP(o, p, os.Getenv)
}

func newHTTP(o HTTPOptions, p Poll, getenv func(string) string) (*HTTP, error) {
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	u, err := parseURL(o.URL)
	if err != nil {
		return nil, err
	}
	h := &HTTP{
		name:     Redact(o.URL), // a user alone may be a token too
		url:      o.URL,
		method:   strings.ToUpper(o.Method),
		header:   http.Header{},
		statuses: o.Statuses,
		contains: o.BodyContains,
		poll:     p,
	}
	if h.method == "" {
		h.method = http.MethodGet
	}
	if !isToken(h.method) {
		return nil, fmt.Errorf("invalid HTTP method %q", o.Method)
	}
	if len(h.statuses.ranges) == 0 {
		h.statuses = defaultStatuses()
	}
	if err := h.setHeaders(o.Headers); err != nil {
		return nil, err
	}
	if o.BodyRegexp != "" {
		if h.re, err = regexp.Compile(o.BodyRegexp); err != nil {
			// The syntax error names the bad part of the expression.
			return nil, fmt.Errorf("invalid body regexp: %w", err)
		}
	}
	if h.method == http.MethodHead && (h.contains != "" || h.re != nil) {
		return nil, errors.New("body checks need a response body, and HEAD responses have none")
	}
	// The transport names each server by its URL's host, unless the
	// options name one for all.
	tlsConfig, err := o.TLS.Config("")
	if err != nil {
		return nil, err
	}
	proxy, err := proxyFromEnv(getenv, u.Scheme)
	if err != nil {
		return nil, err
	}
	h.client = &http.Client{
		Transport: &http.Transport{
			Proxy:                  proxy,
			OnProxyConnectResponse: onProxyConnect,
			DialContext:            (&net.Dialer{}).DialContext,
			TLSClientConfig:        tlsConfig,
			DisableKeepAlives:      true,
			ForceAttemptHTTP2:      true,
		},
		CheckRedirect: h.checkRedirect,
		Timeout:       p.AttemptTimeout,
	}
	return h, nil
}

func (h *HTTP) setHeaders(in http.Header) error {
	for name, values := range in {
		for _, v := range values {
			if err := checkHeader(name, v); err != nil {
				return err
			}
		}
		if http.CanonicalHeaderKey(name) == "Host" {
			// Go sends Request.Host and ignores a Host header.
			if len(values) > 0 {
				h.host = values[len(values)-1]
			}
			continue
		}
		h.header[name] = append([]string(nil), values...)
	}
	return nil
}

// Name is the URL as given, less any password.
func (h *HTTP) Name() string { return h.name }

// Wait polls until a response is ready or ctx is done.
func (h *HTTP) Wait(ctx context.Context, report target.Report) error {
	return poll(ctx, h.poll, report, h.check)
}

func (h *HTTP) check(ctx context.Context) target.Status {
	req, err := http.NewRequestWithContext(ctx, h.method, h.url, nil)
	if err != nil {
		// NewHTTP parsed the URL and checked the method: this cannot happen.
		return target.Failed("build request: %v", err)
	}
	req.Header = h.header.Clone()
	if h.host != "" {
		req.Host = h.host
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return target.Pending("%s", reason(err, h.poll.AttemptTimeout))
	}
	defer func() {
		// Fresh connections every time, so draining is only good manners,
		// and bounded like the body read.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		_ = resp.Body.Close()
	}()

	code := resp.StatusCode
	if !h.statuses.Contains(code) {
		return target.Pending("HTTP %d", code)
	}
	if h.contains == "" && h.re == nil {
		return target.Ready()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return target.Pending("HTTP %d but reading body: %s", code, reason(err, h.poll.AttemptTimeout))
	}
	if h.contains != "" && !bytes.Contains(body, []byte(h.contains)) {
		return target.Pending("HTTP %d but body does not contain %q", code, h.contains)
	}
	if h.re != nil && !h.re.Match(body) {
		return target.Pending("HTTP %d but body does not match %q", code, h.re.String())
	}
	return target.Ready()
}

// parseURL accepts an absolute http or https URL with a host and, if
// given, a port 1-65535.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			// Its message repeats the URL, password and all.
			err = urlErr.Err
		}
		if errors.As(err, new(url.EscapeError)) && strings.Contains(raw, "@") {
			// It quotes the bad escape, which may be in the password.
			err = errors.New("invalid URL escape")
		}
		return nil, fmt.Errorf("invalid URL %q: %w", Redact(raw), err)
	}
	shown := Redact(raw)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("invalid URL %q: want an absolute http:// or https:// URL", shown)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("invalid URL %q: missing host", shown)
	}
	if err := checkHost(u.Hostname()); err != nil {
		return nil, fmt.Errorf("invalid URL %q: %w", shown, err)
	}
	if port := u.Port(); port != "" {
		if err := checkPort(port); err != nil {
			return nil, fmt.Errorf("invalid URL %q: %w", shown, err)
		}
	}
	return u, nil
}
