package activities

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// FireRemindersEvery is how often an instance looks for due reminders: a
// reminder fires within about this long of its time, one set in the past
// at once.
const FireRemindersEvery = time.Second

// Bounds of one round of Fire: how many tenants it takes on at a time, how
// many reminders one transaction fires, and how many transactions one
// tenant gets before the next tenant's turn.
const (
	tenantsPerRound  = 64
	reminderBatch    = 500
	batchesPerTenant = 20
)

// Reminders fires the reminders of tasks and meetings when they are due:
// each as an activity.reminder_due event, added to the outbox in the
// transaction that marks it fired. Due reminders are claimed with FOR
// UPDATE SKIP LOCKED, so any number of instances fire them together and
// each fires once; one that stops mid-way has fired what it committed and
// left the rest to the others.
type Reminders struct {
	db     *pgstore.DB
	logger *slog.Logger
}

// NewReminders returns the Reminders of db, logging what it fires.
func NewReminders(db *pgstore.DB, logger *slog.Logger) *Reminders {
	return &Reminders{db: db, logger: logger}
}

// Fire fires every reminder due by now, of every tenant, and returns how
// many it fired: the tenants with due reminders, oldest due first, each
// for up to batchesPerTenant transactions at a time, until none is due or
// a round fires nothing (what is left is another instance's). A failure
// stops it; what it committed is fired.
func (r *Reminders) Fire(ctx context.Context) (int, error) {
	total := 0
	for {
		tenants, err := dueTenants(ctx, r.db, tenantsPerRound)
		if err != nil || len(tenants) == 0 {
			return total, err
		}
		round := 0
		for _, tenant := range tenants {
			for range batchesPerTenant {
				n, err := r.fireBatch(ctx, tenant)
				round += n
				if err != nil {
					return total + round, err
				}
				if n < reminderBatch {
					break
				}
			}
		}
		if total += round; round == 0 {
			return total, nil
		}
	}
}

// Run is Fire as a periodic job: it logs how many it fired.
func (r *Reminders) Run(ctx context.Context) error {
	n, err := r.Fire(ctx)
	if n > 0 {
		r.logger.InfoContext(ctx, "fired reminders", "reminders", n)
	}
	return err
}

// fireBatch fires up to reminderBatch due reminders of tenant in one
// transaction and returns how many it fired.
func (r *Reminders) fireBatch(ctx context.Context, tenant string) (int, error) {
	var n int
	err := r.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		due, err := claimDue(ctx, tx, reminderBatch)
		if err != nil || len(due) == 0 {
			return err
		}
		subjects, states := make([]string, len(due)), make([]any, len(due))
		for i := range due {
			subjects[i], states[i] = due[i].ID, &due[i]
		}
		n = len(due)
		return tx.EmitEach(ctx, customer.EventActivity, customer.VerbReminderDue, subjects, states)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
