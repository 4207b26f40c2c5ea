package timeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// member is a record whose history a timeline shows: the one read, or one
// merged into it (directly or through merges of merges).
type member struct {
	ID        string    `db:"id"`
	CreatedAt time.Time `db:"created_at"`
}

// mergedInto returns the records of t merged into id, following merges of
// merges (at most pgstore.MaxMergeChain deep), by the merged_into index.
func mergedInto(ctx context.Context, tx *pgstore.Tx, t *pgstore.Table, id string) ([]member, error) {
	var out []member
	if err := tx.SQL().SelectContext(ctx, &out, mergedSQL(t), id); err != nil {
		return nil, fmt.Errorf("timeline: records merged into %s: %w", id, pg.MapError(err))
	}
	return out, nil
}

// mergedSQL is the query of mergedInto: $1 is the record's id.
func mergedSQL(t *pgstore.Table) string {
	return fmt.Sprintf(`WITH RECURSIVE merged(id, created_at, depth) AS (
			SELECT r.id, r.created_at, 1 FROM %[1]s r WHERE r.merged_into = $1
			UNION ALL
			SELECT r.id, r.created_at, m.depth + 1 FROM merged m JOIN %[1]s r ON r.merged_into = m.id
			WHERE r.merged_into IS NOT NULL AND m.depth < %[2]d
		)
		SELECT id, created_at FROM merged`, t.Name, pgstore.MaxMergeChain)
}

// storedRow is a row of timeline_entries.
type storedRow struct {
	RecordID string    `db:"record_id"`
	At       time.Time `db:"at"`
	ID       string    `db:"id"`
	Type     string    `db:"type"`
	Actor    string    `db:"actor"`
	Summary  string    `db:"summary"`
	Details  string    `db:"details"`
}

// storedDetails is what the details column holds: a change's
// (pgstore.ChangeDetails) or another service's event's.
type storedDetails struct {
	Changed      []string        `json:"changed"`
	LoserID      string          `json:"loserId"`
	MergedFields []string        `json:"mergedFields"`
	EventType    string          `json:"eventType"`
	Source       string          `json:"source"`
	Related      *activities.Ref `json:"related"`
}

// storedEntries returns up to n stored entries (changes and other
// services' events) of the records, of types (nil: every type), older than
// (at, after) when at is not nil, newest first: each record's rows are read
// newest first from the primary key, at most n of them.
func storedEntries(ctx context.Context, tx *pgstore.Tx, records []string, types []string, at *time.Time, after string, n int) ([]storedRow, error) {
	q, args := storedSQL(records, types, at, after, n)
	var out []storedRow
	if err := tx.SQL().SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("timeline: entries: %w", pg.MapError(err))
	}
	return out, nil
}

// storedSQL is the query of storedEntries and its arguments.
func storedSQL(records []string, types []string, at *time.Time, after string, n int) (string, []any) {
	args := &pgstore.Args{}
	conds := "e.record_id = r.id"
	recs := args.Bind(pq.StringArray(records))
	if types != nil {
		conds += " AND e.type = ANY(" + args.Bind(pq.StringArray(types)) + ")"
	}
	if at != nil {
		conds += " AND (e.at, e.id) < (" + args.Bind(*at) + ", " + args.Bind(after) + "::uuid)"
	}
	return fmt.Sprintf(`SELECT s.record_id, s.at, s.id, s.type, s.actor, s.summary, s.details
		FROM unnest(%s::uuid[]) AS r(id)
		CROSS JOIN LATERAL (
			SELECT e.record_id, e.at, e.id, e.type, e.actor, e.summary, e.details FROM timeline_entries e
			WHERE %s ORDER BY e.at DESC, e.id DESC LIMIT %d
		) s
		ORDER BY s.at DESC, s.id DESC LIMIT %d`, recs, conds, n, n), args.List
}

// details decodes the row's details.
func (r *storedRow) details() (storedDetails, error) {
	var d storedDetails
	if err := json.Unmarshal([]byte(r.Details), &d); err != nil {
		return d, fmt.Errorf("timeline: entry %s: details: %w", r.ID, err)
	}
	return d, nil
}
