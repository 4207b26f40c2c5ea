package dashboards

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// The rhythm of delivery.
const (
	// DeliverEvery is how often the job looks for schedules due: often, so
	// a due time is mailed within seconds of it; a round with nothing due
	// is one indexed query.
	DeliverEvery = 5 * time.Second
	// tenantsPerRound and schedulesPerTenant bound a round's work.
	tenantsPerRound    = 100
	schedulesPerTenant = 20
)

// Deliverer mails the schedules due, every instance's job taking turns
// through the database: a schedule due is claimed (FOR UPDATE SKIP
// LOCKED) and its next due time set in the claiming transaction, before
// anything is rendered or sent, so each due time is mailed at most once —
// by one instance, and never again should the instance stop before
// recording the run. A due time missed while the service was down is
// mailed once, then the schedule moves to its first time after now.
type Deliverer struct {
	db     *outbox.DB
	cfg    Config
	logger *slog.Logger
	now    func() time.Time
}

// NewDeliverer returns the Deliverer of schedules in db through cfg's
// relay; without one it logs that delivery is off and its job does
// nothing (schedules are saved and stay due).
func NewDeliverer(db *outbox.DB, cfg Config, logger *slog.Logger) *Deliverer {
	if cfg.Relay == nil {
		logger.Warn(EnvSMTPURL + " is unset: report schedules can be saved but are not delivered")
	}
	return &Deliverer{db: db, cfg: cfg, logger: logger, now: time.Now}
}

// Job is the delivery job, run on every instance.
func (d *Deliverer) Job() starter.Job {
	return starter.Job{Name: "reporting: scheduled reports", Every: DeliverEvery, Run: d.Run}
}

// Run mails the schedules due of the tenants that have some.
func (d *Deliverer) Run(ctx context.Context) error {
	if d.cfg.Relay == nil {
		return nil
	}
	tenants, err := tenantsDue(ctx, d.db, tenantsPerRound)
	if err != nil {
		return err
	}
	var failed []error
	for _, tenant := range tenants {
		for range schedulesPerTenant {
			more, err := d.deliverOne(ctx, tenant)
			if err != nil {
				failed = append(failed, fmt.Errorf("tenant %s: %w", tenant, err))
			}
			if !more || err != nil {
				break
			}
		}
	}
	return errors.Join(failed...)
}

// claimed is a schedule a round claimed: it, the principal it runs as and
// the time it was due.
type claimed struct {
	schedule Schedule
	as       runAs
	due      time.Time
}

// deliverOne claims a schedule of tenant due now, moving it to its next
// due time, then renders and mails it and records how that went; more
// false when none was due.
func (d *Deliverer) deliverOne(ctx context.Context, tenant string) (more bool, err error) {
	now := pg.Timestamp(d.now()).UTC()
	var c claimed
	err = d.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		sc, as, ok, err := claimDue(ctx, tx, now)
		if !ok || err != nil {
			return err
		}
		more, c = true, claimed{schedule: sc, as: as, due: sc.NextRunAt}
		return advance(ctx, tx, sc.ID, sc.next(now))
	})
	if !more || err != nil {
		return false, err
	}
	p := c.as.principal(tenant)
	var m report
	err = d.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if !p.Can(rm.PermRead) {
			return errNoRead
		}
		var err error
		m, err = render(ctx, tx, c.schedule, p, c.due)
		return err
	})
	if err == nil {
		err = d.send(ctx, c.schedule, m, now)
	}
	lastError := ""
	if err != nil {
		lastError = describe(err)
		d.logger.WarnContext(ctx, "a scheduled report was not delivered", "tenant", tenant, "schedule", c.schedule.ID, "error", lastError)
	}
	return true, d.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return record(ctx, tx, c.schedule.ID, now, lastError) })
}

// errNoRead is a schedule whose owner could not read reports when it last
// saved it.
var errNoRead = errors.New("the schedule's owner lacks reporting:read; the owner must save the schedule again with it")

// describe is the text of a run's failure for lastError: a report's
// invalid parameters named.
func describe(err error) string {
	if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
		var b strings.Builder
		b.WriteString(err.Error())
		for _, f := range e.Fields {
			fmt.Fprintf(&b, "; %s %s", f.Field, f.Reason)
		}
		return b.String()
	}
	return err.Error()
}

// record sets the schedule id's last run (at, lastError "" when its mail
// went) and publishes report_schedule.delivered or .failed; a schedule
// deleted meanwhile is left alone.
func record(ctx context.Context, tx *outbox.Tx, id string, at time.Time, lastError string) error {
	sc, _, err := getSchedule(ctx, tx, id, true)
	if errors.Is(err, ErrScheduleNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := recordRun(ctx, tx, id, at, lastError); err != nil {
		return err
	}
	sc.LastRunAt, sc.LastError = &at, lastError
	verb := rm.VerbDelivered
	if lastError != "" {
		verb = rm.VerbFailed
	}
	return tx.Emit(ctx, rm.EntityReportSchedule, verb, id, sc, nil)
}
