package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// filter is what List selects, resolved: the assignee is an id.
type filter struct {
	types                                    []string
	contact, account, assignee, team, status string
	related                                  string
	dueBefore, dueAfter                      *time.Time
}

// scopeConds selects the activities p may see: those assigned to p or
// logged by p, with the team scope also those of p's teams and the teams
// under them, with the scope "all" every one.
func scopeConds(p auth.Principal) []pgstore.Cond {
	switch p.ScopeFor(customer.Module) {
	case auth.ScopeAll:
		return nil
	case auth.ScopeTeam:
		return []pgstore.Cond{{SQL: "(assignee_id = ? OR created_by = ? OR team_id = ANY(?))",
			Args: []any{p.UserID, p.UserID, pq.StringArray(p.ScopeTeams())}}}
	}
	return []pgstore.Cond{{SQL: "(assignee_id = ? OR created_by = ?)", Args: []any{p.UserID, p.UserID}}}
}

// listNewest returns up to n activities p may see that f selects, after
// the position after (nil: from the newest), newest first: each equality
// of f reads its own index in (occurred_at, id) order.
func listNewest(ctx context.Context, tx *pgstore.Tx, p auth.Principal, f filter, after *position, n int) ([]Activity, error) {
	return selectActivities(ctx, tx, newestConds(p, f, after), newest, n)
}

// The orders of the lists.
const (
	newest     = "occurred_at DESC, id DESC"
	soonestDue = "due_at, id"
	undatedBy  = "id"
	byStart    = "occurred_at, id"
)

// newestConds are the conditions of listNewest.
func newestConds(p auth.Principal, f filter, after *position) []pgstore.Cond {
	conds := scopeConds(p)
	add := func(sql string, arg any) { conds = append(conds, pgstore.Cond{SQL: sql, Args: []any{arg}}) }
	if len(f.types) > 0 {
		add("type = ANY(?)", pq.StringArray(f.types))
	}
	for _, eq := range []struct{ column, value string }{{"contact_id", f.contact}, {"account_id", f.account},
		{"assignee_id", f.assignee}, {"team_id", f.team}, {"status", f.status}} {
		if eq.value != "" {
			add(eq.column+" = ?", eq.value)
		}
	}
	if f.dueBefore != nil {
		add("due_at < ?", *f.dueBefore)
	}
	if f.dueAfter != nil {
		add("due_at >= ?", *f.dueAfter)
	}
	if f.related != "" {
		add("id IN (SELECT activity_id FROM activity_keys WHERE kind = '"+keyRef+"' AND value = ?)", f.related)
	}
	if after != nil && after.At != nil {
		conds = append(conds, pgstore.Cond{SQL: "(occurred_at, id) < (?, ?::uuid)", Args: []any{*after.At, after.ID}})
	}
	return conds
}

// listOpenTasks returns up to n open tasks p may see of who, due before
// dueBefore (nil: any time, and those without a due time last), after the
// position after, soonest due first.
func listOpenTasks(ctx context.Context, tx *pgstore.Tx, p auth.Principal, who Owners, dueBefore *time.Time, after *position, n int) ([]Activity, error) {
	dated, undated := openTaskConds(p, who, dueBefore, after)
	var out []Activity
	if dated != nil {
		var err error
		if out, err = selectActivities(ctx, tx, dated, soonestDue, n); err != nil || len(out) == n {
			return out, err
		}
	}
	if undated == nil {
		return out, nil
	}
	rest, err := selectActivities(ctx, tx, undated, undatedBy, n-len(out))
	return append(out, rest...), err
}

// openTaskConds are the conditions of listOpenTasks: of the tasks with a
// due time and of those without, nil for a part the list does not read.
func openTaskConds(p auth.Principal, who Owners, dueBefore *time.Time, after *position) (dated, undated []pgstore.Cond) {
	conds := slices.Clip(append(scopeConds(p), pgstore.Cond{SQL: "status = '" + StatusOpen + "'"}, ownerCond(who)))
	if after == nil || after.At != nil {
		dated = append(conds, pgstore.Cond{SQL: "due_at IS NOT NULL"})
		if dueBefore != nil {
			dated = append(dated, pgstore.Cond{SQL: "due_at < ?", Args: []any{*dueBefore}})
		}
		if after != nil {
			dated = append(dated, pgstore.Cond{SQL: "(due_at, id) > (?, ?::uuid)", Args: []any{*after.At, after.ID}})
		}
	}
	if dueBefore == nil {
		undated = append(conds, pgstore.Cond{SQL: "due_at IS NULL"})
		if after != nil && after.At == nil {
			undated = append(undated, pgstore.Cond{SQL: "id > ?::uuid", Args: []any{after.ID}})
		}
	}
	return dated, undated
}

// listCalendarRange returns up to n activities p may see of who that
// overlap [from, to), after the position after, by start.
func listCalendarRange(ctx context.Context, tx *pgstore.Tx, p auth.Principal, who Owners, from, to time.Time, types []string,
	after *position, n int) ([]Activity, error) {
	return selectActivities(ctx, tx, calendarConds(p, who, from, to, types, after), byStart, n)
}

// calendarConds are the conditions of listCalendarRange. An activity
// lasts at most maxMeeting, so only the index's slice from from less that
// is read.
func calendarConds(p auth.Principal, who Owners, from, to time.Time, types []string, after *position) []pgstore.Cond {
	conds := append(scopeConds(p), ownerCond(who),
		pgstore.Cond{SQL: "occurred_at >= ? AND occurred_at < ?", Args: []any{from.Add(-maxMeeting), to}},
		pgstore.Cond{SQL: "(occurred_at >= ? OR ends_at >= ?)", Args: []any{from, from}},
		pgstore.Cond{SQL: "(type <> '" + TypeTask + "' OR due_at IS NOT NULL)"})
	if len(types) > 0 {
		conds = append(conds, pgstore.Cond{SQL: "type = ANY(?)", Args: []any{pq.StringArray(types)}})
	}
	if after != nil && after.At != nil {
		conds = append(conds, pgstore.Cond{SQL: "(occurred_at, id) > (?, ?::uuid)", Args: []any{*after.At, after.ID}})
	}
	return conds
}

// ownerCond selects the activities of who: an assignee's or a team's.
func ownerCond(who Owners) pgstore.Cond {
	if who.Team != "" {
		return pgstore.Cond{SQL: "team_id = ?", Args: []any{who.Team}}
	}
	return pgstore.Cond{SQL: "assignee_id = ?", Args: []any{who.Assignee}}
}

// selectActivities returns up to n activities matching conds in order.
func selectActivities(ctx context.Context, tx *pgstore.Tx, conds []pgstore.Cond, order string, n int) ([]Activity, error) {
	q, args := selectSQL(conds, order, n)
	return queryActivities(ctx, tx, q, args...)
}

// selectSQL is the query of up to n activities matching conds in order.
func selectSQL(conds []pgstore.Cond, order string, n int) (string, []any) {
	where, args := pgstore.Where(conds)
	if where == "" {
		where = "true"
	}
	return pgstore.Rebind(fmt.Sprintf("SELECT %s FROM activities WHERE %s ORDER BY %s LIMIT %d", columns, where, order, n)), args
}
