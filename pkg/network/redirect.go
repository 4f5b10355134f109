package network

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects is how many redirects one attempt follows, as many as Go's
// client follows by default.
const maxRedirects = 10

// checkRedirect is the redirect policy of an HTTP target, for
// http.Client.CheckRedirect. The headers given with --header are meant for
// the URL given, and go nowhere else.
//
// Decision rules, for each redirect:
//   - after maxRedirects redirects the attempt stops with an error, which
//     becomes its reason;
//   - a redirect within the origin of the URL given (same scheme, host and
//     port) keeps the request's headers;
//   - a redirect to any other origin, https to http on the same host
//     included, drops every header given with --header and every
//     credential header. Go's own rule drops only credentials, and only
//     when the host changes, so an X-Api-Key went to any host a target
//     redirected to, and Authorization over plain http;
//   - no Referer is sent, which would tell the next server the first URL's
//     path and query.
func (h *HTTP) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	req.Header.Del("Referer")
	if len(via) == 0 || sameOrigin(via[0].URL, req.URL) {
		return nil
	}
	for name := range h.header {
		req.Header.Del(name)
	}
	// Credentials, whether given with --header or not: Authorization may
	// also come from the URL's userinfo.
	for _, name := range []string{"Authorization", "Proxy-Authorization", "Cookie", "Cookie2"} {
		req.Header.Del(name)
	}
	return nil
}

// sameOrigin reports whether a and b have the same scheme, host and port,
// a missing port standing for the scheme's default.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}
