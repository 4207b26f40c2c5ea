package auth

import (
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// Middleware authenticates every request by its "Authorization: Bearer"
// internal token and puts the Principal and the token in the request
// context (PrincipalFrom, TokenFrom); a request
// without a valid token gets a 401 problem. Identity headers (X-Tenant-*,
// X-User-*, X-Internal-*) are never trusted: they are removed before the
// request goes on.
func Middleware(v *Verifier) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			stripIdentityHeaders(r.Header)
			token, ok := bearerToken(r)
			if !ok {
				kitx.WriteProblem(w, r, ErrUnauthenticated.WithDetail("an Authorization: Bearer token is required"))
				return
			}
			p, err := v.Verify(r.Context(), token)
			if err != nil {
				kitx.WriteProblem(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithToken(WithPrincipal(r.Context(), p), token)))
		})
	}
}

// bearerToken returns the token of r's Authorization header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// stripIdentityHeaders deletes headers that claim an identity.
func stripIdentityHeaders(h http.Header) {
	for name := range h {
		if strings.HasPrefix(name, "X-Tenant-") || strings.HasPrefix(name, "X-User-") || strings.HasPrefix(name, "X-Internal-") {
			delete(h, name)
		}
	}
}
