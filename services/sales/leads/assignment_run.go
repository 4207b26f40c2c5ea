package leads

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// Assigned is the payload of lead.assigned: the lead's full state after
// the assignment (its owner, team, assignedByRuleId and assignmentReason),
// who owned it before, and the first-touch deadline the rule set.
type Assigned struct {
	Lead
	PreviousOwnerID string     `json:"previousOwnerId"`
	FirstTouchDueAt *time.Time `json:"firstTouchDueAt,omitempty"`
}

// outcome is what assignIn did to one lead.
type outcome struct {
	lead     *Lead
	previous string
	rule     *Rule
	due      *time.Time
	changed  []string
}

// assignIn runs the tenant's active rules over leads, locked in tx and
// read as they are, in their order: each gets the assignee of the first
// rule matching it with someone available, or keeps its owner, and its
// assignedByRuleId and assignmentReason say which and why. A tenant
// without active rules assigns nothing and leaves the leads as they are
// (no reason to give; a lead create then costs one query more). The rotations
// of the rules that matched are locked (SELECT … FOR UPDATE of their state
// rows, in rule id order) and the people they may assign to are locked
// (advisory locks, in id order) before their open leads are counted, so
// replicas assigning at once take turns and never pass a cap. bump gives
// each changed lead a new version at now (a re-run; a create's assignment
// is part of version 1). It writes the leads, the rotations and the
// first-touch deadlines; publishing is the caller's.
func assignIn(ctx context.Context, tx *outbox.Tx, leads []*Lead, now time.Time, bump bool) ([]outcome, error) {
	rules, err := rulesIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	rules = slices.DeleteFunc(rules, func(r Rule) bool { return !active(r.Active) })
	if len(rules) == 0 {
		out := make([]outcome, len(leads))
		for i, l := range leads {
			out[i] = outcome{lead: l, previous: l.OwnerID}
		}
		return out, nil
	}
	defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
	if err != nil {
		return nil, err
	}
	matched, err := matchRules(ctx, tx, rules, defs, leads)
	if err != nil {
		return nil, err
	}
	c := &chooser{rules: rules, now: now}
	if c.rotations, err = lockRotations(ctx, tx, rules, matched); err != nil {
		return nil, err
	}
	if c.open, err = lockLoads(ctx, tx, rules, c.rotations); err != nil {
		return nil, err
	}
	out := make([]outcome, len(leads))
	for i, l := range leads {
		_, counted := c.open[l.OwnerID]
		ch := c.choose(matched[l.ID], l.OwnerID, counted && slices.Contains(openStatuses, l.Status))
		o := outcome{lead: l, previous: l.OwnerID, rule: ch.rule}
		next := *l
		next.AssignmentReason, next.AssignedByRuleID = ch.reason, ""
		if ch.rule != nil {
			next.OwnerID, next.AssignedByRuleID = ch.userID, ch.rule.ID
			if ch.rule.Target.Type == TargetTeam {
				next.TeamID = ch.rule.Target.TeamID
			}
			if m := ch.rule.FirstTouchMinutes; m > 0 {
				due := now.Add(time.Duration(m) * time.Minute)
				o.due = &due
			}
		}
		o.changed = assignmentChanges(l, &next)
		if bump && len(o.changed) > 0 {
			next.Version, next.UpdatedAt = l.Version+1, now
		}
		*l = next
		out[i] = o
	}
	if err := writeAssignments(ctx, tx, out, now); err != nil {
		return nil, err
	}
	return out, saveRotations(ctx, tx, c.rotations)
}

// assignmentChanges are the fields assignment changed from old to next.
func assignmentChanges(old, next *Lead) []string {
	var out []string
	for _, f := range []struct {
		name string
		a, b string
	}{{"ownerId", old.OwnerID, next.OwnerID}, {"teamId", old.TeamID, next.TeamID},
		{"assignedByRuleId", old.AssignedByRuleID, next.AssignedByRuleID}, {"assignmentReason", old.AssignmentReason, next.AssignmentReason}} {
		if f.a != f.b {
			out = append(out, f.name)
		}
	}
	return out
}

