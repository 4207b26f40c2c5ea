package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// calendarRow is a row of business_calendars.
type calendarRow struct {
	ID         string    `db:"id"`
	Name       string    `db:"name"`
	Definition []byte    `db:"definition"`
	CreatedAt  time.Time `db:"created_at"`
	UpdatedAt  time.Time `db:"updated_at"`
	Version    int64     `db:"version"`
}

const calendarColumns = "id, name, definition, created_at, updated_at, version"

// calendar is the BusinessCalendar of r.
func (r calendarRow) calendar() (*BusinessCalendar, error) {
	b := &BusinessCalendar{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if err := json.Unmarshal(r.Definition, &b.Definition); err != nil {
		return nil, fmt.Errorf("read business calendar %s: %w", r.ID, err)
	}
	return b, nil
}

// saveCalendar inserts or updates b's row.
func saveCalendar(ctx context.Context, tx *outbox.Tx, b *BusinessCalendar, insert bool) error {
	def, err := json.Marshal(b.Definition)
	if err != nil {
		return err
	}
	q := "UPDATE business_calendars SET name = $2, definition = $3, created_at = $4, updated_at = $5, version = $6 WHERE id = $1"
	if insert {
		q = "INSERT INTO business_calendars (tenant_id, " + calendarColumns + ") VALUES (" + pgrecord.CurrentTenant + ", $1, $2, $3, $4, $5, $6)"
	}
	if _, err := tx.SQL().ExecContext(ctx, q, b.ID, b.Name, def, b.CreatedAt, b.UpdatedAt, b.Version); err != nil {
		if pg.IsUniqueViolation(err, "business_calendars_name") {
			return ErrCalendarExists.WithDetail("a business calendar named %q already exists", b.Name)
		}
		return fmt.Errorf("save business calendar: %w", pg.MapError(err))
	}
	return nil
}

// getCalendar reads the calendar id, locking it when lock.
func getCalendar(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*BusinessCalendar, error) {
	var r calendarRow
	if err := pgrecord.GetRow(ctx, tx, &r, "business_calendars", calendarColumns, id, lock, ErrCalendarNotFound, "business calendar"); err != nil {
		return nil, err
	}
	return r.calendar()
}

// listCalendars returns the tenant's calendars by name.
func listCalendars(ctx context.Context, tx *outbox.Tx) ([]BusinessCalendar, error) {
	var rows []calendarRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+calendarColumns+" FROM business_calendars ORDER BY lower(name), id"); err != nil {
		return nil, fmt.Errorf("list business calendars: %w", pg.MapError(err))
	}
	out := make([]BusinessCalendar, len(rows))
	for i, r := range rows {
		b, err := r.calendar()
		if err != nil {
			return nil, err
		}
		out[i] = *b
	}
	return out, nil
}

// calendarRows is how pgrecord.Update reads, writes and deletes calendars;
// one a policy or a running clock (a contract's coverage hours) uses is
// not deleted.
var calendarRows = pgrecord.Rows[*BusinessCalendar]{
	Entity: supportdb.EntityBusinessCalendar,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*BusinessCalendar, error) {
		return getCalendar(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *outbox.Tx, _, next *BusinessCalendar) error {
		return saveCalendar(ctx, tx, next, false)
	},
	Delete: func(ctx context.Context, tx *outbox.Tx, id string) error {
		var running bool
		if err := tx.SQL().GetContext(ctx, &running, `SELECT EXISTS (SELECT 1 FROM case_clocks
			WHERE calendar_id = $1 AND met_at IS NULL AND stopped_at IS NULL)`, id); err != nil {
			return fmt.Errorf("delete business calendar: %w", pg.MapError(err))
		}
		if running {
			return ErrCalendarInUse.WithDetail("the running SLA clocks of cases under a service contract run on this business calendar")
		}
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM business_calendars WHERE id = $1", id); err != nil {
			if errors.Is(pg.MapError(err), pg.ErrReference) {
				return ErrCalendarInUse
			}
			return fmt.Errorf("delete business calendar: %w", pg.MapError(err))
		}
		return nil
	},
}

