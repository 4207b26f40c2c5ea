package leads

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// ruleList is where a tenant's list of rules is kept — assignment rules
// (assignmentRules) or scoring rules (scoringRules) — for the helpers
// both lists' stores share.
type ruleList struct {
	table   string // the table of the rules
	columns string // the columns its row type reads
	lockKey string // the name of the list's advisory lock
	what    string // a rule, in errors ("assignment rule")
	max     int    // rules of a tenant
	tooMany *errs.Error
}

// The lists of rules of a tenant.
var (
	assignmentRules = ruleList{table: "lead_assignment_rules", columns: ruleColumns, lockKey: "lead-assignment-rules",
		what: "assignment rule", max: maxRules, tooMany: ErrTooManyRules}
	scoringRules = ruleList{table: "lead_scoring_rules", columns: scoringColumns, lockKey: "lead-scoring-rules",
		what: "scoring rule", max: maxScoringRules, tooMany: ErrTooManyScoringRules}
)

// ruleRowOf is a row of a list's table that reads as its rule, T.
type ruleRowOf[T any] interface{ rule() (T, error) }

// listRules reads the rows of l in tx that where (SQL after FROM, may be
// empty) selects, ordered by orderBy, as their rules.
func listRules[R ruleRowOf[T], T any](ctx context.Context, tx *outbox.Tx, l ruleList, where, orderBy string) ([]T, error) {
	var rows []R
	if err := sqlx.SelectContext(ctx, tx.Prepared(), &rows, "SELECT "+l.columns+" FROM "+l.table+where+" ORDER BY "+orderBy); err != nil {
		return nil, fmt.Errorf("list %ss: %w", l.what, pg.MapError(err))
	}
	out := make([]T, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.rule(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readRule reads the rule id of l, locking it when lock; notFound when
// the tenant has none of that id.
func readRule[R ruleRowOf[T], T any](ctx context.Context, tx *outbox.Tx, l ruleList, id string, lock bool, notFound error) (*T, error) {
	var r R
	if err := pgrecord.GetRow(ctx, tx, &r, l.table, l.columns, id, lock, notFound, l.what); err != nil {
		return nil, err
	}
	out, err := r.rule()
	return &out, err
}

// lock serialises the changes of the tenant's list l in tx (an advisory
// lock held to its end).
func (l ruleList) lock(ctx context.Context, tx *outbox.Tx) error {
	if _, err := tx.SQL().ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('"+l.lockKey+":' || "+
		pgrecord.CurrentTenant+"::text, 0))"); err != nil {
		return fmt.Errorf("lock %ss: %w", l.what, pg.MapError(err))
	}
	return nil
}

// room locks the tenant's list l and returns how many rules it has,
// refusing (tooMany) a list that has as many as it may.
func (l ruleList) room(ctx context.Context, tx *outbox.Tx) (int, error) {
	if err := l.lock(ctx, tx); err != nil {
		return 0, err
	}
	var n int
	if err := tx.SQL().GetContext(ctx, &n, "SELECT count(*) FROM "+l.table); err != nil {
		return 0, fmt.Errorf("count %ss: %w", l.what, pg.MapError(err))
	}
	if n >= l.max {
		return 0, l.tooMany.WithDetail("a tenant has at most %d %ss", l.max, l.what)
	}
	return n, nil
}