// matchRules returns, per lead id, the indexes of the rules matching it,
// in their order: one query over the leads testing every condition (with
// the tenant's custom fields defs).
func matchRules(ctx context.Context, tx *outbox.Tx, rules []Rule, defs Fields, leads []*Lead) (map[string][]int, error) {
	out := make(map[string][]int, len(leads))
	if len(rules) == 0 || len(leads) == 0 {
		return out, nil
	}
	ids := make(pq.StringArray, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	args := []any{ids}
	tests := make([]string, len(rules))
	for i, r := range rules {
		cond := "TRUE"
		if r.Condition != nil {
			sql, a, err := compileCondition(r.Condition, len(args)+1, defs)
			if err != nil {
				return nil, fmt.Errorf("assignment rule %s: %w", r.ID, err)
			}
			cond, args = sql, append(args, a...)
		}
		tests[i] = "CASE WHEN " + cond + " THEN " + strconv.Itoa(i) + " END"
	}
	var rows []struct {
		ID      string        `db:"id"`
		Matched pq.Int64Array `db:"matched"`
	}
	q := "SELECT id, array_remove(ARRAY[" + strings.Join(tests, ", ") + "]::int[], NULL) AS matched FROM leads WHERE id = ANY($1::uuid[])"
	if err := tx.SQL().SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("match assignment rules: %w", pg.MapError(err))
	}
	for _, r := range rows {
		for _, i := range r.Matched {
			out[r.ID] = append(out[r.ID], int(i))
		}
	}
	return out, nil
}

// lockRotations locks and reads the state rows of the rules that matched
// some lead, in rule id order.
func lockRotations(ctx context.Context, tx *outbox.Tx, rules []Rule, matched map[string][]int) (map[string]*rotation, error) {
	var used pq.StringArray
	for _, list := range matched {
		for _, i := range list {
			if !slices.Contains(used, rules[i].ID) {
				used = append(used, rules[i].ID)
			}
		}
	}
	out := make(map[string]*rotation, len(used))
	if len(used) == 0 {
		return out, nil
	}
	var rows []struct {
		RuleID   string `db:"rule_id"`
		Last     string `db:"last_user_id"`
		Assigned int64  `db:"assigned"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT rule_id, last_user_id, assigned FROM lead_assignment_state
		WHERE rule_id = ANY($1::uuid[]) ORDER BY rule_id FOR UPDATE`, used); err != nil {
		return nil, fmt.Errorf("lock assignment rotations: %w", pg.MapError(err))
	}
	for _, r := range rows {
		out[r.RuleID] = &rotation{last: r.Last, assigned: r.Assigned}
	}
	return out, nil
}

