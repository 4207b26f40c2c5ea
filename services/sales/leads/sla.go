package leads

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// SweepFirstTouchEvery is how often an instance looks for first-touch
// deadlines passed: lead.sla_missed comes within about this long of the
// deadline.
const SweepFirstTouchEvery = time.Second

// Bounds of one round of Sweep: how many tenants it takes on at a time,
// how many deadlines one transaction claims, and how many transactions one
// tenant gets before the next tenant's turn.
const (
	slaTenantsPerRound  = 64
	slaBatch            = 500
	slaBatchesPerTenant = 20
)

// SLAMissed is the payload of lead.sla_missed: the lead, who had to touch
// it, the rule that set the deadline, and the deadline.
type SLAMissed struct {
	ID      string    `json:"id" db:"lead_id"`
	OwnerID string    `json:"ownerId" db:"owner_id"`
	RuleID  string    `json:"ruleId" db:"rule_id"`
	DueAt   time.Time `json:"dueAt" db:"due_at"`
	// live is whether the lead is live and open.
	Live bool `json:"-" db:"live"`
}

// FirstTouch keeps the first-touch deadlines the assignment rules set
// (lead_first_touch): an activity naming a lead touches it (Activity, from
// contacts' activity events), and a deadline passed untouched raises
// lead.sla_missed once (Sweep). It is the consumer's observer of
// contacts' activities (Activity). Deadlines are claimed with FOR UPDATE
// SKIP LOCKED, so any number of instances sweep together and each
// deadline is missed once; an instance that stops mid-way has raised what
// it committed and left the rest to the others.
type FirstTouch struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
}

// NewFirstTouch returns the FirstTouch of db, logging what it raises.
func NewFirstTouch(db *outbox.DB, logger *slog.Logger) *FirstTouch {
	return &FirstTouch{db: db, logger: logger, now: time.Now}
}

// Activity records that a contacts activity touched the leads it is
// related to (their firstTouchedAt, kept if they were touched before): a
// call, an email, a meeting or a note logged or changed at its
// occurredAt, a task when it is completed. A task planned touches
// nothing, nor does a deletion. It implements
// contactevents.ActivityObserver.
func (f *FirstTouch) Activity(ctx context.Context, tx *outbox.Tx, verb string, a contactevents.Activity) error {
	leads := a.RelatedIDs(registry.Sales, "lead")
	at := a.OccurredAt
	switch {
	case len(leads) == 0, verb == contactevents.ActivityDeleted:
		return nil
	case a.Type == "task" && verb != contactevents.ActivityCompleted:
		return nil
	case a.Type == "task":
		at = f.now()
	}
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE lead_first_touch SET touched_at = $2 WHERE lead_id = ANY($1::uuid[]) AND touched_at IS NULL",
		pq.StringArray(leads), at); err != nil {
		return fmt.Errorf("touch leads: %w", pg.MapError(err))
	}
	return nil
}

// Sweep raises lead.sla_missed for every first-touch deadline passed
// untouched, of every tenant, and returns how many: the tenants with such
// deadlines, oldest first, each for up to slaBatchesPerTenant
// transactions at a time, until none is left or a round raises nothing
// (what is left is another instance's). A failure stops it; what it
// committed is raised.
func (f *FirstTouch) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		var tenants []string
		if err := f.db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM due_first_touch_tenants($1)", slaTenantsPerRound); err != nil {
			return total, fmt.Errorf("find first-touch deadlines passed: %w", pg.MapError(err))
		}
		if len(tenants) == 0 {
			return total, nil
		}
		round := 0
		for _, tenant := range tenants {
			for range slaBatchesPerTenant {
				n, err := f.sweepBatch(ctx, tenant)
				round += n
				if err != nil {
					return total + round, err
				}
				if n < slaBatch {
					break
				}
			}
		}
		if total += round; round == 0 {
			return total, nil
		}
	}
}

// Run is Sweep as a periodic job: it logs how many deadlines were missed.
func (f *FirstTouch) Run(ctx context.Context) error {
	n, err := f.Sweep(ctx)
	if n > 0 {
		f.logger.InfoContext(ctx, "first-touch deadlines missed", "leads", n)
	}
	return err
}

// claimMissedSQL marks up to $1 of the tenant's deadlines passed and
// untouched missed, oldest first, skipping those another transaction
// holds, and returns them, with whether their lead is still live and
// open: a lead deleted, disqualified or converted in time raises nothing.
const claimMissedSQL = `WITH due AS (
		SELECT lead_id FROM lead_first_touch WHERE touched_at IS NULL AND missed_at IS NULL AND due_at <= now()
		ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED
	), missed AS (
		UPDATE lead_first_touch f SET missed_at = now() FROM due WHERE f.lead_id = due.lead_id
		RETURNING f.lead_id, f.rule_id, f.owner_id, f.due_at
	)
	SELECT m.lead_id, m.rule_id, m.owner_id, m.due_at,
		l.deleted_at IS NULL AND l.status IN ('new', 'working', 'nurturing', 'qualified') AS live
	FROM missed m JOIN leads l ON l.id = m.lead_id ORDER BY m.due_at, m.lead_id`

// sweepBatch claims up to slaBatch passed deadlines of tenant in one
// transaction, publishing lead.sla_missed for each of a lead live and
// open in it, and returns how many it claimed.
func (f *FirstTouch) sweepBatch(ctx context.Context, tenant string) (int, error) {
	var n int
	err := f.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var missed []SLAMissed
		if err := tx.SQL().SelectContext(ctx, &missed, claimMissedSQL, slaBatch); err != nil {
			return fmt.Errorf("claim first-touch deadlines: %w", pg.MapError(err))
		}
		n = len(missed)
		var subjects []string
		var states []any
		for i := range missed {
			if missed[i].Live {
				missed[i].DueAt = missed[i].DueAt.UTC()
				subjects, states = append(subjects, missed[i].ID), append(states, &missed[i])
			}
		}
		if len(subjects) == 0 {
			return nil
		}
		_, err := tx.Publish(ctx, tx.SQL(), pgstore.EntityLead, pgstore.VerbSLAMissed, subjects, states, nil)
		return err
	})
	return n, err
}

// Deadline is a lead's first-touch deadline: the rule that set it, who had
// to touch the lead and by when, and when an activity touched it or the
// deadline was missed.
type Deadline struct {
	RuleID    string     `json:"ruleId" db:"rule_id"`
	OwnerID   string     `json:"ownerId" db:"owner_id"`
	DueAt     time.Time  `json:"dueAt" db:"due_at"`
	TouchedAt *time.Time `json:"touchedAt,omitempty" db:"touched_at"`
	MissedAt  *time.Time `json:"missedAt,omitempty" db:"missed_at"`
}

// deadlineOf reads the first-touch deadline of the lead id in tx; nil
// when it has none.
func deadlineOf(ctx context.Context, tx *outbox.Tx, id string) (*Deadline, error) {
	var d []Deadline
	if err := tx.SQL().SelectContext(ctx, &d, "SELECT rule_id, owner_id, due_at, touched_at, missed_at FROM lead_first_touch WHERE lead_id = $1", id); err != nil {
		return nil, fmt.Errorf("read first-touch deadline: %w", pg.MapError(err))
	}
	if len(d) == 0 {
		return nil, nil
	}
	d[0].DueAt, d[0].TouchedAt, d[0].MissedAt = d[0].DueAt.UTC(), utc(d[0].TouchedAt), utc(d[0].MissedAt)
	return &d[0], nil
}
