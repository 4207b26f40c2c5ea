package customer

import (
	"context"

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

// InScope reports whether p may see a record with m's owner and team
// (auth.Principal.Sees in the contacts module).
func InScope(p auth.Principal, m *Meta) bool { return p.Sees(Module, m.OwnerID, m.TeamID) }

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
