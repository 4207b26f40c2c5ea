package kitx

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/ids"
)

// RequestIDHeader carries the request id in requests and responses.
const RequestIDHeader = "X-Request-Id"

// maxRequestIDLen bounds an inbound request id; longer ones are replaced.
const maxRequestIDLen = 128

type requestIDKey struct{}

// RequestID is middleware that gives every request an id: a well-formed
// inbound X-Request-Id (at most 128 characters of [A-Za-z0-9._-]) is kept,
// anything else is replaced by a fresh UUIDv7. The id is set on the response
// header and stored in the request context (see RequestIDFrom).
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := inboundOrNewRequestID(r)
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// WithRequestID returns a copy of ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id stored in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// inboundOrNewRequestID returns r's X-Request-Id if it is well formed, or a
// new id.
func inboundOrNewRequestID(r *http.Request) string {
	if id := r.Header.Get(RequestIDHeader); validRequestID(id) {
		return id
	}
	return ids.New()
}

// validRequestID reports whether id is safe to echo and log.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
