package customer

import (
	"slices"

	"github.com/rapport-crm/rapport/libs/auth"
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
