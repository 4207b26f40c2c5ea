package queues

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// RetryEvery is how often an instance assigns the cases waiting in
// queues: those nobody was available for when they arrived get someone
// within about this long of an agent coming online or under capacity
// (the consumer and a presence change assign sooner where they can).
const RetryEvery = 30 * time.Second

// Bounds of one round of the retry: how many tenants it takes on, how
// many cases one queue's transaction assigns.
const (
	retryTenants = 64
	retryBatch   = 200
)

// Retrier assigns the cases waiting unassigned in every tenant's queues,
// one queue per transaction (lockPool's rule), on every instance: the
// queue's row lock makes them take turns.
type Retrier struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewRetrier returns the Retrier of db, logging what it assigns.
func NewRetrier(db *outbox.DB, logger *slog.Logger) *Retrier {
	return &Retrier{db: db, logger: logger}
}

// Run is one round as a periodic job: every tenant with cases waiting
// (unassigned_case_tenants), every queue of theirs with some, once.
func (r *Retrier) Run(ctx context.Context) error {
	var tenants []string
	if err := r.db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM unassigned_case_tenants($1)", retryTenants); err != nil {
		return fmt.Errorf("find unassigned cases: %w", pg.MapError(err))
	}
	total := 0
	for _, t := range tenants {
		n, err := assignWaiting(ctx, r.db, t, nil)
		total += n
		if err != nil {
			return err
		}
	}
	if total > 0 {
		r.logger.InfoContext(ctx, "waiting cases assigned", "cases", total)
	}
	return nil
}

// assignWaiting assigns what it can of the cases waiting in tenant's
// queues (of the ids only; all when none), each queue in a transaction of
// its own, and returns how many it assigned.
func assignWaiting(ctx context.Context, db *outbox.DB, tenant string, only []string) (int, error) {
	var list []string
	err := db.InTx(ctx, tenant, func(tx *outbox.Tx) (err error) {
		list, err = waitingQueues(ctx, tx, only)
		return err
	})
	total := 0
	for _, id := range list {
		if err != nil {
			break
		}
		err = db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
			n, err := assignQueue(ctx, tx, id, retryBatch)
			total += n
			return err
		})
	}
	return total, err
}
