package auth

import "slices"

// Sees reports whether p may see, in module, a record owned by owner in
// team, by p's record scope there: its own records (ScopeOwn), also its
// teams' and their subordinate teams' (ScopeTeam), or all (ScopeAll).
// pgrecord.Query.Scope is the same rule in SQL.
func (p Principal) Sees(module, owner, team string) bool {
	switch p.ScopeFor(module) {
	case ScopeAll:
		return true
	case ScopeTeam:
		return owner == p.UserID || team != "" && slices.Contains(p.ScopeTeams(), team)
	}
	return owner == p.UserID
}

// ScopeTeams returns p's teams and the teams under them: the teams whose
// records ScopeTeam lets p see.
func (p Principal) ScopeTeams() []string {
	return append(slices.Clone(p.Teams), p.Subordinates...)
}
