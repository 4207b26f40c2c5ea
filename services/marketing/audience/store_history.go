package audience

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// listHistory reads up to n entries of the segment's history before the
// entry after ("" for the latest), latest first.
func listHistory(ctx context.Context, tx *outbox.Tx, segment, after string, n int) ([]HistoryEntry, error) {
	var before int64
	if after != "" {
		var err error
		if before, err = strconv.ParseInt(after, 10, 64); err != nil {
			return nil, fmt.Errorf("read a history cursor: %w", err)
		}
	}
	var rows []struct {
		ID        int64     `db:"id"`
		ContactID string    `db:"contact_id"`
		Action    string    `db:"action"`
		At        time.Time `db:"at"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT id, contact_id, action, at FROM segment_membership_history
		WHERE segment_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, segment, before, n); err != nil {
		return nil, fmt.Errorf("read a segment's history: %w", pg.MapError(err))
	}
	out := make([]HistoryEntry, len(rows))
	for i, r := range rows {
		out[i] = HistoryEntry{ID: strconv.FormatInt(r.ID, 10), ContactID: r.ContactID, Action: r.Action, At: r.At.UTC()}
	}
	return out, nil
}
