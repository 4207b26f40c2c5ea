package pgrecord

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// GetRow reads the columns of the row id of table into dest in tx,
// locking it (FOR UPDATE) when lock: notFound when the tenant has none of
// that id, any other failure wrapped as reading what ("lead").
func GetRow(ctx context.Context, tx *outbox.Tx, dest any, table, columns, id string, lock bool, notFound error, what string) error {
	q := "SELECT " + columns + " FROM " + table + " WHERE id = $1"
	if lock {
		q += " FOR UPDATE"
	}
	if err := tx.SQL().GetContext(ctx, dest, q, id); err != nil {
		if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
			return notFound
		}
		return fmt.Errorf("read %s: %w", what, err)
	}
	return nil
}

// Deref is *s, or "" for nil: a nullable text column read.
func Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// OrNull is s, or NULL when empty: a nullable text column written.
func OrNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}
