package websec

import (
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/felixge/httpsnoop"
)

// HSTS is the Strict-Transport-Security value: two years, subdomains
// included (a tenant's domains are its own names, not the gateway's
// subdomains, so this covers only the gateway's host and its children).
const HSTS = "max-age=63072000; includeSubDomains"

// PageCSP is the Content-Security-Policy of an HTML answer that does not
// set its own (the marketing service's public pages): no script but from
// the gateway, no plugin, no <base>. It allows framing, form targets and
// https images on purpose: a tenant embeds its web forms in an iframe on
// its own site, and a form may redirect to the tenant's thank-you page.
const PageCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
	"object-src 'none'; base-uri 'self'"

// bannerHeaders name the software behind an answer; they are removed from
// every answer, the upstreams' included.
var bannerHeaders = []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version"}

// Headers wraps next so every answer says X-Content-Type-Options: nosniff,
// carries no server banner, has a Content-Security-Policy when it is HTML
// (PageCSP unless the handler set one) and Strict-Transport-Security when
// the request came over TLS or tls is true (the gateway's public URL is
// https).
func Headers(next http.Handler, tls bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hsts := tls || r.TLS != nil
		var once sync.Once
		fix := func() { once.Do(func() { secure(w.Header(), hsts) }) }
		ww := httpsnoop.Wrap(w, httpsnoop.Hooks{
			WriteHeader: func(next httpsnoop.WriteHeaderFunc) httpsnoop.WriteHeaderFunc {
				return func(code int) { fix(); next(code) }
			},
			Write: func(next httpsnoop.WriteFunc) httpsnoop.WriteFunc {
				return func(b []byte) (int, error) { fix(); return next(b) }
			},
			ReadFrom: func(next httpsnoop.ReadFromFunc) httpsnoop.ReadFromFunc {
				return func(src io.Reader) (int64, error) { fix(); return next(src) }
			},
			Flush: func(next httpsnoop.FlushFunc) httpsnoop.FlushFunc {
				return func() { fix(); next() }
			},
		})
		next.ServeHTTP(ww, r)
		fix() // an answer with no body and no status written: net/http sends a 200
	})
}

// secure sets the security headers on h just before they are sent.
func secure(h http.Header, hsts bool) {
	for _, name := range bannerHeaders {
		h.Del(name)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if hsts {
		h.Set("Strict-Transport-Security", HSTS)
	}
	if strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/html") && h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", PageCSP)
	}
}
