package kitx

import (
	"net/http"
	"strings"
)

// LimitInFlight bounds the requests next serves at once to max: a request
// beyond the bound is answered at once with ErrOverloaded (503, Retry-After)
// instead of queueing behind the others. Requests exempt says so are never
// counted nor shed (probes, metrics); neither are long-lived streams (a
// WebSocket upgrade, text/event-stream), which would otherwise hold a place
// for their whole life. max ≤ 0 means no bound.
func LimitInFlight(next http.Handler, max int, exempt func(*http.Request) bool) http.Handler {
	if max <= 0 {
		return next
	}
	slots := make(chan struct{}, max)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (exempt != nil && exempt(r)) || isStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
		default:
			WriteProblem(w, r, ErrOverloaded)
			return
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}

// isStream reports whether r opens a long-lived stream: a protocol upgrade
// (WebSocket) or server-sent events.
func isStream(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}
