package activities

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// columns are the columns of activities, in row's order.
const columns = "id, type, subject, body, contact_id, account_id, related, assignee_id, team_id, occurred_at, ends_at, " +
	"reminder_at, details, status, priority, due_at, completed_at, recurrence, series_id, occurrence, external_id, " +
	"created_by, created_at, updated_at, version"

// row is an activity as the table holds it: the type's own fields in
// details, a task's in columns of their own.
type row struct {
	ID          string     `db:"id"`
	Type        string     `db:"type"`
	Subject     string     `db:"subject"`
	Body        string     `db:"body"`
	ContactID   *string    `db:"contact_id"`
	AccountID   *string    `db:"account_id"`
	Related     string     `db:"related"`
	AssigneeID  string     `db:"assignee_id"`
	TeamID      string     `db:"team_id"`
	OccurredAt  time.Time  `db:"occurred_at"`
	EndsAt      *time.Time `db:"ends_at"`
	ReminderAt  *time.Time `db:"reminder_at"`
	Details     string     `db:"details"`
	Status      string     `db:"status"`
	Priority    string     `db:"priority"`
	DueAt       *time.Time `db:"due_at"`
	CompletedAt *time.Time `db:"completed_at"`
	Recurrence  *string    `db:"recurrence"`
	SeriesID    *string    `db:"series_id"`
	Occurrence  *int       `db:"occurrence"`
	ExternalID  *string    `db:"external_id"`
	CreatedBy   string     `db:"created_by"`
	CreatedAt   time.Time  `db:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
	Version     int64      `db:"version"`
}

// toRow returns a as a row.
func toRow(a *Activity) (*row, error) {
	r := &row{ID: a.ID, Type: a.Type, Subject: a.Subject, Body: a.Body, ContactID: a.ContactID, AccountID: a.AccountID,
		AssigneeID: a.AssigneeID, TeamID: a.TeamID, OccurredAt: a.OccurredAt, ReminderAt: a.ReminderAt, Details: "{}",
		CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version}
	related, err := json.Marshal(a.Related)
	if err != nil {
		return nil, err
	}
	r.Related = string(related)
	var details any
	switch {
	case a.Call != nil:
		details = a.Call
		end := a.Call.StartedAt.Add(time.Duration(a.Call.DurationSeconds) * time.Second)
		r.EndsAt = &end
		if a.Call.ExternalID != "" {
			r.ExternalID = &a.Call.ExternalID
		}
	case a.Email != nil:
		details = a.Email
	case a.Meeting != nil:
		details = a.Meeting
		r.EndsAt = &a.Meeting.EndAt
	case a.Task != nil:
		t := a.Task
		r.Status, r.Priority, r.DueAt, r.CompletedAt, r.SeriesID = t.Status, t.Priority, t.DueAt, t.CompletedAt, t.SeriesID
		if t.Occurrence > 0 {
			r.Occurrence = &t.Occurrence
		}
		if t.Recurrence != nil {
			b, err := json.Marshal(t.Recurrence)
			if err != nil {
				return nil, err
			}
			s := string(b)
			r.Recurrence = &s
		}
	}
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			return nil, err
		}
		r.Details = string(b)
	}
	return r, nil
}

// activity returns the row as the API shows it.
func (r *row) activity() (*Activity, error) {
	a := &Activity{ID: r.ID, Type: r.Type, Subject: r.Subject, Body: r.Body, ContactID: r.ContactID, AccountID: r.AccountID,
		AssigneeID: r.AssigneeID, TeamID: r.TeamID, OccurredAt: r.OccurredAt.UTC(), ReminderAt: utc(r.ReminderAt),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if err := json.Unmarshal([]byte(r.Related), &a.Related); err != nil {
		return nil, fmt.Errorf("activity %s: related: %w", r.ID, err)
	}
	var details any
	switch r.Type {
	case TypeCall:
		a.Call = &Call{}
		details = a.Call
	case TypeEmail:
		a.Email = &Email{}
		details = a.Email
	case TypeMeeting:
		a.Meeting = &Meeting{}
		details = a.Meeting
	case TypeTask:
		a.Task = &Task{Status: r.Status, Priority: r.Priority, DueAt: utc(r.DueAt), CompletedAt: utc(r.CompletedAt), SeriesID: r.SeriesID}
		if r.Occurrence != nil {
			a.Task.Occurrence = *r.Occurrence
		}
		if r.Recurrence != nil {
			if err := json.Unmarshal([]byte(*r.Recurrence), &a.Task.Recurrence); err != nil {
				return nil, fmt.Errorf("activity %s: recurrence: %w", r.ID, err)
			}
		}
	}
	if details != nil {
		if err := json.Unmarshal([]byte(r.Details), details); err != nil {
			return nil, fmt.Errorf("activity %s: details: %w", r.ID, err)
		}
	}
	return a, nil
}

// utc returns *t in UTC (nil for nil).
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// getActivity reads the activity id matching conds, locking it when lock;
// a missing one is ErrNotFound.
func getActivity(ctx context.Context, tx *pgstore.Tx, id string, lock bool, conds ...pgstore.Cond) (*Activity, error) {
	where, args := pgstore.Where(append([]pgstore.Cond{{SQL: "id = ?", Args: []any{id}}}, conds...))
	q := "SELECT " + columns + " FROM activities WHERE " + where
	if lock {
		q += " FOR UPDATE"
	}
	var r row
	if err := tx.SQL().GetContext(ctx, &r, pgstore.Rebind(q), args...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("get activity: %w", pg.MapError(err))
	}
	return r.activity()
}

// queryActivities runs a query returning the columns of activities.
func queryActivities(ctx context.Context, tx *pgstore.Tx, q string, args ...any) ([]Activity, error) {
	var rows []row
	if err := tx.SQL().SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("list activities: %w", pg.MapError(err))
	}
	out := make([]Activity, 0, len(rows))
	for i := range rows {
		a, err := rows[i].activity()
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, nil
}

// insertActivity stores a new activity with its keys and reminder. One
// that would repeat a unique key — a call whose external id is logged, a
// recurring task's occurrence that exists — is not stored: it returns
// false.
func insertActivity(ctx context.Context, tx *pgstore.Tx, a *Activity) (bool, error) {
	r, err := toRow(a)
	if err != nil {
		return false, err
	}
	q := "INSERT INTO activities (tenant_id, " + columns + ") VALUES (" + pgstore.CurrentTenant + ", :" +
		strings.ReplaceAll(columns, ", ", ", :") + ") ON CONFLICT DO NOTHING"
	res, err := tx.SQL().NamedExecContext(ctx, q, r)
	if err != nil {
		return false, fmt.Errorf("insert activity: %w", pg.MapError(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if err := writeKeys(ctx, tx, a.ID, nil, a.keys()); err != nil {
		return false, err
	}
	return true, syncReminder(ctx, tx, a)
}

// activityByExternalID reads the call logged with external id, which must
// match conds (the caller's scope): one that does not is
// ErrExternalIDTaken.
func activityByExternalID(ctx context.Context, tx *pgstore.Tx, external string, conds []pgstore.Cond) (*Activity, error) {
	where, args := pgstore.Where(append([]pgstore.Cond{{SQL: "external_id = ?", Args: []any{external}}}, conds...))
	var r row
	err := tx.SQL().GetContext(ctx, &r, pgstore.Rebind("SELECT "+columns+" FROM activities WHERE "+where), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrExternalIDTaken
	}
	if err != nil {
		return nil, fmt.Errorf("get call by external id: %w", pg.MapError(err))
	}
	return r.activity()
}

// updateActivity writes every column of a, changed from old, with its keys
// and reminder.
func updateActivity(ctx context.Context, tx *pgstore.Tx, old, a *Activity) error {
	r, err := toRow(a)
	if err != nil {
		return err
	}
	sets := strings.Split(columns, ", ")[1:]
	for i, c := range sets {
		sets[i] = c + " = :" + c
	}
	q := "UPDATE activities SET " + strings.Join(sets, ", ") + " WHERE tenant_id = " + pgstore.CurrentTenant + " AND id = :id"
	if _, err := tx.SQL().NamedExecContext(ctx, q, r); err != nil {
		return fmt.Errorf("update activity: %w", pg.MapError(err))
	}
	if err := writeKeys(ctx, tx, a.ID, old.keys(), a.keys()); err != nil {
		return err
	}
	return syncReminder(ctx, tx, a)
}

// deleteActivity removes an activity; its keys and reminder go with it.
func deleteActivity(ctx context.Context, tx *pgstore.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM activities WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete activity: %w", pg.MapError(err))
	}
	return nil
}

// writeKeys replaces the keys of activity id, old, by keys, unless they
// are the same.
func writeKeys(ctx context.Context, tx *pgstore.Tx, id string, old, keys []key) error {
	if old != nil && slices.Equal(old, keys) {
		return nil
	}
	if old != nil {
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM activity_keys WHERE activity_id = $1", id); err != nil {
			return fmt.Errorf("delete activity keys: %w", pg.MapError(err))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	kinds, values := make(pq.StringArray, len(keys)), make(pq.StringArray, len(keys))
	for i, k := range keys {
		kinds[i], values[i] = k.kind, k.value
	}
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO activity_keys (tenant_id, kind, value, activity_id)
		SELECT `+pgstore.CurrentTenant+`, k.kind, k.value, $3 FROM unnest($1::text[], $2::text[]) k(kind, value)`,
		kinds, values, id)
	if err != nil {
		return fmt.Errorf("insert activity keys: %w", pg.MapError(err))
	}
	return nil
}

