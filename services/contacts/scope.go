package contacts

import (
	"slices"

	"github.com/lib/pq"

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

// Cond is one SQL condition with "?" placeholders and its arguments; a list
// of them is ANDed into a query.
type Cond struct {
	SQL  string
	Args []any
}

// scopeCond is the condition selecting the records p may see: its own
// (owner_id), its teams' and subordinate teams' (team_id) or all.
func scopeCond(p auth.Principal) (Cond, bool) {
	switch p.ScopeFor(Module) {
	case auth.ScopeAll:
		return Cond{}, false
	case auth.ScopeTeam:
		return Cond{"(owner_id = ? OR team_id = ANY(?))", []any{p.UserID, pq.StringArray(teamsOf(p))}}, true
	}
	return Cond{"owner_id = ?", []any{p.UserID}}, true
}

// inScope reports whether p may see a record owned by owner in team.
func inScope(p auth.Principal, m *Meta) bool {
	switch p.ScopeFor(Module) {
	case auth.ScopeAll:
		return true
	case auth.ScopeTeam:
		return m.OwnerID == p.UserID || m.TeamID != "" && slices.Contains(teamsOf(p), m.TeamID)
	}
	return m.OwnerID == p.UserID
}

// teamsOf returns p's teams and the teams under them.
func teamsOf(p auth.Principal) []string {
	return append(slices.Clone(p.Teams), p.Subordinates...)
}
