package deals

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// totalsKey is a row of board_totals: the opportunities of one stage, owner,
// team and currency ("" without an amount).
type totalsKey struct {
	pipeline, stage, owner, team, currency string
}

// totalsDelta is a change of a board_totals row.
type totalsDelta struct {
	key   totalsKey
	n     int64
	total int64
}

// contribution is what o adds to board_totals: nothing when it is nil or
// deleted.
func contribution(o *Opportunity) (totalsKey, int64, bool) {
	if o == nil || o.DeletedAt != nil {
		return totalsKey{}, 0, false
	}
	k := totalsKey{pipeline: o.PipelineID, stage: o.StageID, owner: o.OwnerID, team: o.TeamID}
	var amount int64
	if o.Amount != nil {
		k.currency, amount = o.Amount.Currency, o.Amount.Minor
	}
	return k, amount, true
}

// applyTotals keeps board_totals in step with a write of an opportunity
// from old (nil: none) to next (nil: none): old's contribution leaves, next's
// comes. Rows are changed in key order, so that two transactions moving
// opportunities in opposite directions lock them in the same order and
// never deadlock.
func applyTotals(ctx context.Context, tx *outbox.Tx, old, next *Opportunity) error {
	var deltas []totalsDelta
	add := func(k totalsKey, n, total int64) {
		for i := range deltas {
			if deltas[i].key == k {
				deltas[i].n, deltas[i].total = deltas[i].n+n, deltas[i].total+total
				return
			}
		}
		deltas = append(deltas, totalsDelta{key: k, n: n, total: total})
	}
	if k, amount, ok := contribution(old); ok {
		add(k, -1, -amount)
	}
	if k, amount, ok := contribution(next); ok {
		add(k, 1, amount)
	}
	slices.SortFunc(deltas, func(a, b totalsDelta) int {
		return cmp.Or(cmp.Compare(a.key.pipeline, b.key.pipeline), cmp.Compare(a.key.stage, b.key.stage), cmp.Compare(a.key.owner, b.key.owner),
			cmp.Compare(a.key.team, b.key.team), cmp.Compare(a.key.currency, b.key.currency))
	})
	for _, d := range deltas {
		if d.n == 0 && d.total == 0 {
			continue
		}
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO board_totals (tenant_id, pipeline_id, stage_id, owner_id, team_id, currency, n, total)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (tenant_id, pipeline_id, stage_id, owner_id, team_id, currency)
			DO UPDATE SET n = board_totals.n + EXCLUDED.n, total = board_totals.total + EXCLUDED.total`,
			d.key.pipeline, d.key.stage, d.key.owner, d.key.team, d.key.currency, d.n, d.total)
		if err != nil {
			return fmt.Errorf("board totals: %w", pg.MapError(err))
		}
	}
	return nil
}
