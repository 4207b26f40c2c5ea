package ergonomics

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// Param is the query parameter of sparse fieldsets.
const Param = "fields"

// DefaultMaxBody bounds the answers Middleware buffers for an ETag: larger
// ones (none of the API's pages of at most 200 records in practice) pass
// through without one. A request with fields= is buffered whatever its size.
const DefaultMaxBody = 1 << 20

// Config configures Middleware.
type Config struct {
	// MaxBody bounds the buffered answers (default DefaultMaxBody).
	MaxBody int
	// Fields returns the member names of the items of the list at a request
	// path, ok false when it does not know the path (then the names the
	// page's items carry are the known ones). Optional.
	Fields func(path string) (names []string, ok bool)
}

// Middleware returns the conditional GETs and sparse fieldsets the package
// documentation describes, around a handler of JSON reads.
func Middleware(cfg Config) func(http.Handler) http.Handler {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || r.Header.Get("Upgrade") != "" {
				next.ServeHTTP(w, r)
				return
			}
			names, known, err := requestedFields(r, cfg.Fields)
			if err != nil {
				kitx.WriteProblem(w, r, err)
				return
			}
			rec := &recorder{w: w, max: cfg.MaxBody, unbounded: names != nil}
			next.ServeHTTP(rec, withoutFields(r))
			if !rec.finish() {
				return
			}
			body := rec.buf.Bytes()
			h := w.Header()
			if names != nil {
				if body, err = sparse(body, names, known); err != nil {
					for _, k := range []string{"ETag", "Content-Length", "Cache-Control"} {
						h.Del(k)
					}
					kitx.WriteProblem(w, r, err)
					return
				}
				h.Del("ETag") // the service's tag is of the whole items
			}
			etag := h.Get("ETag")
			if etag == "" {
				sum := sha256.Sum256(body)
				etag = `"` + hex.EncodeToString(sum[:16]) + `"`
				h.Set("ETag", etag)
			}
			if noneMatch(r.Header.Get("If-None-Match"), etag) {
				h.Del("Content-Type")
				h.Del("Content-Length")
				w.WriteHeader(http.StatusNotModified)
				return
			}
			h.Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body) // the client is gone if this fails
		})
	}
}

// requestedFields reads fields= of r: nil when absent or empty. When lookup
// knows the path, a name it does not list is refused before the service is
// asked, and known is the set of its names.
func requestedFields(r *http.Request, lookup func(string) ([]string, bool)) (names []string, known map[string]bool, err error) {
	raw, ok := r.URL.Query()[Param]
	if !ok {
		return nil, nil, nil
	}
	for _, v := range raw {
		for n := range strings.SplitSeq(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	}
	if names == nil || lookup == nil {
		return names, nil, nil
	}
	list, ok := lookup(r.URL.Path)
	if !ok {
		return names, nil, nil
	}
	known = make(map[string]bool, len(list))
	for _, n := range list {
		known[n] = true
	}
	for _, n := range names {
		if !known[n] && n != "id" {
			return nil, nil, unknownField(n)
		}
	}
	return names, known, nil
}

// withoutFields returns r without the fields parameter, which no service
// takes.
func withoutFields(r *http.Request) *http.Request {
	q := r.URL.Query()
	if _, ok := q[Param]; !ok {
		return r
	}
	q.Del(Param)
	c := *r
	u := *r.URL
	u.RawQuery = q.Encode()
	c.URL = &u
	c.RequestURI = u.RequestURI()
	return &c
}

// noneMatch reports whether an If-None-Match header names etag, with the weak
// comparison RFC 9110 prescribes for it, or is "*".
func noneMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
