package importjob

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/outbox"
)

// pendingJob is a job an instance may take: its tenant and id.
type pendingJob struct {
	TenantID string `db:"tenant_id"`
	ID       string `db:"id"`
}

// pending lists up to max jobs of any tenant that an instance may take
// (pending_imports, Migrations).
func (s *Store) pending(ctx context.Context, max int) ([]pendingJob, error) {
	var out []pendingJob
	if err := s.db.Pool().SelectContext(ctx, &out, `SELECT tenant_id, id FROM pending_imports($1)`, max); err != nil {
		return nil, fmt.Errorf("list pending imports: %w", pg.MapError(err))
	}
	return out, nil
}

// claimed is a job as a runner takes it: the import, its importer's
// principal (JSON) and how often it was taken since it last made progress.
type claimed struct {
	Import
	Principal  []byte `db:"principal"`
	IdleClaims int    `db:"idle_claims"`
}

// interval is d as a PostgreSQL interval.
func interval(d time.Duration) string { return fmt.Sprintf("%d milliseconds", d.Milliseconds()) }

// claim takes job id of tenant for runner, leased for lease, unless another
// holds it or it is not to be taken (nil, nil). An upload whose lease ran out
// ends failed; so does a job taken maxIdle times without making progress
// (idle_claims counts them: a job that fails whenever it runs).
func (s *Store) claim(ctx context.Context, tenant, id, runner string, lease time.Duration, maxIdle int, now time.Time) (c *claimed, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		c = &claimed{}
		err := tx.SQL().GetContext(ctx, c, `SELECT `+importColumns+`, principal, idle_claims FROM imports
			WHERE id = $1 AND (state = $2 OR state IN ($3, $4) AND lease_until < now()) FOR UPDATE SKIP LOCKED`,
			id, StateQueued, StateUploading, StateRunning)
		if errors.Is(err, sql.ErrNoRows) {
			c = nil
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim import: %w", pg.MapError(err))
		}
		switch {
		case c.State == StateUploading:
			c = nil
			_, err = s.endImport(ctx, tx, id, StateFailed, "the upload was interrupted: upload the file again", now)
			return err
		case c.IdleClaims >= maxIdle:
			c = nil
			_, err = s.endImport(ctx, tx, id, StateFailed, fmt.Sprintf("the import stopped %d times without progress: the service's log says why", maxIdle), now)
			return err
		}
		err = tx.SQL().GetContext(ctx, c, `UPDATE imports SET state = $2, runner = $3, lease_until = now() + $4::interval,
				idle_claims = idle_claims + 1, started_at = COALESCE(started_at, $5)
			WHERE id = $1 RETURNING `+importColumns+`, principal, idle_claims`, id, StateRunning, runner, interval(lease), now)
		if err != nil {
			return fmt.Errorf("claim import: %w", pg.MapError(err))
		}
		c.fill()
		return nil
	})
	return c, err
}

// release lets job id go at once, if runner holds it, for any instance to
// take again.
func (s *Store) release(ctx context.Context, tenant, id, runner string) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if _, err := tx.SQL().ExecContext(ctx, `UPDATE imports SET lease_until = now() WHERE id = $1 AND runner = $2 AND state = $3`,
			id, runner, StateRunning); err != nil {
			return fmt.Errorf("release import: %w", pg.MapError(err))
		}
		return nil
	})
}

// holds locks job id in tx and reports whether runner still holds it: it
// runs, and no other instance has taken it since.
func holds(ctx context.Context, tx *outbox.Tx, id, runner string) (bool, error) {
	var row struct {
		State  string `db:"state"`
		Runner string `db:"runner"`
	}
	if err := tx.SQL().GetContext(ctx, &row, `SELECT state, runner FROM imports WHERE id = $1 FOR UPDATE`, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, fmt.Errorf("lock import: %w", pg.MapError(err))
	}
	return row.State == StateRunning && row.Runner == runner, nil
}

// tally is what a chunk did: its rows' outcomes, and where the next chunk
// starts.
type tally struct {
	Read, Created, Updated, Skipped, Failed int64
	NextOffset, NextRow                     int64
	BusyMS                                  int64
}

// advance adds a chunk's tally to job id, renews runner's lease and notes
// that the job made progress.
func advance(ctx context.Context, tx *outbox.Tx, id string, t tally, lease time.Duration) error {
	_, err := tx.SQL().ExecContext(ctx, `UPDATE imports SET rows_read = rows_read + $2, created = created + $3, updated = updated + $4,
			skipped = skipped + $5, failed = failed + $6, next_offset = $7, next_row = $8, busy_ms = busy_ms + $9,
			lease_until = now() + $10::interval, idle_claims = 0
		WHERE id = $1`, id, t.Read, t.Created, t.Updated, t.Skipped, t.Failed, t.NextOffset, t.NextRow, t.BusyMS, interval(lease))
	if err != nil {
		return fmt.Errorf("note import progress: %w", pg.MapError(err))
	}
	return nil
}

// endJob ends job id in state with reason at now, if runner still holds it.
func (s *Store) endJob(ctx context.Context, tenant, id, runner, state, reason string, now time.Time) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		mine, err := holds(ctx, tx, id, runner)
		if err != nil || !mine {
			return err
		}
		_, err = s.endImport(ctx, tx, id, state, reason, now)
		return err
	})
}
