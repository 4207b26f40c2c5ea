package dashboards

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// runAs is the principal a schedule's reports run as: its owner's when
// the owner last saved it, without the tenant (the row's).
type runAs struct {
	UserID       string                `json:"userId"`
	Roles        []string              `json:"roles"`
	Teams        []string              `json:"teams"`
	Subordinates []string              `json:"subordinates"`
	Permissions  []string              `json:"permissions"`
	RecordScope  map[string]auth.Scope `json:"recordScope"`
}

// runAsOf is the runAs of p.
func runAsOf(p auth.Principal) runAs {
	return runAs{UserID: p.UserID, Roles: p.Roles, Teams: p.Teams, Subordinates: p.Subordinates, Permissions: p.Permissions,
		RecordScope: p.RecordScope}
}

// principal is r as the principal of tenant.
func (r runAs) principal(tenant string) auth.Principal {
	return auth.Principal{TenantID: tenant, UserID: r.UserID, Roles: r.Roles, Teams: r.Teams, Subordinates: r.Subordinates,
		Permissions: r.Permissions, RecordScope: r.RecordScope}
}

// scheduleRow is a row of report_schedules.
type scheduleRow struct {
	ID          string         `db:"id"`
	Name        string         `db:"name"`
	DashboardID sql.NullString `db:"dashboard_id"`
	Report      sql.NullString `db:"report"`
	Params      []byte         `db:"params"`
	Format      string         `db:"format"`
	Language    string         `db:"language"`
	Frequency   string         `db:"frequency"`
	Hour        int            `db:"hour"`
	Weekday     string         `db:"weekday"`
	DayOfMonth  int            `db:"day_of_month"`
	Recipients  pq.StringArray `db:"recipients"`
	OwnerID     string         `db:"owner_id"`
	RunAs       []byte         `db:"run_as"`
	NextRunAt   time.Time      `db:"next_run_at"`
	LastRunAt   pq.NullTime    `db:"last_run_at"`
	LastError   string         `db:"last_error"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
	Version     int64          `db:"version"`
}

// scheduleColumns are the columns of a scheduleRow.
const scheduleColumns = `id, name, dashboard_id, report, params, format, language, frequency, hour, weekday, day_of_month,
	recipients, owner_id, run_as, next_run_at, last_run_at, last_error, created_at, updated_at, version`

// schedule is the Schedule of r and the principal it runs as.
func (r scheduleRow) schedule() (Schedule, runAs, error) {
	s := Schedule{ID: r.ID, Name: r.Name, DashboardID: r.DashboardID.String, Report: r.Report.String, Format: r.Format,
		Language: r.Language, Frequency: r.Frequency, Hour: r.Hour, Weekday: r.Weekday, DayOfMonth: r.DayOfMonth,
		Recipients: []string(r.Recipients), OwnerID: r.OwnerID, NextRunAt: r.NextRunAt.UTC(), LastError: r.LastError,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.LastRunAt.Valid {
		at := r.LastRunAt.Time.UTC()
		s.LastRunAt = &at
	}
	var as runAs
	if err := json.Unmarshal(r.Params, &s.Params); err != nil {
		return s, as, fmt.Errorf("read schedule %s's params: %w", r.ID, err)
	}
	if s.Report == "" {
		s.Params = nil
	}
	if err := json.Unmarshal(r.RunAs, &as); err != nil {
		return s, as, fmt.Errorf("read schedule %s's principal: %w", r.ID, err)
	}
	return s, as, nil
}

// listSchedules reads up to n schedules p may see (its own; a
// reporting:admin's all), newest first, with ids before before.
func listSchedules(ctx context.Context, tx *outbox.Tx, p auth.Principal, before string, n int) ([]Schedule, error) {
	var q pgrecord.Query
	if !p.Can(rm.PermAdmin) {
		q.Add("owner_id = ?", p.UserID)
	}
	if before != "" {
		q.Add("id < ?", before)
	}
	var rows []scheduleRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+scheduleColumns+" FROM report_schedules"+q.Where()+
		fmt.Sprintf(" ORDER BY id DESC LIMIT %d", n), q.Args...); err != nil {
		return nil, fmt.Errorf("list report schedules: %w", pg.MapError(err))
	}
	out := make([]Schedule, len(rows))
	for i, r := range rows {
		var err error
		if out[i], _, err = r.schedule(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// getSchedule reads the schedule id, locked for the transaction when
// lock.
func getSchedule(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Schedule, runAs, error) {
	var r scheduleRow
	if err := pgrecord.GetRow(ctx, tx, &r, "report_schedules", scheduleColumns, id, lock, ErrScheduleNotFound, "report schedule"); err != nil {
		return Schedule{}, runAs{}, err
	}
	return r.schedule()
}

// saveSchedule inserts s, to run as as, or updates its row.
func saveSchedule(ctx context.Context, tx *outbox.Tx, s Schedule, as runAs, insert bool) error {
	params, err := json.Marshal(s.Params)
	if err != nil {
		return fmt.Errorf("save report schedule: %w", err)
	}
	principal, err := json.Marshal(as)
	if err != nil {
		return fmt.Errorf("save report schedule: %w", err)
	}
	q := `UPDATE report_schedules SET name = $2, dashboard_id = $3, report = $4, params = $5, format = $6, language = $7,
		frequency = $8, hour = $9, weekday = $10, day_of_month = $11, recipients = $12, owner_id = $13, run_as = $14,
		next_run_at = $15, created_at = $16, updated_at = $17, version = $18 WHERE id = $1`
	if insert {
		q = `INSERT INTO report_schedules (tenant_id, id, name, dashboard_id, report, params, format, language, frequency, hour,
			weekday, day_of_month, recipients, owner_id, run_as, next_run_at, created_at, updated_at, version)
			VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, s.ID, s.Name, pgrecord.OrNull(s.DashboardID), pgrecord.OrNull(s.Report), params,
		s.Format, s.Language, s.Frequency, s.Hour, s.Weekday, s.DayOfMonth, pq.StringArray(s.Recipients), s.OwnerID, principal,
		s.NextRunAt, s.CreatedAt, s.UpdatedAt, s.Version); err != nil {
		return fmt.Errorf("save report schedule: %w", pg.MapError(err))
	}
	return nil
}

