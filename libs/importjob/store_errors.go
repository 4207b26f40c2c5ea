package importjob

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/outbox"
)

// addRowErrors adds errs, in row order, to the error report of import
// importID.
func addRowErrors(ctx context.Context, tx *outbox.Tx, importID string, errs []RowError) error {
	if len(errs) == 0 {
		return nil
	}
	n := len(errs)
	rows, seqs := make([]int64, n), make([]int64, n)
	cols, values, reasons := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	for i, e := range errs {
		rows[i], cols[i], values[i], reasons[i] = e.Row, e.Column, e.Value, e.Reason
		if i > 0 && errs[i-1].Row == e.Row {
			seqs[i] = seqs[i-1] + 1
		}
	}
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO import_errors (tenant_id, import_id, row_no, n, col, value, reason)
		SELECT `+currentTenant+`, $1, q.row_no, q.n, q.col, q.value, q.reason
		FROM unnest($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[]) q(row_no, n, col, value, reason)`,
		importID, pq.Array(rows), pq.Array(seqs), cols, values, reasons)
	if err != nil {
		return fmt.Errorf("store import errors: %w", pg.MapError(err))
	}
	return nil
}

// rowErrors calls each with the error report of import id, in row order.
func (s *Store) rowErrors(ctx context.Context, tenant, id string, each func(RowError) error) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		rows, err := tx.SQL().QueryxContext(ctx, `SELECT row_no, col, value, reason FROM import_errors WHERE import_id = $1 ORDER BY row_no, n`, id)
		if err != nil {
			return fmt.Errorf("read import errors: %w", pg.MapError(err))
		}
		defer rows.Close()
		for rows.Next() {
			var e RowError
			if err := rows.StructScan(&e); err != nil {
				return fmt.Errorf("read import errors: %w", err)
			}
			if err := each(e); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
