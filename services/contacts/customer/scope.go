package customer

import (
	"context"
	"slices"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
)

// Module is the permission and record-scope module of this service.
const Module = "contacts"

// The permissions the routes require.
const (
	PermRead  = "contacts:read"
	PermWrite = "contacts:write"
	// PermAdmin guards tenant-wide configuration: settings and custom field
	// definitions.
	PermAdmin = "contacts:admin"
)

// InScope reports whether p may see a record with m's owner and team: its
// own (owner), its teams' and subordinate teams' (team) or all.
func InScope(p auth.Principal, m *Meta) bool {
	switch p.ScopeFor(Module) {
	case auth.ScopeAll:
		return true
	case auth.ScopeTeam:
		return m.OwnerID == p.UserID || m.TeamID != "" && slices.Contains(Teams(p), m.TeamID)
	}
	return m.OwnerID == p.UserID
}

// Teams returns p's teams and the teams under them.
func Teams(p auth.Principal) []string {
	return append(slices.Clone(p.Teams), p.Subordinates...)
}

// Caller returns the caller of ctx.
func Caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	return p, nil
}

// CallerOf returns the caller of a request naming the resource id, or
// notFound when id cannot name one (it is not a UUID).
func CallerOf(ctx context.Context, id string, notFound error) (auth.Principal, error) {
	p, err := Caller(ctx)
	if err != nil {
		return p, err
	}
	if !ids.Valid(id) {
		return p, notFound
	}
	return p, nil
}
