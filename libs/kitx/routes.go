package kitx

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The errors Routes answers with.
var (
	ErrNoRoute          = errs.New(errs.NotFound, "no-such-path", "no resource lives at this path")
	ErrMethodNotAllowed = errs.New(errs.MethodNotAllowed, "method-not-allowed", "the resource does not take this method")
)

// Routes returns mux as the handler of an API whose every answer is
// problem+json: a path no pattern matches is ErrNoRoute (404), a method the
// path does not take is ErrMethodNotAllowed (405, with Allow), and a request
// whose path or query parameters hold text that is not valid UTF-8, or a
// control character, is ErrInvalidText (400, naming the parameter), before
// any handler sees it.
//
// Every response says X-Content-Type-Options: nosniff and, unless its
// handler sets a Cache-Control of its own, Cache-Control: no-store: an API
// answer carries a tenant's data, which no shared or browser cache may keep.
func Routes(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		if err := CheckURL(r); err != nil {
			WriteProblem(w, r, err)
			return
		}
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// The mux's own answer says which it is, and sets Allow on a 405.
		probe := &statusProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status != http.StatusMethodNotAllowed {
			WriteProblem(w, r, ErrNoRoute.WithDetail("no resource lives at %s", r.URL.Path))
			return
		}
		allow := probe.header.Get("Allow")
		w.Header().Set("Allow", allow)
		WriteProblem(w, r, ErrMethodNotAllowed.WithDetail("%s does not take %s; it takes %s", r.URL.Path, r.Method, allow))
	})
}

// CheckURL returns ErrInvalidText when r's path or a query parameter's
// name or value is not valid UTF-8 or holds a control character other than
// tab, line feed and carriage return: PostgreSQL's text cannot hold U+0000,
// and no name, id or search term needs the rest.
func CheckURL(r *http.Request) error {
	if bad := badText(r.URL.Path); bad != "" {
		return ErrInvalidText.WithDetail("the path %s", bad)
	}
	if plainASCII(r.URL.RawQuery) {
		return nil
	}
	q := r.URL.Query()
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		bad := badText(name)
		for _, v := range q[name] {
			if bad == "" {
				bad = badText(v)
			}
		}
		if bad != "" {
			field := strings.ToValidUTF8(name, "\uFFFD")
			e := ErrInvalidText.WithDetail("query parameter %q %s", field, bad)
			e.Fields = []errs.FieldError{{Field: field, Reason: bad}}
			return e
		}
	}
	return nil
}

// badText says what is wrong with s for CheckURL, or "".
func badText(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if r, ok := controlChar(s); ok {
		return fmt.Sprintf("holds the control character U+%04X", r)
	}
	return ""
}

// plainASCII reports whether a raw query has no escapes and only printable
// ASCII, so that no parameter of it can be bad text.
func plainASCII(raw string) bool {
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c == '%' || c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// statusProbe is the ResponseWriter Routes gives the mux's 404 and 405
// handlers, to learn which they answer.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) WriteHeader(code int)        { p.status = code }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
