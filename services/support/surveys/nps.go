package surveys

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// npsTenants is how many tenants a round of the NPS schedule takes on.
const npsTenants = 64

// NPS is the schedule of the NPS surveys across tenants: for each tenant
// whose period is over (NPSEveryDays since the last run; the first run at
// once), an NPS survey to each requester of the cases solved in the
// period, one per address, due at once for the Sender.
type NPS struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
}

// NewNPS returns the NPS schedule on db.
func NewNPS(db *outbox.DB, logger *slog.Logger) *NPS {
	return &NPS{db: db, logger: logger, now: time.Now}
}

// Run adds the NPS surveys of every tenant due, until none is left.
func (j *NPS) Run(ctx context.Context) error {
	for {
		var tenants []string
		if err := j.db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM nps_tenants_due($1)", npsTenants); err != nil {
			return fmt.Errorf("find NPS surveys due: %w", pg.MapError(err))
		}
		for _, tenant := range tenants {
			if err := j.tenant(ctx, tenant); err != nil {
				return err
			}
		}
		if len(tenants) < npsTenants {
			return nil
		}
	}
}

// tenant adds the NPS surveys of tenant's period, once: the settings' row
// is locked and its period checked again, so a second instance adds none.
func (j *NPS) tenant(ctx context.Context, tenant string) error {
	now := pg.Timestamp(j.now()).UTC()
	n := 0
	err := j.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var set struct {
			Enabled bool       `db:"nps_enabled"`
			Days    int        `db:"nps_every_days"`
			LastRun *time.Time `db:"nps_last_run_at"`
		}
		err := tx.SQL().GetContext(ctx, &set, `SELECT nps_enabled, nps_every_days, nps_last_run_at FROM survey_settings FOR UPDATE`)
		if err != nil {
			return fmt.Errorf("read NPS settings: %w", pg.MapError(err))
		}
		from := now.AddDate(0, 0, -set.Days)
		if !set.Enabled {
			return nil
		}
		if set.LastRun != nil {
			if set.LastRun.AddDate(0, 0, set.Days).After(now) {
				return nil
			}
			from = set.LastRun.UTC()
		}
		found, err := solvedRequesters(ctx, tx, from, now)
		if err != nil {
			return err
		}
		for _, r := range found {
			added, err := insertSurvey(ctx, tx, &Survey{ID: ids.New(), Kind: KindNPS, ContactID: r.ContactID, Address: r.Address, Name: r.Name,
				PeriodStart: &from,
				Status:      StatusPending, SendAfter: now, CreatedAt: now})
			if err != nil {
				return err
			}
			if added {
				n++
			}
		}
		if _, err := tx.SQL().ExecContext(ctx, `UPDATE survey_settings SET nps_last_run_at = $1`, now); err != nil {
			return fmt.Errorf("record the NPS run: %w", pg.MapError(err))
		}
		return nil
	})
	if err == nil && n > 0 {
		j.logger.InfoContext(ctx, "NPS surveys scheduled", "tenant", tenant, "surveys", n)
	}
	return err
}
