package audience

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// segmentRow is a row of segments.
type segmentRow struct {
	ID          string    `db:"id"`
	Name        string    `db:"name"`
	Description string    `db:"description"`
	Kind        string    `db:"kind"`
	Filter      []byte    `db:"filter"`
	MemberCount int64     `db:"member_count"`
	CreatedBy   string    `db:"created_by"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	Version     int64     `db:"version"`
}

// segmentColumns are the columns of a segmentRow.
const segmentColumns = "id, name, description, kind, filter, member_count, created_by, created_at, updated_at, version"

// segment is the Segment of r.
func (r segmentRow) segment() Segment {
	return Segment{ID: r.ID, Name: r.Name, Description: r.Description, Kind: r.Kind, Filter: canonical(r.Filter), MemberCount: r.MemberCount,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// getSegment reads the segment id, locked for the transaction when lock;
// ErrSegmentNotFound if the tenant has none.
func getSegment(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Segment, error) {
	q := "SELECT " + segmentColumns + " FROM segments WHERE id = $1"
	if lock {
		q += " FOR UPDATE"
	}
	var r segmentRow
	err := pg.MapError(tx.SQL().GetContext(ctx, &r, q, id))
	if errs.KindOf(err) == errs.NotFound {
		return Segment{}, ErrSegmentNotFound
	}
	if err != nil {
		return Segment{}, fmt.Errorf("read a segment: %w", err)
	}
	return r.segment(), nil
}

// listSegments reads up to n segments after the id after, by id.
func listSegments(ctx context.Context, tx *outbox.Tx, after string, n int) ([]Segment, error) {
	var rows []segmentRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+segmentColumns+` FROM segments
		WHERE ($1 = '' OR id > $1::uuid) ORDER BY id LIMIT $2`, after, n); err != nil {
		return nil, fmt.Errorf("list segments: %w", pg.MapError(err))
	}
	out := make([]Segment, len(rows))
	for i, r := range rows {
		out[i] = r.segment()
	}
	return out, nil
}

// saveSegment inserts s or updates its row (never its count), with
// relative its filter's time-relativity.
func saveSegment(ctx context.Context, tx *outbox.Tx, s Segment, relative, insert bool) error {
	q := `UPDATE segments SET name = $2, description = $3, kind = $4, filter = $5, created_by = $6, created_at = $7,
		updated_at = $8, version = $9, relative = $10 WHERE id = $1`
	if insert {
		q = `INSERT INTO segments (tenant_id, id, name, description, kind, filter, created_by, created_at, updated_at, version, relative)
			VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	}
	var filter any
	if s.Filter != nil {
		filter = string(s.Filter)
	}
	if _, err := tx.SQL().ExecContext(ctx, q, s.ID, s.Name, s.Description, s.Kind, filter, s.CreatedBy, s.CreatedAt, s.UpdatedAt,
		s.Version, relative); err != nil {
		return fmt.Errorf("save a segment: %w", pg.MapError(err))
	}
	return nil
}

// markEvaluated records that the segment id was computed from scratch at at.
func markEvaluated(ctx context.Context, tx *outbox.Tx, id string, at time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE segments SET evaluated_at = $2 WHERE id = $1`, id, at); err != nil {
		return fmt.Errorf("mark a segment computed: %w", pg.MapError(err))
	}
	return nil
}

// memberCount reads the segment id's member count.
func memberCount(ctx context.Context, tx *outbox.Tx, id string) (int64, error) {
	var n int64
	if err := tx.SQL().GetContext(ctx, &n, `SELECT member_count FROM segments WHERE id = $1`, id); err != nil {
		return 0, fmt.Errorf("read a segment's count: %w", pg.MapError(err))
	}
	return n, nil
}

// deleteSegment removes the segment id with its members and history.
func deleteSegment(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM segments WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete a segment: %w", pg.MapError(err))
	}
	return nil
}

// dueSegment is a segment of a tenant the time-relative job computes.
type dueSegment struct {
	TenantID string `db:"tenant_id"`
	ID       string `db:"id"`
}

// relativeDue lists, across tenants, up to n dynamic segments with a
// time-relative filter last computed before staleBefore (or never).
func relativeDue(ctx context.Context, db *outbox.DB, staleBefore time.Time, n int) ([]dueSegment, error) {
	var out []dueSegment
	if err := db.Pool().SelectContext(ctx, &out, `SELECT tenant_id, id FROM segments_relative_due($1, $2)`, staleBefore, n); err != nil {
		return nil, fmt.Errorf("find time-relative segments: %w", pg.MapError(err))
	}
	return out, nil
}
