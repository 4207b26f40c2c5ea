package tracking

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// insertSuppression adds in to the suppression list and reports whether
// it did: an address already there keeps its first reason.
func insertSuppression(ctx context.Context, tx *outbox.Tx, in Suppression) (bool, error) {
	res, err := tx.SQL().NamedExecContext(ctx, `INSERT INTO suppressions (tenant_id, channel, address, reason, detail, created_by, created_at)
		VALUES (`+pgrecord.CurrentTenant+`, :channel, :address, :reason, :detail, :created_by, :created_at) ON CONFLICT DO NOTHING`, in)
	if err != nil {
		return false, fmt.Errorf("insert suppression: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// deleteSuppression removes address from channel's list and reports
// whether it was there.
func deleteSuppression(ctx context.Context, tx *outbox.Tx, channel, address string) (bool, error) {
	res, err := tx.SQL().ExecContext(ctx, "DELETE FROM suppressions WHERE tenant_id = "+pgrecord.CurrentTenant+" AND channel = $1 AND address = $2",
		channel, address)
	if err != nil {
		return false, fmt.Errorf("delete suppression: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// suppressed reports whether address is on channel's suppression list.
func suppressed(ctx context.Context, tx *outbox.Tx, channel, address string) (found bool, err error) {
	err = tx.Prepared().QueryRowxContext(ctx, "SELECT EXISTS (SELECT 1 FROM suppressions WHERE tenant_id = "+pgrecord.CurrentTenant+
		" AND channel = $1 AND address = $2)", channel, address).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("suppressed: %w", pg.MapError(err))
	}
	return found, nil
}

// pagedSuppressions reads a page of the list of channel ("" for both),
// ordered by channel and address, keyset paged by kitx.Paged.
func pagedSuppressions(ctx context.Context, tx *outbox.Tx, cursors *kitx.Cursors, channel, cursor string, limit int) ([]Suppression, string, error) {
	return kitx.Paged(cursors, cursor, limit, func(after string, n int) ([]Suppression, error) {
		out := []Suppression{}
		err := tx.SQL().SelectContext(ctx, &out, `SELECT channel, address, reason, detail, created_by, created_at FROM suppressions
			WHERE tenant_id = `+pgrecord.CurrentTenant+` AND ($1 = '' OR channel = $1) AND channel || ' ' || address > $2
			ORDER BY channel || ' ' || address LIMIT $3`, channel, after, n)
		if err != nil {
			return nil, fmt.Errorf("list suppressions: %w", pg.MapError(err))
		}
		return out, nil
	}, func(s Suppression) string { return s.Channel + " " + s.Address })
}
