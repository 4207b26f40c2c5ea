package customers

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// upsert stores the contact id's state (its account, version, whether it
// is live, its addresses) unless the row holds a later or equal version or
// the contact is retired; kept reports whether it did.
func upsert(ctx context.Context, tx *outbox.Tx, id, account string, version int64, live bool, addresses []string) (kept bool, err error) {
	res, err := tx.SQL().ExecContext(ctx, `INSERT INTO customer_contacts (tenant_id, contact_id, account_id, version, live)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4)
		ON CONFLICT (tenant_id, contact_id) DO UPDATE SET account_id = EXCLUDED.account_id, version = EXCLUDED.version, live = EXCLUDED.live
		WHERE customer_contacts.version < EXCLUDED.version AND NOT customer_contacts.retired`,
		id, pgrecord.OrNull(account), version, live)
	if err != nil {
		return false, fmt.Errorf("keep a contact: %w", pg.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := dropAddresses(ctx, tx, id); err != nil {
		return false, err
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO customer_emails (tenant_id, address, contact_id)
		SELECT `+pgrecord.CurrentTenant+`, a, $1 FROM unnest($2::text[]) a ON CONFLICT DO NOTHING`, id, pq.Array(addresses)); err != nil {
		return false, fmt.Errorf("keep a contact's addresses: %w", pg.MapError(err))
	}
	return true, nil
}

// retire forgets the contact id's account and addresses for good (merged
// into another, or erased): its row stays, retired, so that no event of it
// delivered late (a merged contact's are on another partition than the
// merge) brings them back.
func retire(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO customer_contacts (tenant_id, contact_id, version, live, retired)
		VALUES (`+pgrecord.CurrentTenant+`, $1, 0, false, true)
		ON CONFLICT (tenant_id, contact_id) DO UPDATE SET account_id = NULL, live = false, retired = true`, id); err != nil {
		return fmt.Errorf("retire a contact: %w", pg.MapError(err))
	}
	return dropAddresses(ctx, tx, id)
}

// moveAccount makes the contacts of the account loser those of winner.
func moveAccount(ctx context.Context, tx *outbox.Tx, winner, loser string) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE customer_contacts SET account_id = $1 WHERE account_id = $2`, winner, loser); err != nil {
		return fmt.Errorf("follow a merged account: %w", pg.MapError(err))
	}
	return nil
}

// dropAddresses removes the contact id's addresses.
func dropAddresses(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM customer_emails WHERE contact_id = $1`, id); err != nil {
		return fmt.Errorf("drop a contact's addresses: %w", pg.MapError(err))
	}
	return nil
}
