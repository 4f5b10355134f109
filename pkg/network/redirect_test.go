package network

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// seen is what a server was told in one request.
type seen struct{ apiKey, auth, cookie, referer string }

func recordHeaders(got chan<- seen) http.Handler {
	return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got <- seen{r.Header.Get("X-Api-Key"), r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.Header.Get("Referer")}
	})
}

func TestHTTPRedirectKeepsHeadersWithinTheOrigin(t *testing.T) {
	t.Parallel()
	got := make(chan seen, 10)
	other := quietServer(t, recordHeaders(got), false) // another port: another origin
	mux := http.NewServeMux()
	mux.Handle("/near", http.RedirectHandler("/landing", http.StatusFound))
	mux.Handle("/away", http.RedirectHandler(other.URL+"/landing", http.StatusFound))
	mux.Handle("/landing", recordHeaders(got))
	origin := quietServer(t, mux, false)
	secure := quietServer(t, http.RedirectHandler(other.URL+"/landing", http.StatusFound), true)
	header := http.Header{"X-Api-Key": {"k3y"}, "Authorization": {"Bearer t0ken"}, "Cookie": {"session=c00kie"}}

	for _, tc := range []struct {
		name string
		o    HTTPOptions
		want seen
	}{
		{"same origin", HTTPOptions{URL: origin.URL + "/near?token=q", Headers: header},
			seen{apiKey: "k3y", auth: "Bearer t0ken", cookie: "session=c00kie"}},
		{"other port", HTTPOptions{URL: origin.URL + "/away?token=q", Headers: header}, seen{}},
		{"https to http", HTTPOptions{URL: secure.URL + "/?token=q", Headers: header, TLS: TLSOptions{Insecure: true}}, seen{}},
	} {
		mustBeReady(t, mustHTTP(t, tc.o, fastPoll()))
		if s := <-got; s != tc.want {
			t.Errorf("%s: the redirect's target was sent %+v, want %+v", tc.name, s, tc.want)
		}
	}
}

func TestHTTPRedirectLoopStops(t *testing.T) {
	t.Parallel()
	srv := quietServer(t, http.RedirectHandler("/", http.StatusFound), false)
	if got := firstReason(t, mustHTTP(t, HTTPOptions{URL: srv.URL + "/"}, fastPoll())); got != "stopped after 10 redirects" {
		t.Errorf("reason %q, want %q", got, "stopped after 10 redirects")
	}
}

func TestSameOrigin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"http://db/x", "http://db/y?z", true},
		{"http://db/", "http://DB:80/", true},
		{"https://db/", "https://db:443/", true},
		{"https://db/", "http://db/", false},
		{"https://db:8443/", "http://db:8443/", false},
		{"http://db/", "http://db:8080/", false},
		{"http://db/", "http://db.evil/", false},
		{"http://a.db/", "http://db/", false},
	} {
		a, _ := url.Parse(tc.a)
		b, _ := url.Parse(tc.b)
		if got := sameOrigin(a, b); got != tc.want {
			t.Errorf("sameOrigin(%s, %s) = %t, want %t", tc.a, tc.b, got, tc.want)
		}
	}
}

// Redirects never leak the query (a token, say) through Referer.
func TestHTTPRedirectSendsNoReferer(t *testing.T) {
	t.Parallel()
	got := make(chan seen, 1)
	mux := http.NewServeMux()
	mux.Handle("/old", http.RedirectHandler("/new", http.StatusFound))
	mux.Handle("/new", recordHeaders(got))
	srv := quietServer(t, mux, false)
	mustBeReady(t, mustHTTP(t, HTTPOptions{URL: srv.URL + "/old?token=s3cret"}, fastPoll()))
	if s := <-got; s.referer != "" || strings.Contains(s.referer, "s3cret") {
		t.Errorf("Referer %q sent on redirect, want none", s.referer)
	}
}
