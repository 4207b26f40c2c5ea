package contacts

import (
	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
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
	switch p.ScopeFor(customer.Module) {
	case auth.ScopeAll:
		return Cond{}, false
	case auth.ScopeTeam:
		return Cond{"(owner_id = ? OR team_id = ANY(?))", []any{p.UserID, pq.StringArray(customer.Teams(p))}}, true
	}
	return Cond{"owner_id = ?", []any{p.UserID}}, true
}
