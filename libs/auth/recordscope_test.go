package auth

import "testing"

func TestPrincipalSees(t *testing.T) {
	user := func(s Scope) Principal {
		return Principal{UserID: "u1", Teams: []string{"t1"}, Subordinates: []string{"t2"},
			RecordScope: map[string]Scope{"sales": s}}
	}
	cases := []struct {
		name        string
		scope       Scope
		module      string
		owner, team string
		want        bool
	}{
		{"own: its own", ScopeOwn, "sales", "u1", "t9", true},
		{"own: its team's", ScopeOwn, "sales", "u2", "t1", false},
		{"team: its own in another team", ScopeTeam, "sales", "u1", "t9", true},
		{"team: its team's", ScopeTeam, "sales", "u2", "t1", true},
		{"team: a subordinate team's", ScopeTeam, "sales", "u2", "t2", true},
		{"team: another team's", ScopeTeam, "sales", "u2", "t9", false},
		{"team: no team", ScopeTeam, "sales", "u2", "", false},
		{"all: anyone's", ScopeAll, "sales", "u2", "", true},
		{"all in another module: own there", ScopeAll, "support", "u2", "t1", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := user(c.scope).Sees(c.module, c.owner, c.team); got != c.want {
				t.Fatalf("Sees(%q, %q, %q) with scope %s = %v, want %v", c.module, c.owner, c.team, c.scope, got, c.want)
			}
		})
	}
}

func TestPrincipalScopeTeamsLeavesTeamsAlone(t *testing.T) {
	teams := make([]string, 1, 4)
	teams[0] = "t1"
	p := Principal{Teams: teams, Subordinates: []string{"t2"}}
	if got := p.ScopeTeams(); len(got) != 2 || got[0] != "t1" || got[1] != "t2" {
		t.Fatalf("ScopeTeams() = %v, want [t1 t2]", got)
	}
	if got := p.Teams[:2][1]; got != "" {
		t.Fatalf("ScopeTeams wrote %q into p.Teams' spare capacity", got)
	}
}
