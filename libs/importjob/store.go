package importjob

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations is the schema of the imports' tables, for pg.Migrate: a
// service that imports adds it to its starter.Service's Migrations.
func Migrations() pg.Source { return pg.EmbeddedSource("importjob", migrationFiles, "migrations") }

// currentTenant is the SQL value of the transaction's tenant.
const currentTenant = "CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid)"

// Store is the imports' SQL: the jobs, their stored files and error
// reports, in the service's database.
type Store struct {
	db     *outbox.DB
	entity string
}

// NewStore returns the Store on db, whose catalogue has the event
// <entity>.completed that ends an import ("import", say).
func NewStore(db *outbox.DB, entity string) *Store { return &Store{db: db, entity: entity} }

// importColumns are the columns an Import is read from.
const importColumns = `id, state, failure_reason, file_name, size_bytes, text_bytes, encoding, delimiter, line_break, header,
	mapping, duplicate_policy, created_by, created_at, started_at, finished_at, rows_read, created, updated, skipped, failed,
	next_offset, next_row, busy_ms`

// target reads the Target of d in a transaction of tenant.
func (s *Store) target(ctx context.Context, d Domain, tenant string) (t Target, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		t, err = d.Target(ctx, tx, tenant)
		return err
	})
	return t, err
}

// begin stores im, a new import, uploading under a lease of lease, with the
// principal of its importer.
func (s *Store) begin(ctx context.Context, tenant string, im *Import, principal []byte, lease time.Duration) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO imports (tenant_id, id, state, file_name, encoding, delimiter, line_break,
				header, mapping, duplicate_policy, principal, created_by, created_at, lease_until)
			VALUES (`+currentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now() + $13::interval)`,
			im.ID, StateUploading, im.FileName, im.Encoding, im.Delimiter, im.LineBreak, im.Header, im.Mapping,
			im.DuplicatePolicy, principal, im.CreatedBy, im.CreatedAt, interval(lease))
		if err != nil {
			return fmt.Errorf("store import: %w", pg.MapError(err))
		}
		return nil
	})
}

// appendPart stores part seq of import id's text and renews the upload's
// lease of lease; ErrUploadCancelled when the import is no longer uploading.
func (s *Store) appendPart(ctx context.Context, tenant, id string, seq int, data []byte, lease time.Duration) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		res, err := tx.SQL().ExecContext(ctx, `UPDATE imports SET lease_until = now() + $2::interval WHERE id = $1 AND state = $3`, id, interval(lease), StateUploading)
		if err != nil {
			return fmt.Errorf("store import part: %w", pg.MapError(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrUploadCancelled
		}
		if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO import_files (tenant_id, import_id, seq, data)
			VALUES (`+currentTenant+`, $1, $2, $3)`, id, seq, data); err != nil {
			return fmt.Errorf("store import part: %w", pg.MapError(err))
		}
		return nil
	})
}

// finishUpload queues import id, whose file of size bytes was stored as
// text bytes of text, and returns it.
func (s *Store) finishUpload(ctx context.Context, tenant, id string, size, text int64) (im *Import, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		im = &Import{}
		err := tx.SQL().GetContext(ctx, im, `UPDATE imports SET state = $2, size_bytes = $3, text_bytes = $4, lease_until = NULL
			WHERE id = $1 AND state = $5 RETURNING `+importColumns, id, StateQueued, size, text, StateUploading)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUploadCancelled
		}
		if err != nil {
			return fmt.Errorf("queue import: %w", pg.MapError(err))
		}
		im.fill()
		return nil
	})
	return im, err
}

// abandon removes import id, whose upload failed, with what it stored.
func (s *Store) abandon(ctx context.Context, tenant, id string) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM imports WHERE id = $1 AND state = $2`, id, StateUploading); err != nil {
			return fmt.Errorf("remove import: %w", pg.MapError(err))
		}
		return nil
	})
}

// get reads import id.
func (s *Store) get(ctx context.Context, tenant, id string) (im *Import, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		im, err = getImport(ctx, tx, id, "")
		return err
	})
	return im, err
}

// getImport reads import id in tx, with suffix ("FOR UPDATE").
func getImport(ctx context.Context, tx *outbox.Tx, id, suffix string) (*Import, error) {
	im := &Import{}
	err := tx.SQL().GetContext(ctx, im, `SELECT `+importColumns+` FROM imports WHERE id = $1 `+suffix, id)
	if err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, ErrImportNotFound
		}
		return nil, fmt.Errorf("read import: %w", pg.MapError(err))
	}
	im.fill()
	return im, nil
}

// cancel ends import id as cancelled at now, unless allowed refuses it
// (the caller may not see it): what it imported stays, its stored file
// goes, and <entity>.completed is published. An import that has ended is
// ErrImportFinished.
func (s *Store) cancel(ctx context.Context, tenant, id string, now time.Time, allowed func(*Import) bool) (im *Import, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if im, err = getImport(ctx, tx, id, "FOR UPDATE"); err != nil {
			return err
		}
		switch {
		case !allowed(im):
			return ErrImportNotFound
		case Final(im.State):
			return ErrImportFinished.WithDetail("the import has already ended: it is %s", im.State)
		}
		im, err = s.endImport(ctx, tx, id, StateCancelled, "", now)
		return err
	})
	return im, err
}

// endImport ends import id in state (completed, failed or cancelled; a
// failure with reason) at now, removes its stored file, publishes
// <entity>.completed and returns it.
func (s *Store) endImport(ctx context.Context, tx *outbox.Tx, id, state, reason string, now time.Time) (*Import, error) {
	im := &Import{}
	err := tx.SQL().GetContext(ctx, im, `UPDATE imports SET state = $2, failure_reason = $3, finished_at = $4, lease_until = NULL,
			runner = '' WHERE id = $1 RETURNING `+importColumns, id, state, reason, now)
	if err != nil {
		return nil, fmt.Errorf("end import: %w", pg.MapError(err))
	}
	im.fill()
	if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM import_files WHERE import_id = $1`, id); err != nil {
		return nil, fmt.Errorf("remove import file: %w", pg.MapError(err))
	}
	return im, tx.Emit(ctx, s.entity, VerbCompleted, id, im, nil)
}

// list reads up to n imports of the tenant newest first, after the import
// after ("": from the newest), only those creator started unless creator
// is "".
func (s *Store) list(ctx context.Context, tenant, creator, after string, n int) (out []Import, err error) {
	out = []Import{}
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		err := tx.SQL().SelectContext(ctx, &out, `SELECT `+importColumns+` FROM imports
			WHERE ($1 = '' OR created_by = $1) AND ($2 = '' OR id < $2::uuid)
			ORDER BY id DESC LIMIT $3`, creator, after, n)
		if err != nil {
			return fmt.Errorf("list imports: %w", pg.MapError(err))
		}
		return nil
	})
	for i := range out {
		out[i].fill()
	}
	return out, err
}