// deleteSchedule removes the schedule id.
func deleteSchedule(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM report_schedules WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete report schedule: %w", pg.MapError(err))
	}
	return nil
}

// tenantsDue lists up to n tenants with schedules due (the SECURITY
// DEFINER function reporting_schedules_tenants_due, across tenants).
func tenantsDue(ctx context.Context, db *outbox.DB, n int) ([]string, error) {
	var out []string
	if err := db.Pool().SelectContext(ctx, &out, "SELECT tenant_id FROM reporting_schedules_tenants_due($1)", n); err != nil {
		return nil, fmt.Errorf("find the tenants with report schedules due: %w", pg.MapError(err))
	}
	return out, nil
}

// claimDue reads and locks one schedule of tx's tenant due at now that no
// other transaction holds (FOR UPDATE SKIP LOCKED); ok false when none.
func claimDue(ctx context.Context, tx *outbox.Tx, now time.Time) (s Schedule, as runAs, ok bool, err error) {
	var r scheduleRow
	err = tx.SQL().GetContext(ctx, &r, "SELECT "+scheduleColumns+` FROM report_schedules WHERE next_run_at <= $1
		ORDER BY next_run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`, now)
	if err == sql.ErrNoRows {
		return s, as, false, nil
	}
	if err != nil {
		return s, as, false, fmt.Errorf("claim a report schedule: %w", pg.MapError(err))
	}
	s, as, err = r.schedule()
	return s, as, err == nil, err
}

// advance sets the schedule id's next due time to next.
func advance(ctx context.Context, tx *outbox.Tx, id string, next time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE report_schedules SET next_run_at = $2 WHERE id = $1", id, next); err != nil {
		return fmt.Errorf("advance a report schedule: %w", pg.MapError(err))
	}
	return nil
}

// recordRun sets what the schedule id's run at at did: lastError "" for a
// delivered mail.
func recordRun(ctx context.Context, tx *outbox.Tx, id string, at time.Time, lastError string) error {
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE report_schedules SET last_run_at = $2, last_error = $3 WHERE id = $1",
		id, at, lastError); err != nil {
		return fmt.Errorf("record a report schedule's run: %w", pg.MapError(err))
	}
	return nil
}
