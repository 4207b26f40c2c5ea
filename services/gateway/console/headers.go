package console

import "net/http"

// CSP is the console's Content-Security-Policy. Scripts come from this
// origin only: no 'unsafe-inline', no eval. Styles allow inline because
// Ant Design writes its CSS-in-JS into <style> elements at run time; an
// injected style cannot run code. connect-src 'self' keeps API calls and
// the notification stream on the gateway.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// secure sets the headers every console answer carries.
func secure(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}