// policyRow is a row of sla_policies.
type policyRow struct {
	ID          string    `db:"id"`
	Name        string    `db:"name"`
	Position    int       `db:"position"`
	Active      bool      `db:"active"`
	CalendarID  string    `db:"calendar_id"`
	Conditions  []byte    `db:"conditions"`
	Targets     []byte    `db:"targets"`
	WarnBefore  int       `db:"warn_before_minutes"`
	Escalations []byte    `db:"escalations"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	Version     int64     `db:"version"`
}

const policyColumns = `id, name, position, active, calendar_id, conditions, targets, warn_before_minutes, escalations,
	created_at, updated_at, version`

// policy is the Policy of r.
func (r policyRow) policy() (Policy, error) {
	active := r.Active
	p := Policy{ID: r.ID, Name: r.Name, Position: r.Position, Active: &active, CalendarID: r.CalendarID, WarnBeforeMinutes: r.WarnBefore,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	for _, f := range []struct {
		raw []byte
		v   any
	}{{r.Conditions, &p.Conditions}, {r.Targets, &p.Targets}, {r.Escalations, &p.Escalations}} {
		if err := json.Unmarshal(f.raw, f.v); err != nil {
			return p, fmt.Errorf("read SLA policy %s: %w", r.ID, err)
		}
	}
	p.Conditions.nonNil()
	return p, nil
}

// savePolicy inserts or updates p's row; its calendar must exist.
func savePolicy(ctx context.Context, tx *outbox.Tx, p *Policy, insert bool) error {
	if _, err := getCalendar(ctx, tx, p.CalendarID, false); err != nil {
		if errors.Is(err, ErrCalendarNotFound) {
			return errs.Invalidf([]errs.FieldError{{Field: "calendarId", Reason: "no such business calendar"}}, "invalid fields: calendarId")
		}
		return err
	}
	cond, _ := json.Marshal(p.Conditions)
	targets, _ := json.Marshal(p.Targets)
	esc, _ := json.Marshal(p.Escalations)
	q := `UPDATE sla_policies SET name = $2, position = $3, active = $4, calendar_id = $5, conditions = $6, targets = $7,
		warn_before_minutes = $8, escalations = $9, created_at = $10, updated_at = $11, version = $12 WHERE id = $1`
	if insert {
		q = "INSERT INTO sla_policies (tenant_id, " + policyColumns + ") VALUES (" + pgrecord.CurrentTenant +
			", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
	}
	if _, err := tx.SQL().ExecContext(ctx, q, p.ID, p.Name, p.Position, *p.Active, p.CalendarID, cond, targets, p.WarnBeforeMinutes, esc,
		p.CreatedAt, p.UpdatedAt, p.Version); err != nil {
		if pg.IsUniqueViolation(err, "sla_policies_name") {
			return ErrPolicyExists.WithDetail("an SLA policy named %q already exists", p.Name)
		}
		return fmt.Errorf("save SLA policy: %w", pg.MapError(err))
	}
	return nil
}

// getPolicy reads the policy id, locking it when lock.
func getPolicy(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Policy, error) {
	var r policyRow
	if err := pgrecord.GetRow(ctx, tx, &r, "sla_policies", policyColumns, id, lock, ErrPolicyNotFound, "SLA policy"); err != nil {
		return nil, err
	}
	p, err := r.policy()
	return &p, err
}

// listPolicies returns the tenant's policies in the order they are
// chosen: by position, then age.
func listPolicies(ctx context.Context, tx *outbox.Tx) ([]Policy, error) {
	var rows []policyRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+policyColumns+" FROM sla_policies ORDER BY position, created_at, id"); err != nil {
		return nil, fmt.Errorf("list SLA policies: %w", pg.MapError(err))
	}
	out := make([]Policy, len(rows))
	for i, r := range rows {
		p, err := r.policy()
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// policyRows is how pgrecord.Update reads, writes and deletes policies.
var policyRows = pgrecord.Rows[*Policy]{
	Entity: supportdb.EntitySLAPolicy,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*Policy, error) {
		return getPolicy(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *outbox.Tx, _, next *Policy) error {
		return savePolicy(ctx, tx, next, false)
	},
	Delete: func(ctx context.Context, tx *outbox.Tx, id string) error {
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM sla_policies WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete SLA policy: %w", pg.MapError(err))
		}
		return nil
	},
}
