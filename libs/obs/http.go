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

// InstrumentHTTP wraps h, recording the duration of each request in
// rapport_http_request_duration_seconds under the given route template (for
// example "/v1/contacts/{id}"; never the raw path), the method and the status.
func (m *Metrics) InstrumentHTTP(route string, h http.Handler) http.Handler {
	return m.instrument(h, func(*http.Request) string { return route })
}

// InstrumentMux wraps a handler that routes with http.ServeMux patterns and
// takes the route label from the pattern that matched (r.Pattern, set by
// ServeMux), without the method and host parts: "GET /v1/contacts/{id}" is
// recorded as route "/v1/contacts/{id}". Requests that matched no pattern are
// recorded as UnmatchedRoute.
func (m *Metrics) InstrumentMux(h http.Handler) http.Handler {
	return m.instrument(h, func(r *http.Request) string { return RouteOf(r.Pattern) })
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

// instrument records the request after h has served it; route is asked only
// then, so it can read what a router stored on the request.
func (m *Metrics) instrument(h http.Handler, route func(*http.Request) string) http.Handler {
	if m == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &StatusWriter{ResponseWriter: w}
		defer func() {
			m.httpDuration.
				WithLabelValues(route(r), r.Method, strconv.Itoa(sw.Status())).
				Observe(time.Since(start).Seconds())
		}()
		h.ServeHTTP(sw, r)
	})
}
