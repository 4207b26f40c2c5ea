package pgstore

import (
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// CurrentTenant is the SQL value of the transaction's tenant.
const CurrentTenant = "CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid)"

// Cond is one SQL condition with "?" placeholders and its arguments; a list
// of them is ANDed into a query. Cond SQL never holds a literal "?" (the
// jsonb operator).
type Cond struct {
	SQL  string
	Args []any
}

// Where ANDs conds into one condition with "?" placeholders ("" for none).
func Where(conds []Cond) (string, []any) {
	var where []string
	var args []any
	for _, c := range conds {
		if c.SQL != "" {
			where = append(where, "("+c.SQL+")")
			args = append(args, c.Args...)
		}
	}
	return strings.Join(where, " AND "), args
}

// Rebind numbers the "?" placeholders of q as $1, $2, ….
func Rebind(q string) string { return sqlx.Rebind(sqlx.DOLLAR, q) }

// Args numbers the bind parameters of one query ($1, $2, ...); a
// placeholder may appear in the text more than once.
type Args struct {
	List []any
}

// Bind adds v and returns its placeholder.
func (b *Args) Bind(v any) string {
	b.List = append(b.List, v)
	return "$" + strconv.Itoa(len(b.List))
}

// Next is the number the next bound parameter gets.
func (b *Args) Next() int { return len(b.List) + 1 }

// Cond renders c, binding its "?" placeholders in order.
func (b *Args) Cond(c Cond) string {
	var sb strings.Builder
	i := 0
	for _, r := range c.SQL {
		if r == '?' && i < len(c.Args) {
			sb.WriteString(b.Bind(c.Args[i]))
			i++
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// ScopeCond is the condition selecting the records p may see: its own
// (owner_id), its teams' and subordinate teams' (team_id) or all (false:
// no condition). customer.InScope is the same rule on one record.
func ScopeCond(p auth.Principal) (Cond, bool) {
	switch p.ScopeFor(customer.Module) {
	case auth.ScopeAll:
		return Cond{}, false
	case auth.ScopeTeam:
		return Cond{"(owner_id = ? OR team_id = ANY(?))", []any{p.UserID, pq.StringArray(p.ScopeTeams())}}, true
	}
	return Cond{"owner_id = ?", []any{p.UserID}}, true
}

// Live selects the live records.
var Live = Cond{SQL: "deleted_at IS NULL"}

// LiveConds selects the live records p may see: Live, then p's scope.
func LiveConds(p auth.Principal) []Cond {
	conds := []Cond{Live}
	if c, ok := ScopeCond(p); ok {
		conds = append(conds, c)
	}
	return conds
}

// InScope selects the records p may see, live or not.
func InScope(p auth.Principal) []Cond { return LiveConds(p)[1:] }