// lockLoads locks the people the rules with rotations may assign to
// (transaction advisory locks, in id order, so that rules sharing people
// take turns) and counts their open leads.
func lockLoads(ctx context.Context, tx *outbox.Tx, rules []Rule, rotations map[string]*rotation) (map[string]int, error) {
	var people pq.StringArray
	for _, r := range rules {
		if rotations[r.ID] == nil {
			continue
		}
		for _, m := range r.Target.members() {
			if !slices.Contains(people, m.UserID) {
				people = append(people, m.UserID)
			}
		}
	}
	out := make(map[string]int, len(people))
	if len(people) == 0 {
		return out, nil
	}
	slices.Sort(people)
	if _, err := tx.SQL().ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('lead-owner:' || `+currentTenantText+` || ':' || p, 0))
		FROM (SELECT p FROM unnest($1::text[]) AS p ORDER BY p) AS people`, people); err != nil {
		return nil, fmt.Errorf("lock lead owners: %w", pg.MapError(err))
	}
	var rows []struct {
		Owner string `db:"owner_id"`
		Open  int    `db:"open"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT owner_id, count(*) AS open FROM leads
		WHERE owner_id = ANY($1) AND status IN ('new', 'working', 'nurturing', 'qualified') AND deleted_at IS NULL GROUP BY owner_id`, people); err != nil {
		return nil, fmt.Errorf("count open leads: %w", pg.MapError(err))
	}
	for _, p := range people {
		out[p] = 0
	}
	for _, r := range rows {
		out[r.Owner] = r.Open
	}
	return out, nil
}

// currentTenantText is the transaction's tenant as SQL text.
const currentTenantText = "current_setting('app.tenant_id', true)"

// writeAssignments writes the assignment fields of the outcomes that
// changed a lead, and arms (or, for a rule without one, clears) the
// first-touch deadlines of the leads a rule assigned.
func writeAssignments(ctx context.Context, tx *outbox.Tx, out []outcome, now time.Time) error {
	var ids, owners, teams, rules, reasons pq.StringArray
	var versions pq.Int64Array
	var updated []string
	var armed, armedRules, armedOwners, cleared pq.StringArray
	var dues []string
	for _, o := range out {
		l := o.lead
		if len(o.changed) > 0 {
			ids, owners, teams, rules = append(ids, l.ID), append(owners, l.OwnerID), append(teams, l.TeamID), append(rules, l.AssignedByRuleID)
			reasons, versions, updated = append(reasons, l.AssignmentReason), append(versions, l.Version), append(updated, l.UpdatedAt.Format(time.RFC3339Nano))
		}
		switch {
		case o.due != nil:
			armed, armedRules, armedOwners = append(armed, l.ID), append(armedRules, o.rule.ID), append(armedOwners, l.OwnerID)
			dues = append(dues, o.due.Format(time.RFC3339Nano))
		case o.rule != nil:
			cleared = append(cleared, l.ID)
		}
	}
	if len(ids) > 0 {
		if _, err := tx.SQL().ExecContext(ctx, `UPDATE leads SET owner_id = u.a_owner, team_id = u.a_team, assigned_by_rule_id = NULLIF(u.a_rule, '')::uuid,
			assignment_reason = u.a_reason, version = u.a_version, updated_at = u.a_updated
			FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[])
				AS u(a_id, a_owner, a_team, a_rule, a_reason, a_version, a_updated)
			WHERE id = u.a_id`, ids, owners, teams, rules, reasons, versions, pq.StringArray(updated)); err != nil {
			return fmt.Errorf("write assignments: %w", pg.MapError(err))
		}
	}
	if len(armed) > 0 {
		if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO lead_first_touch (tenant_id, lead_id, rule_id, owner_id, due_at)
			SELECT `+pgrecord.CurrentTenant+`, u.* FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[]) AS u
			ON CONFLICT (tenant_id, lead_id) DO UPDATE SET rule_id = excluded.rule_id, owner_id = excluded.owner_id, due_at = excluded.due_at,
				touched_at = NULL, missed_at = NULL`, armed, armedRules, armedOwners, pq.StringArray(dues)); err != nil {
			return fmt.Errorf("arm first-touch deadlines: %w", pg.MapError(err))
		}
	}
	if len(cleared) > 0 {
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM lead_first_touch WHERE lead_id = ANY($1::uuid[])", cleared); err != nil {
			return fmt.Errorf("clear first-touch deadlines: %w", pg.MapError(err))
		}
	}
	return nil
}

// saveRotations writes the rotations that moved.
func saveRotations(ctx context.Context, tx *outbox.Tx, rotations map[string]*rotation) error {
	var ids, last pq.StringArray
	var assigned pq.Int64Array
	for id, r := range rotations {
		if r.changed {
			ids, last, assigned = append(ids, id), append(last, r.last), append(assigned, r.assigned)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE lead_assignment_state s SET last_user_id = u.a_last, assigned = u.a_assigned
		FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS u(a_rule, a_last, a_assigned) WHERE s.rule_id = u.a_rule`, ids, last, assigned); err != nil {
		return fmt.Errorf("save assignment rotations: %w", pg.MapError(err))
	}
	return nil
}
