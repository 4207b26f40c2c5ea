package leads

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// ruleRow is a row of lead_assignment_rules.
type ruleRow struct {
	ID                string    `db:"id"`
	Name              string    `db:"name"`
	Position          int       `db:"position"`
	Active            bool      `db:"active"`
	Condition         []byte    `db:"condition"`
	Target            []byte    `db:"target"`
	FirstTouchMinutes *int      `db:"first_touch_minutes"`
	CreatedAt         time.Time `db:"created_at"`
	UpdatedAt         time.Time `db:"updated_at"`
	Version           int64     `db:"version"`
}

// ruleColumns are the columns of a ruleRow.
const ruleColumns = "id, name, position, active, condition, target, first_touch_minutes, created_at, updated_at, version"

// rule is the Rule of r.
func (r ruleRow) rule() (Rule, error) {
	on := r.Active
	out := Rule{ID: r.ID, Name: r.Name, Position: r.Position, Active: &on, Condition: r.Condition, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.FirstTouchMinutes != nil {
		out.FirstTouchMinutes = *r.FirstTouchMinutes
	}
	if err := json.Unmarshal(r.Target, &out.Target); err != nil {
		return out, fmt.Errorf("read assignment rule target: %w", err)
	}
	return out, nil
}

// rulesIn reads the tenant's rules in their order.
func rulesIn(ctx context.Context, tx *outbox.Tx) ([]Rule, error) {
	return listRules[ruleRow](ctx, tx, assignmentRules, "", "position, id")
}

// getRule reads the rule id, locking it when lock.
func getRule(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Rule, error) {
	return readRule[ruleRow](ctx, tx, assignmentRules, id, lock, ErrRuleNotFound)
}

// saveRule inserts or updates r's row; a new rule gets its rotation's
// state row.
func saveRule(ctx context.Context, tx *outbox.Tx, r *Rule, insert bool) error {
	target, err := json.Marshal(r.Target)
	if err != nil {
		return err
	}
	var minutes *int
	if r.FirstTouchMinutes > 0 {
		minutes = &r.FirstTouchMinutes
	}
	var condition any
	if r.Condition != nil {
		condition = string(r.Condition)
	}
	args := []any{r.ID, r.Name, r.Position, *r.Active, condition, string(target), minutes, r.CreatedAt, r.UpdatedAt, r.Version}
	q := `UPDATE lead_assignment_rules SET name = $2, position = $3, active = $4, condition = $5, target = $6, first_touch_minutes = $7,
		created_at = $8, updated_at = $9, version = $10 WHERE id = $1`
	if insert {
		q = `WITH rule AS (INSERT INTO lead_assignment_rules (tenant_id, ` + ruleColumns + `) VALUES (` + pgrecord.CurrentTenant +
			`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING tenant_id, id)
			INSERT INTO lead_assignment_state (tenant_id, rule_id) SELECT tenant_id, id FROM rule`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("save assignment rule: %w", pg.MapError(err))
	}
	return nil
}

// Rules returns the tenant's assignment rules in their order.
func (s *Store) Rules(ctx context.Context, tenant string) (out []Rule, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, err = rulesIn(ctx, tx)
		return err
	})
	return out, err
}

// Rule reads the assignment rule id.
func (s *Store) Rule(ctx context.Context, tenant, id string) (r *Rule, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		r, err = getRule(ctx, tx, id, false)
		return err
	})
	return r, err
}

// CreateRule stores r last in the tenant's list (ErrTooManyRules beyond
// maxRules), setting its position; check judges it against the tenant's
// custom fields of leads, read in the transaction.
func (s *Store) CreateRule(ctx context.Context, tenant string, r *Rule, check func(*Rule, Fields) error) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
		if err != nil {
			return err
		}
		if err := check(r, defs); err != nil {
			return err
		}
		n, err := assignmentRules.room(ctx, tx)
		if err != nil {
			return err
		}
		r.Position = n
		return saveRule(ctx, tx, r, true)
	})
}

// UpdateRule changes the rule id: change, given the tenant's custom
// fields of leads, returns what it becomes, or nil when nothing changes.
func (s *Store) UpdateRule(ctx context.Context, tenant, id string, change func(current *Rule, defs Fields) (*Rule, error)) (out *Rule, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
		if err != nil {
			return err
		}
		current, err := getRule(ctx, tx, id, true)
		if err != nil {
			return err
		}
		next, err := change(current, defs)
		if err != nil {
			return err
		}
		if out = current; next == nil {
			return nil
		}
		out = next
		return saveRule(ctx, tx, next, false)
	})
	return out, err
}

// DeleteRule deletes the rule id (at version ifMatch unless 0), closing
// the gap in the positions; the leads it assigned keep their owner and
// its id.
func (s *Store) DeleteRule(ctx context.Context, tenant, id string, ifMatch int64) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := assignmentRules.lock(ctx, tx); err != nil {
			return err
		}
		r, err := getRule(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if ifMatch != 0 && r.Version != ifMatch {
			return ErrRuleVersion
		}
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM lead_assignment_rules WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete assignment rule: %w", pg.MapError(err))
		}
		if _, err := tx.SQL().ExecContext(ctx, "UPDATE lead_assignment_rules SET position = position - 1 WHERE position > $1", r.Position); err != nil {
			return fmt.Errorf("renumber assignment rules: %w", pg.MapError(err))
		}
		return nil
	})
}

// ReorderRules puts the tenant's rules in the order of ids, which must
// list each once (ErrRuleOrder), and returns them; a rule whose position
// changes gets a new version at now.
func (s *Store) ReorderRules(ctx context.Context, tenant string, ids []string, now time.Time) (out []Rule, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := assignmentRules.lock(ctx, tx); err != nil {
			return err
		}
		current, err := rulesIn(ctx, tx)
		if err != nil {
			return err
		}
		if err := checkOrder(current, ids); err != nil {
			return err
		}
		if _, err := tx.SQL().ExecContext(ctx, `UPDATE lead_assignment_rules r SET position = o.n - 1, version = r.version + 1, updated_at = $2
			FROM unnest($1::uuid[]) WITH ORDINALITY AS o(rule_id, n) WHERE r.id = o.rule_id AND r.position <> o.n - 1`,
			pq.StringArray(ids), now); err != nil {
			return fmt.Errorf("reorder assignment rules: %w", pg.MapError(err))
		}
		out, err = rulesIn(ctx, tx)
		return err
	})
	return out, err
}

// checkOrder checks that ids lists every rule of current once.
func checkOrder(current []Rule, ids []string) error {
	known := make(map[string]bool, len(current))
	for _, r := range current {
		known[r.ID] = true
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if !known[id] || seen[id] {
			e := ErrRuleOrder.WithDetail("ids/%d is not one of the tenant's rules, or is listed twice", i)
			e.Fields = []errs.FieldError{{Field: fmt.Sprintf("ids/%d", i), Reason: "must be a rule of the tenant, listed once"}}
			return e
		}
		seen[id] = true
	}
	if len(ids) != len(current) {
		e := ErrRuleOrder.WithDetail("the order lists %d rules; the tenant has %d", len(ids), len(current))
		e.Fields = []errs.FieldError{{Field: "ids", Reason: "must list every rule"}}
		return e
	}
	return nil
}
