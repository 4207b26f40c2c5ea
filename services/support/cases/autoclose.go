package cases

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// AutoCloseEvery is how often the auto-close job runs.
const AutoCloseEvery = 10 * time.Minute

// The auto-close job's batches: tenants per round, cases per transaction.
const (
	autoCloseTenants = 50
	autoCloseBatch   = 100
)

// AutoClose closes the solved cases of every tenant once its
// autoCloseDays have passed since they were solved (case.updated and
// case.status_changed from system:auto-close). It runs on every instance:
// each transaction claims its cases with SKIP LOCKED, so instances share
// the work and never close a case twice.
type AutoClose struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewAutoClose returns the AutoClose job on db.
func NewAutoClose(db *outbox.DB, logger *slog.Logger) *AutoClose {
	return &AutoClose{db: db, logger: logger}
}

// Run closes the cases due, tenant by tenant (solved_case_tenants finds
// them), until a round closes none; it logs how many it closed.
func (a *AutoClose) Run(ctx context.Context) error {
	total := 0
	defer func() {
		if total > 0 {
			a.logger.InfoContext(ctx, "solved cases closed", "cases", total)
		}
	}()
	for {
		var tenants []string
		if err := a.db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM solved_case_tenants($1)", autoCloseTenants); err != nil {
			return fmt.Errorf("find solved cases due: %w", pg.MapError(err))
		}
		round := 0
		for _, tenant := range tenants {
			for {
				n, err := a.closeBatch(ctx, tenant)
				round += n
				if err != nil {
					total += round
					return err
				}
				if n < autoCloseBatch {
					break
				}
			}
		}
		if total += round; round == 0 {
			return nil
		}
	}
}

// closeBatch closes up to autoCloseBatch of tenant's cases due in one
// transaction and returns how many.
func (a *AutoClose) closeBatch(ctx context.Context, tenant string) (n int, err error) {
	err = a.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		st, err := settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		var due []string
		if err := tx.SQL().SelectContext(ctx, &due, `SELECT id FROM cases WHERE status = 'solved' AND deleted_at IS NULL
			AND solved_at <= now() - make_interval(days => $1) ORDER BY solved_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
			st.AutoCloseDays, autoCloseBatch); err != nil {
			return fmt.Errorf("claim solved cases: %w", pg.MapError(err))
		}
		for _, id := range due {
			if _, err := ChangeIn(ctx, tx, id, func(c *Case) error { c.Status = StatusClosed; return nil }); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}