// syncReminder keeps the reminder of a, as written, in the schedule: armed
// at its reminderAt while it is a meeting or an open task (a new time arms
// a fired reminder again), gone otherwise.
func syncReminder(ctx context.Context, tx *pgstore.Tx, a *Activity) error {
	if !a.reminds() {
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM reminders WHERE activity_id = $1", a.ID); err != nil {
			return fmt.Errorf("cancel reminder: %w", pg.MapError(err))
		}
		return nil
	}
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO reminders (tenant_id, activity_id, due_at) VALUES (`+pgstore.CurrentTenant+`, $1, $2)
		ON CONFLICT (tenant_id, activity_id) DO UPDATE SET due_at = EXCLUDED.due_at, fired_at = NULL
		WHERE reminders.due_at <> EXCLUDED.due_at`, a.ID, *a.ReminderAt)
	if err != nil {
		return fmt.Errorf("schedule reminder: %w", pg.MapError(err))
	}
	return nil
}

// touchRecords moves the lastActivityAt of the contact and the account of
// a forward to at; an earlier time leaves them as they are.
func touchRecords(ctx context.Context, tx *pgstore.Tx, a *Activity, at time.Time) error {
	for _, ref := range []struct {
		table string
		id    *string
	}{{"contacts", a.ContactID}, {"accounts", a.AccountID}} {
		if ref.id == nil {
			continue
		}
		_, err := tx.SQL().ExecContext(ctx, `UPDATE `+ref.table+` SET last_activity_at = $2
			WHERE id = $1 AND (last_activity_at IS NULL OR last_activity_at < $2)`, *ref.id, at)
		if err != nil {
			return fmt.Errorf("touch %s: %w", ref.table, pg.MapError(err))
		}
	}
	return nil
}

// liveRecord reads the live record id of t that conds select (the caller's
// scope), nil when there is none.
func liveRecord(ctx context.Context, tx *pgstore.Tx, t *pgstore.Table, id string, conds []pgstore.Cond) (customer.Record, error) {
	rec, err := pgstore.GetRecord(ctx, tx, t, id, false, conds...)
	if errors.Is(err, t.NotFound) {
		return nil, nil
	}
	return rec, err
}

// prefixed returns columns, each qualified with alias ("a.").
func prefixed(alias string) string {
	return alias + strings.ReplaceAll(columns, ", ", ", "+alias)
}
