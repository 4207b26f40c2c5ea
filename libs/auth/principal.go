package auth

import (
	"context"
	"strings"
)

// Scope is how many records of a module a principal sees.
type Scope string

// The record scopes, from narrowest to widest.
const (
	ScopeOwn  Scope = "own"  // records the user owns
	ScopeTeam Scope = "team" // records owned by the user's teams and their subordinate teams
	ScopeAll  Scope = "all"  // every record of the tenant
)

// valid reports whether s is one of the known scopes.
func (s Scope) valid() bool {
	return s == ScopeOwn || s == ScopeTeam || s == ScopeAll
}

// Principal is the authenticated caller of a request.
type Principal struct {
	TenantID string
	UserID   string
	Roles    []string
	Teams    []string
	// Scopes are the OAuth-style scopes of an API key, if the caller used one.
	Scopes []string
	// Permissions are "module:action" grants; "module:*" and "*" are wildcards.
	Permissions []string
	// RecordScope maps a module ("contacts") to the caller's scope in it; the
	// key "*" applies to modules not listed.
	RecordScope map[string]Scope
	// Subordinates are the ids of the teams under the user's teams.
	Subordinates []string
}

// Can reports whether p holds permission, directly or through a "module:*"
// or "*" wildcard.
func (p Principal) Can(permission string) bool {
	if permission == "" {
		return false
	}
	for _, g := range p.Permissions {
		switch {
		case g == "*", g == permission:
			return true
		case strings.HasSuffix(g, ":*") && strings.HasPrefix(permission, g[:len(g)-1]):
			return true
		}
	}
	return false
}

// ScopeFor returns p's record scope in module: its own entry, else the "*"
// entry, else ScopeOwn. Unknown scope values count as absent.
func (p Principal) ScopeFor(module string) Scope {
	if s := p.RecordScope[module]; s.valid() {
		return s
	}
	if s := p.RecordScope["*"]; s.valid() {
		return s
	}
	return ScopeOwn
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal stored in ctx by Middleware or
// WithPrincipal.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Caller returns the principal of ctx, as PrincipalFrom, or
// ErrUnauthenticated when it has none: what a service method asks first.
func Caller(ctx context.Context) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return p, ErrUnauthenticated
	}
	return p, nil
}

type tokenKey struct{}

// WithToken returns a copy of ctx carrying the internal token the request
// was authenticated with. Middleware puts it there, so that a service
// calling another with its caller's authority exchanges this very token
// (libs/svcclient).
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// TokenFrom returns the internal token stored in ctx by Middleware or
// WithToken.
func TokenFrom(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(tokenKey{}).(string)
	return t, ok && t != ""
}
