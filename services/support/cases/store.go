package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// row is a row of cases.
type row struct {
	ID           string         `db:"id"`
	Number       int64          `db:"number"`
	Subject      string         `db:"subject"`
	Description  string         `db:"description"`
	ContactID    *string        `db:"contact_id"`
	AccountID    *string        `db:"account_id"`
	Channel      string         `db:"channel"`
	Type         string         `db:"type"`
	Priority     string         `db:"priority"`
	Status       string         `db:"status"`
	QueueID      *string        `db:"queue_id"`
	AssigneeID   *string        `db:"assignee_id"`
	Tags         pq.StringArray `db:"tags"`
	CustomFields []byte         `db:"custom_fields"`
	Links        []byte         `db:"links"`
	Language     string         `db:"language"`
	SLADueAt     *time.Time     `db:"sla_due_at"`
	SolvedAt     *time.Time     `db:"solved_at"`
	ClosedAt     *time.Time     `db:"closed_at"`
	MergedInto   *string        `db:"merged_into"`
	CreatedBy    string         `db:"created_by"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
	Version      int64          `db:"version"`
}

// columns are the columns of a row.
const columns = `id, number, subject, description, contact_id, account_id, channel, type, priority, status, queue_id, assignee_id,
	tags, custom_fields, links, language, sla_due_at, solved_at, closed_at, merged_into, created_by, created_at, updated_at, version`

// utc is t in UTC, nil for nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// kase is the Case of r.
func (r row) kase() (Case, error) {
	c := Case{ID: r.ID, Number: r.Number, Subject: r.Subject, Description: r.Description, ContactID: pgrecord.Deref(r.ContactID),
		AccountID: pgrecord.Deref(r.AccountID), Channel: r.Channel, Type: r.Type, Priority: r.Priority, Status: r.Status,
		QueueID: pgrecord.Deref(r.QueueID), AssigneeID: pgrecord.Deref(r.AssigneeID), Tags: append([]string{}, r.Tags...),
		Language: r.Language, SLADueAt: utc(r.SLADueAt), SolvedAt: utc(r.SolvedAt), ClosedAt: utc(r.ClosedAt),
		MergedInto: pgrecord.Deref(r.MergedInto), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if err := json.Unmarshal(r.CustomFields, &c.CustomFields); err != nil {
		return c, fmt.Errorf("read custom fields: %w", err)
	}
	if err := json.Unmarshal(r.Links, &c.Links); err != nil {
		return c, fmt.Errorf("read links: %w", err)
	}
	return c, nil
}

// casesOf is the Cases of rows as a read shows them: only the custom field
// values with a definition they are valid for (customfields.Visible), read
// in tx.
func casesOf(ctx context.Context, tx *outbox.Tx, rows []row) ([]Case, error) {
	out := make([]Case, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	defs, err := FieldStore.Defs(ctx, tx.SQL(), EntityCase)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if out[i], err = r.kase(); err != nil {
			return nil, err
		}
		out[i].CustomFields = customfields.Visible(defs, out[i].CustomFields, "")
	}
	return out, nil
}

// save inserts or updates c's row; an update never writes sla_due_at,
// package sla's.
func save(ctx context.Context, tx *outbox.Tx, c *Case, insert bool) error {
	values, err := json.Marshal(c.CustomFields)
	if err != nil {
		return err
	}
	links, err := json.Marshal(c.Links)
	if err != nil {
		return err
	}
	keys := make([]string, len(c.Tags))
	for i, t := range c.Tags {
		keys[i] = strings.ToLower(t)
	}
	args := []any{c.ID, c.Number, c.Subject, c.Description, pgrecord.OrNull(c.ContactID), pgrecord.OrNull(c.AccountID), c.Channel, c.Type,
		c.Priority, c.Status, pgrecord.OrNull(c.QueueID), pgrecord.OrNull(c.AssigneeID), pq.StringArray(c.Tags), string(values), string(links),
		c.Language, c.SolvedAt, c.ClosedAt, pgrecord.OrNull(c.MergedInto), c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version, pq.StringArray(keys)}
	q := `UPDATE cases SET number = $2, subject = $3, description = $4, contact_id = $5, account_id = $6, channel = $7, type = $8,
		priority = $9, status = $10, queue_id = $11, assignee_id = $12, tags = $13, custom_fields = $14, links = $15, language = $16,
		solved_at = $17, closed_at = $18, merged_into = $19, created_by = $20, created_at = $21, updated_at = $22, version = $23,
		tag_keys = $24 WHERE id = $1`
	if insert {
		q = `INSERT INTO cases (tenant_id, id, number, subject, description, contact_id, account_id, channel, type, priority, status,
			queue_id, assignee_id, tags, custom_fields, links, language, solved_at, closed_at, merged_into, created_by, created_at,
			updated_at, version, tag_keys) VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
			$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`
	}
	if _, err := tx.Prepared().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("save case: %w", pg.MapError(err))
	}
	return nil
}

// getIn reads the case id (not deleted), locking it when lock.
func getIn(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Case, error) {
	return getWhere(ctx, tx, "id = $1", id, lock)
}

// getWhere reads the live case where cond (on $1, arg) holds.
func getWhere(ctx context.Context, tx *outbox.Tx, cond string, arg any, lock bool) (*Case, error) {
	q := "SELECT " + columns + " FROM cases WHERE " + cond + " AND deleted_at IS NULL"
	if lock {
		q += " FOR UPDATE"
	}
	var r row
	if err := tx.SQL().GetContext(ctx, &r, q, arg); err != nil {
		if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("read case: %w", err)
	}
	list, err := casesOf(ctx, tx, []row{r})
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// markDeleted marks the case id deleted at.
func markDeleted(ctx context.Context, tx *outbox.Tx, id string, at time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE cases SET deleted_at = $2 WHERE id = $1", id, at); err != nil {
		return fmt.Errorf("delete case: %w", pg.MapError(err))
	}
	return nil
}

// statusChanged is the payload of case.status_changed: the case's state
// with the status it left.
type statusChanged struct {
	*Case
	FromStatus string `json:"fromStatus"`
}

// ChangeIn is the one read-change-write of a case, in tx, a transaction of
// its tenant that the caller opened: it locks and reads the case id (a
// deleted one is ErrNotFound), change changes it, and unless nothing
// changed, the case is written with its version and updatedAt moved on
// (never its slaDueAt, package sla's) and case.updated goes to the outbox
// with the changed fields, then case.status_changed (with fromStatus) when
// its status moved. change is trusted with the status (the API's checks
// are checkStatus's); solvedAt is set when the case becomes solved and
// cleared when it is reopened, closedAt set when it is closed.
func ChangeIn(ctx context.Context, tx *outbox.Tx, id string, change func(*Case) error) (Case, error) {
	return changeIn(ctx, tx, id, func(c *Case, _ Fields) error { return change(c) })
}

// changeIn is ChangeIn whose change has the tenant's custom fields of
// cases, read in tx.
func changeIn(ctx context.Context, tx *outbox.Tx, id string, change func(*Case, Fields) error) (Case, error) {
	defs, err := FieldStore.Defs(ctx, tx.SQL(), EntityCase)
	if err != nil {
		return Case{}, err
	}
	old, err := getIn(ctx, tx, id, true)
	if err != nil {
		return Case{}, err
	}
	next := clone(*old)
	if err := change(&next, defs); err != nil {
		return Case{}, err
	}
	changed, err := changedFields(old, &next)
	if err != nil || len(changed) == 0 {
		return *old, err
	}
	now := pg.Timestamp(time.Now()).UTC()
	if next.Status != old.Status {
		switch next.Status {
		case StatusSolved:
			next.SolvedAt = &now
		case StatusClosed:
			next.ClosedAt = &now
		default:
			next.SolvedAt = nil
		}
	}
	next.ID, next.Number, next.SLADueAt, next.CreatedAt, next.CreatedBy = old.ID, old.Number, old.SLADueAt, old.CreatedAt, old.CreatedBy
	next.UpdatedAt, next.Version = now, old.Version+1
	if changed, err = changedFields(old, &next); err != nil {
		return Case{}, err
	}
	if err := save(ctx, tx, &next, false); err != nil {
		return Case{}, err
	}
	if err := tx.Emit(ctx, supportdb.EntityCase, supportdb.VerbUpdated, next.ID, &next, changed); err != nil {
		return Case{}, err
	}
	if next.Status != old.Status {
		if err := tx.Emit(ctx, supportdb.EntityCase, supportdb.VerbStatusChanged, next.ID, statusChanged{&next, old.Status}, nil); err != nil {
			return Case{}, err
		}
	}
	return next, nil
}

// clone is a deep copy of c.
func clone(c Case) Case {
	c.Tags = append([]string{}, c.Tags...)
	c.Links = append([]Link{}, c.Links...)
	c.CustomFields = maps.Clone(c.CustomFields)
	return c
}

// changedFields names the fields of a case that differ from old to next
// (events.ChangedFields).
func changedFields(old, next *Case) ([]string, error) {
	_, ch, err := pgrecord.Updated(old, next)
	return ch.Fields, err
}
