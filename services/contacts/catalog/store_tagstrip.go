package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// stripChunk is how many records one transaction of StripDeletedTags reads;
// pendingTags is how many deleted tags one call takes on.
const (
	stripChunk  = 5000
	pendingTags = 16
)

// noID is the uuid before every other: where stripping a table starts.
const noID = "00000000-0000-0000-0000-000000000000"

// pendingTag is a deleted tag still to strip from its tenant's records.
type pendingTag struct {
	TenantID string `db:"tenant_id"`
	ID       string `db:"id"`
}

// StripDeletedTags removes the ids of deleted tags from the contacts and
// accounts that still carry them, in a transaction per stripChunk records
// read, and returns how many records it changed (migration 0013 says why
// this follows the delete). The records' versions stay: what they show did
// not change when the tag was deleted. A tag another process is stripping
// is left to it, and one interrupted resumes where it stopped. Call it
// every few seconds: with nothing to do it is one query.
func (s *Store) StripDeletedTags(ctx context.Context) (int, error) {
	var pending []pendingTag
	if err := s.db.Pool().SelectContext(ctx, &pending, "SELECT tenant_id, id FROM pending_tag_deletions($1)", pendingTags); err != nil {
		return 0, fmt.Errorf("strip deleted tags: %w", pg.MapError(err))
	}
	total := 0
	for _, t := range pending {
		for more := true; more; {
			var n int
			var err error
			if n, more, err = s.stripStep(ctx, t); err != nil {
				return total, err
			}
			total += n
		}
	}
	return total, nil
}

// stripStep strips t from the next stripChunk records, contacts then
// accounts, and notes how far it came, or forgets t when none are left. It
// returns the records it changed and whether t has more to strip; false
// also when another process holds t.
func (s *Store) stripStep(ctx context.Context, t pendingTag) (changed int, more bool, err error) {
	err = s.db.InTx(ctx, t.TenantID, func(tx *pgstore.Tx) error {
		var at struct {
			Entity string `db:"entity"`
			After  string `db:"after"`
		}
		err := tx.SQL().GetContext(ctx, &at, `SELECT entity, after FROM deleted_tags WHERE id = $1 FOR UPDATE SKIP LOCKED`, t.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		k := pgstore.TableOf(at.Entity)
		var last sql.NullString
		// The rows are updated by an id range, not by TID: an UPDATE
		// skips a row changed since its snapshot when it looks the row up
		// by TID, and takes its newest version when by id.
		err = tx.SQL().QueryRowxContext(ctx, `WITH chunk AS MATERIALIZED (SELECT id FROM `+k.Name+` WHERE id > $1 ORDER BY id LIMIT $3),
				last AS MATERIALIZED (SELECT id FROM chunk ORDER BY id DESC LIMIT 1),
				stripped AS (UPDATE `+k.Name+` SET tag_ids = array_remove(tag_ids, $2::uuid)
					WHERE id > $1 AND id <= (SELECT id FROM last) AND tag_ids @> ARRAY[$2::uuid] RETURNING 1)
			SELECT (SELECT id FROM last), (SELECT count(*) FROM stripped)`,
			at.After, t.ID, stripChunk).Scan(&last, &changed)
		if err != nil {
			return err
		}
		switch {
		case last.Valid:
			_, err = tx.SQL().ExecContext(ctx, `UPDATE deleted_tags SET after = $2 WHERE id = $1`, t.ID, last.String)
			more = true
		case k == pgstore.Contacts:
			_, err = tx.SQL().ExecContext(ctx, `UPDATE deleted_tags SET entity = $2, after = $3 WHERE id = $1`, t.ID, customer.EntityAccount, noID)
			more = true
		default:
			_, err = tx.SQL().ExecContext(ctx, `DELETE FROM deleted_tags WHERE id = $1`, t.ID)
		}
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("strip deleted tag %s: %w", t.ID, pg.MapError(err))
	}
	return changed, more, nil
}
