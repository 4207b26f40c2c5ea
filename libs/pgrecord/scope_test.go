package pgrecord

import (
	"reflect"
	"testing"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
)

func TestQueryScope(t *testing.T) {
	p := func(s auth.Scope) auth.Principal {
		return auth.Principal{UserID: "u1", Teams: []string{"t1"}, Subordinates: []string{"t2"},
			RecordScope: map[string]auth.Scope{"reporting": s}}
	}
	cases := []struct {
		name  string
		p     auth.Principal
		conds []string
		args  []any
	}{
		{"own", p(auth.ScopeOwn), []string{"x = $1", "o.owner_id = $2"}, []any{"x", "u1"}},
		{"team", p(auth.ScopeTeam), []string{"x = $1", "(o.owner_id = $2 OR o.team_id = ANY($3))"},
			[]any{"x", "u1", pq.StringArray{"t1", "t2"}}},
		{"all", p(auth.ScopeAll), []string{"x = $1"}, []any{"x"}},
		{"no scope in the module", auth.Principal{UserID: "u1", RecordScope: map[string]auth.Scope{"sales": auth.ScopeAll}},
			[]string{"x = $1", "o.owner_id = $2"}, []any{"x", "u1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var q Query
			q.Add("x = ?", "x")
			q.Scope(c.p, "reporting", "o.owner_id", "o.team_id")
			if !reflect.DeepEqual(q.Conds, c.conds) || !reflect.DeepEqual(q.Args, c.args) {
				t.Fatalf("Scope: %q %v, want %q %v", q.Conds, q.Args, c.conds, c.args)
			}
		})
	}
}
