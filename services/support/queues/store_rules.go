package queues

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// ruleRow is a row of routing_rules.
type ruleRow struct {
	ID        string    `db:"id"`
	Name      string    `db:"name"`
	Position  int       `db:"position"`
	Active    bool      `db:"active"`
	Condition []byte    `db:"condition"`
	QueueID   string    `db:"queue_id"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	Version   int64     `db:"version"`
}

// ruleColumns are the columns of a ruleRow.
const ruleColumns = "id, name, position, active, condition, queue_id, created_at, updated_at, version"

// rule is the Rule of r.
func (r ruleRow) rule() Rule {
	pos, active := r.Position, r.Active
	return Rule{ID: r.ID, Name: r.Name, Position: &pos, Active: &active, Condition: r.Condition, QueueID: r.QueueID,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// saveRule inserts or updates r's row; a rule without a position comes
// after the tenant's last. Its queue must exist (a 400 naming queueId).
func saveRule(ctx context.Context, tx *outbox.Tx, r *Rule, insert bool) error {
	if _, err := getQueue(ctx, tx, r.QueueID, false); err != nil {
		if errors.Is(err, ErrQueueNotFound) {
			return errs.Invalidf([]errs.FieldError{{Field: "queueId", Reason: "no such support queue"}}, "invalid fields: queueId")
		}
		return err
	}
	if r.Position == nil {
		var next int
		if err := tx.SQL().GetContext(ctx, &next, "SELECT COALESCE(max(position) + 1, 0) FROM routing_rules"); err != nil {
			return fmt.Errorf("place routing rule: %w", pg.MapError(err))
		}
		r.Position = &next
	}
	var cond any
	if r.Condition != nil {
		cond = string(r.Condition)
	}
	q := `UPDATE routing_rules SET name = $2, position = $3, active = $4, condition = $5, queue_id = $6, created_at = $7, updated_at = $8,
		version = $9
		WHERE id = $1`
	if insert {
		q = "INSERT INTO routing_rules (tenant_id, " + ruleColumns + ") VALUES (" + pgrecord.CurrentTenant +
			", $1, $2, $3, $4, $5, $6, $7, $8, $9)"
	}
	if _, err := tx.SQL().ExecContext(ctx, q, r.ID, r.Name, *r.Position, *r.Active, cond, r.QueueID, r.CreatedAt, r.UpdatedAt,
		r.Version); err != nil {
		return fmt.Errorf("save routing rule: %w", pg.MapError(err))
	}
	return nil
}

// getRule reads the rule id, locking it when lock.
func getRule(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Rule, error) {
	var r ruleRow
	if err := pgrecord.GetRow(ctx, tx, &r, "routing_rules", ruleColumns, id, lock, ErrRuleNotFound, "routing rule"); err != nil {
		return nil, err
	}
	out := r.rule()
	return &out, nil
}

// listRules returns the tenant's rules in the order they are tried: by
// position, then age.
func listRules(ctx context.Context, tx *outbox.Tx) ([]Rule, error) {
	var rows []ruleRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+ruleColumns+" FROM routing_rules ORDER BY position, created_at, id"); err != nil {
		return nil, fmt.Errorf("list routing rules: %w", pg.MapError(err))
	}
	out := make([]Rule, len(rows))
	for i, r := range rows {
		out[i] = r.rule()
	}
	return out, nil
}

// ruleRows is how pgrecord.UpdateIn reads, writes and deletes rules.
var ruleRows = pgrecord.Rows[*Rule]{
	Entity: supportdb.EntityRoutingRule,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*Rule, error) {
		return getRule(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *outbox.Tx, _, next *Rule) error {
		return saveRule(ctx, tx, next, false)
	},
	Delete: func(ctx context.Context, tx *outbox.Tx, id string) error {
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM routing_rules WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete routing rule: %w", pg.MapError(err))
		}
		return nil
	},
}
