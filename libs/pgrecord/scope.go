package pgrecord

import (
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
)

// Scope ANDs to q the record scope of p in module (auth.Principal.Sees)
// on the owner and team columns given, qualified as the query needs
// ("o.owner_id", "o.team_id"): nothing with ScopeAll, the owner or the
// team among p.ScopeTeams() with ScopeTeam, else the owner.
func (q *Query) Scope(p auth.Principal, module, ownerCol, teamCol string) {
	switch p.ScopeFor(module) {
	case auth.ScopeAll:
	case auth.ScopeTeam:
		q.Add("("+ownerCol+" = ? OR "+teamCol+" = ANY(?))", p.UserID, pq.StringArray(p.ScopeTeams()))
	default:
		q.Add(ownerCol+" = ?", p.UserID)
	}
}
