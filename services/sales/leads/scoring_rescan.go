package leads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// RescanEvery is how often an instance looks for tenants whose scoring
// rules changed: their leads are scored again within about this long.
const RescanEvery = time.Second

// Bounds of one round of Rescans: how many tenants it takes on at a time,
// how many leads one transaction rescores, and how many transactions one
// tenant gets before the next tenant's turn.
const (
	rescanTenantsPerRound  = 64
	rescanBatch            = 200
	rescanBatchesPerTenant = 50
)

// requestRescan asks in tx, the transaction of a change of the tenant's
// scoring rules, for every live, unconverted lead of the tenant to be
// scored again from the first (lead_score_rescans): a rescan under way
// starts over, for what it did was scored by the old rules.
func requestRescan(ctx context.Context, tx *outbox.Tx) error {
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO lead_score_rescans (tenant_id, requested_at) VALUES (`+pgrecord.CurrentTenant+`, now())
		ON CONFLICT (tenant_id) DO UPDATE SET requested_at = EXCLUDED.requested_at, after_id = NULL`); err != nil {
		return fmt.Errorf("request a rescan of lead scores: %w", pg.MapError(err))
	}
	return nil
}

// Rescans scores leads again after their tenant's scoring rules changed,
// as a periodic job on every instance: the row of the rescan
// (lead_score_rescans) is the source of truth, never memory, so a rescan
// survives restarts and one instance works on a tenant at a time.
type Rescans struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewRescans returns the Rescans writing through db.
func NewRescans(db *outbox.DB, logger *slog.Logger) *Rescans {
	return &Rescans{db: db, logger: logger}
}

// Run is Rescan as a periodic job: it logs how many leads moved.
func (r *Rescans) Run(ctx context.Context) error {
	n, err := r.Rescan(ctx)
	if n > 0 {
		r.logger.InfoContext(ctx, "lead scores rescanned", "moved", n)
	}
	return err
}

// Rescan works through the rescans asked for, of every tenant, oldest
// first, each for up to rescanBatchesPerTenant transactions at a time,
// until none is left or a round does nothing (what is left is another
// instance's), and returns how many leads' score, reasons or status
// moved. A failure stops it; what it committed stays, and the rescan goes
// on from there at the next run.
func (r *Rescans) Rescan(ctx context.Context) (int, error) {
	moved := 0
	for {
		var tenants []string
		if err := r.db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM due_score_rescans($1)", rescanTenantsPerRound); err != nil {
			return moved, fmt.Errorf("find lead score rescans: %w", pg.MapError(err))
		}
		worked := false
		for _, tenant := range tenants {
			for range rescanBatchesPerTenant {
				n, done, err := r.batch(ctx, tenant)
				moved += n
				if err != nil {
					return moved, err
				}
				if done == nil {
					break // another instance holds it
				}
				worked = true
				if *done {
					break
				}
			}
		}
		if !worked {
			return moved, nil
		}
	}
}

// batch rescores the next rescanBatch leads of tenant's rescan in one
// transaction holding its row, moving it on, or deleting it when no lead
// is left. done is nil when there was no rescan to take (done, or held by
// another instance); n is how many leads moved.
func (r *Rescans) batch(ctx context.Context, tenant string) (n int, done *bool, err error) {
	err = r.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var after sql.NullString
		if err := tx.SQL().GetContext(ctx, &after, "SELECT after_id FROM lead_score_rescans FOR UPDATE SKIP LOCKED"); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return fmt.Errorf("take the lead score rescan: %w", pg.MapError(err))
		}
		var list []string
		if err := tx.SQL().SelectContext(ctx, &list, `SELECT id FROM leads WHERE ($1::uuid IS NULL OR id > $1::uuid) AND deleted_at IS NULL
			AND status <> 'converted' ORDER BY id LIMIT $2`, after, rescanBatch); err != nil {
			return fmt.Errorf("list leads to rescore: %w", pg.MapError(err))
		}
		for _, id := range list {
			changed, err := rescoreIn(ctx, tx, id)
			if err != nil {
				return err
			}
			if changed {
				n++
			}
		}
		finished := len(list) < rescanBatch
		done = &finished
		q, args := "UPDATE lead_score_rescans SET after_id = $1", []any{}
		if finished {
			q = "DELETE FROM lead_score_rescans"
		} else {
			args = append(args, list[len(list)-1])
		}
		if _, err := tx.SQL().ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("move the lead score rescan on: %w", pg.MapError(err))
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return n, done, nil
}
