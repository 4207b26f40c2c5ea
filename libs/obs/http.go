package obs

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// UnmatchedRoute is the route label of requests that no route matched, so that
// scanners probing random paths cannot blow up the series count.
const UnmatchedRoute = "unmatched"

// InstrumentMux wraps a handler that routes with http.ServeMux patterns and
// records the duration of each request in
// rapport_http_request_duration_seconds under its method, status and route:
// the pattern that matched (r.Pattern, set by ServeMux, read once the
// request is served) without the method and host parts, so
// "GET /v1/contacts/{id}" is recorded as route "/v1/contacts/{id}", never
// the raw path. Requests that matched no pattern are recorded as
// UnmatchedRoute. A request that switched protocols (a WebSocket) is
// recorded as status 101 with the time up to the switch, not the life of
// the socket. A nil m records nothing.
func (m *Metrics) InstrumentMux(h http.Handler) http.Handler {
	if m == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &StatusWriter{ResponseWriter: w}
		defer func() {
			end := sw.Switched()
			if end.IsZero() {
				end = time.Now()
			}
			m.httpDuration.
				WithLabelValues(RouteOf(r.Pattern), r.Method, strconv.Itoa(sw.Status())).
				Observe(end.Sub(start).Seconds())
		}()
		h.ServeHTTP(sw, r)
	})
}

// RouteOf returns the path part of a ServeMux pattern ("GET example.com/x/{id}"
// → "/x/{id}"), or UnmatchedRoute for the empty pattern.
func RouteOf(pattern string) string {
	if pattern == "" {
		return UnmatchedRoute
	}
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = strings.TrimLeft(pattern[i+1:], " \t")
	}
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		pattern = pattern[i:]
	}
	return pattern
}
