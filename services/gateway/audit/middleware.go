package audit

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
)

// Middleware records every mutating request (any method but GET, HEAD and
// OPTIONS) whose caller proxy.Authenticate identified, once the response is
// written. The request itself only pays for queueing the entry.
func Middleware(rec Recorder) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !mutating(r.Method) {
				next.ServeHTTP(w, r)
				return
			}
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			p, ok := auth.PrincipalFrom(r.Context())
			if !ok {
				return // not authenticated: answered 401 before reaching a service
			}
			requestID := kitx.RequestIDFrom(r.Context())
			if requestID == "" {
				requestID = w.Header().Get(kitx.RequestIDHeader)
			}
			// The request is over; a full buffer may still make Record wait its
			// moment even if the client has gone.
			rec.Record(context.WithoutCancel(r.Context()), Entry{
				Time:       start,
				TenantID:   p.TenantID,
				Kind:       KindRequest,
				UserID:     p.UserID,
				APIKeyID:   proxy.APIKeyID(r),
				ClientAddr: ClientAddr(r),
				Method:     r.Method,
				Path:       r.URL.Path,
				Status:     sw.status(),
				ResourceID: ResourceID(w.Header().Get("Location"), r.URL.Path),
				RequestID:  requestID,
				LatencyMS:  time.Since(start).Milliseconds(),
			})
		})
	}
}

// mutating reports whether a request with method may change state.
func mutating(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// ClientAddr returns the address of r's client: the host of RemoteAddr.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ResourceID returns the id of the resource a request acted on: the last
// segment of the response's Location (a created resource), else the last
// segment of path that is a UUID, else "".
func ResourceID(location, path string) string {
	if location != "" {
		if u, err := url.Parse(location); err == nil {
			if seg := lastSegment(u.Path); seg != "" {
				return seg
			}
		}
	}
	segs := strings.Split(path, "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if _, err := uuid.Parse(segs[i]); err == nil && len(segs[i]) == 36 {
			return segs[i]
		}
	}
	return ""
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// statusWriter remembers the status of a response. It passes Flush and
// the rest through Unwrap, so streamed responses still stream.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher.
func (w *statusWriter) Flush() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // nothing to do if it cannot
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
