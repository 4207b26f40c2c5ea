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

// rebuildColumns are the columns of a Rebuild.
const rebuildColumns = "id, status, applied, error, requested_by, started_at, finished_at"

// latestRebuild reads the tenant's latest rebuild; ErrRebuildNotFound if none.
func latestRebuild(ctx context.Context, tx *outbox.Tx) (Rebuild, error) {
	var r struct {
		ID          string     `db:"id"`
		Status      string     `db:"status"`
		Applied     int64      `db:"applied"`
		Error       string     `db:"error"`
		RequestedBy string     `db:"requested_by"`
		StartedAt   time.Time  `db:"started_at"`
		FinishedAt  *time.Time `db:"finished_at"`
	}
	err := pg.MapError(tx.SQL().GetContext(ctx, &r, "SELECT "+rebuildColumns+" FROM audience_rebuilds ORDER BY started_at DESC, id LIMIT 1"))
	if errs.KindOf(err) == errs.NotFound {
		return Rebuild{}, ErrRebuildNotFound
	}
	if err != nil {
		return Rebuild{}, fmt.Errorf("read the audience's rebuild: %w", err)
	}
	out := Rebuild{ID: r.ID, Status: r.Status, Applied: r.Applied, Error: r.Error, RequestedBy: r.RequestedBy, StartedAt: r.StartedAt.UTC()}
	if r.FinishedAt != nil {
		t := r.FinishedAt.UTC()
		out.FinishedAt = &t
	}
	return out, nil
}

// insertRebuild stores a new rebuild.
func insertRebuild(ctx context.Context, tx *outbox.Tx, r Rebuild) error {
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO audience_rebuilds (tenant_id, id, status, requested_by, started_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4)`, r.ID, r.Status, r.RequestedBy, r.StartedAt); err != nil {
		return fmt.Errorf("start an audience rebuild: %w", pg.MapError(err))
	}
	return nil
}

// failStale marks failed the rebuilds still running that started before
// before: their instance stopped.
func failStale(ctx context.Context, tx *outbox.Tx, before time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE audience_rebuilds SET status = 'failed', error = 'interrupted', finished_at = now()
		WHERE status = 'running' AND started_at < $1`, before); err != nil {
		return fmt.Errorf("end stale audience rebuilds: %w", pg.MapError(err))
	}
	return nil
}

// progressRebuild records how many events the rebuild id applied so far.
func progressRebuild(ctx context.Context, tx *outbox.Tx, id string, applied int64) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE audience_rebuilds SET applied = $2 WHERE id = $1`, id, applied); err != nil {
		return fmt.Errorf("record an audience rebuild's progress: %w", pg.MapError(err))
	}
	return nil
}

// finishRebuild records the end of the rebuild id.
func finishRebuild(ctx context.Context, tx *outbox.Tx, id, status, msg string, applied int64, at time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE audience_rebuilds SET status = $2, error = $3, applied = $4, finished_at = $5
		WHERE id = $1`, id, status, msg, applied, at); err != nil {
		return fmt.Errorf("record an audience rebuild's end: %w", pg.MapError(err))
	}
	return nil
}
