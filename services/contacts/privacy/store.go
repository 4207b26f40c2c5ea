package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// merge is a contact merged into another (Into).
type merge struct {
	ID   string `db:"id"`
	Into string `db:"merged_into"`
}

// mergedInto returns the contacts merged into contact id, and into those,
// following merges of merges (by contacts_merged_into), nearest first.
func mergedInto(ctx context.Context, tx *pgstore.Tx, id string) ([]merge, error) {
	var out []merge
	err := tx.SQL().SelectContext(ctx, &out, fmt.Sprintf(`WITH RECURSIVE merged(id, merged_into, depth) AS (
			SELECT c.id, c.merged_into, 1 FROM contacts c WHERE c.merged_into = $1
			UNION ALL
			SELECT c.id, c.merged_into, m.depth + 1 FROM merged m JOIN contacts c ON c.merged_into = m.id
			WHERE c.merged_into IS NOT NULL AND m.depth < %d
		)
		SELECT id, merged_into FROM merged ORDER BY depth, id`, pgstore.MaxMergeChain), id)
	if err != nil {
		return nil, fmt.Errorf("read merged contacts: %w", pg.MapError(err))
	}
	return out, nil
}

// getContacts reads the contacts ids, whatever their state, locked when
// lock, in the order of ids.
func getContacts(ctx context.Context, tx *pgstore.Tx, ids []string, lock bool) ([]*customer.Contact, error) {
	out := make([]*customer.Contact, 0, len(ids))
	for _, id := range ids {
		rec, err := pgstore.GetRecord(ctx, tx, pgstore.Contacts, id, lock)
		if err != nil {
			return nil, err
		}
		out = append(out, rec.(*customer.Contact))
	}
	return out, nil
}

// getErasure reads the erasure of contact id, nil when it was not erased.
func getErasure(ctx context.Context, tx *pgstore.Tx, id string) (*Erasure, error) {
	var e Erasure
	err := tx.SQL().GetContext(ctx, &e, `SELECT contact_id, erased_at, erased_by, reason, merged_ids, activities
		FROM contact_erasures WHERE contact_id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read erasure: %w", pg.MapError(err))
	}
	e.ErasedAt = e.ErasedAt.UTC()
	return &e, nil
}

// insertErasure records e.
func insertErasure(ctx context.Context, tx *pgstore.Tx, e *Erasure) error {
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO contact_erasures (tenant_id, contact_id, erased_at, erased_by, reason, merged_ids, activities)
		VALUES (`+pgstore.CurrentTenant+`, $1, $2, $3, $4, $5, $6)`, e.ContactID, e.ErasedAt, e.ErasedBy, e.Reason, e.MergedIDs, e.Activities)
	if err != nil {
		return fmt.Errorf("record erasure: %w", pg.MapError(err))
	}
	return nil
}

// eraseConsentSources blanks the sources of the consent history of the
// erased contacts ids (erase_consent_sources, run as the table's owner:
// the history is append-only for the service) and returns how many.
func eraseConsentSources(ctx context.Context, tx *pgstore.Tx, ids []string) (int64, error) {
	var n int64
	if err := tx.SQL().GetContext(ctx, &n, `SELECT erase_consent_sources($1::uuid[])`, pq.StringArray(ids)); err != nil {
		return 0, fmt.Errorf("erase consent sources: %w", pg.MapError(err))
	}
	return n, nil
}
