package duplicates

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// LockContactKeys takes, for p's tenant, the transaction locks every
// duplicate check takes on the keys of the contacts cs (their emails,
// phones and name keys; imports take the same on a row's email and
// phone), as they are before an erasure removes them (package privacy): a
// write checking against one of them, or an import matching a row by it,
// runs wholly before the erasure or after it, when the key is gone, and
// never updates the erased contact with what it found before.
func LockContactKeys(ctx context.Context, tx *pgstore.Tx, p auth.Principal, cs []*customer.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	q, err := contactDupQuery(p, cs)
	if err != nil {
		return err
	}
	return lockKeys(ctx, tx, q)
}

// ForgetPairs removes the contacts ids from the pairs tenant-wide scans
// found, so that no scan's result pairs an erased contact (package
// privacy) with another by what it was.
func ForgetPairs(ctx context.Context, tx *pgstore.Tx, ids []string) error {
	_, err := tx.SQL().ExecContext(ctx, `DELETE FROM duplicate_pairs WHERE a_id = ANY($1::uuid[]) OR b_id = ANY($1::uuid[])`, pq.StringArray(ids))
	if err != nil {
		return fmt.Errorf("forget duplicate pairs: %w", pg.MapError(err))
	}
	return nil
}
