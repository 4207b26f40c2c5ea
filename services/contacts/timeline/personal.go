package timeline

import (
	"context"
	"fmt"
	"math"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// ForeignOf returns every entry other services' events made in the
// timelines of the contacts ids, newest first per contact: what a
// personal-data export (package privacy) hands over of the timeline. A
// record's own changes are not there: they name fields, never values.
func ForeignOf(ctx context.Context, tx *pgstore.Tx, ids []string) ([]Entry, error) {
	rows, err := storedEntries(ctx, tx, ids, ForeignTypes(), nil, "", math.MaxInt32)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(rows))
	for i := range rows {
		e, err := storedEntry(pgstore.Contacts, &rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// RedactForeign cuts the summaries of the entries other services' events
// made in the timelines of the contacts ids to their label ("Case opened"),
// leaving out the title the event gave (a case's subject, a marketing
// email's, which may name the person), and returns how many it cut: what
// an erasure (package privacy) does to the timeline. The entries' types,
// times and the records of the other services they are about stay.
func RedactForeign(ctx context.Context, tx *pgstore.Tx, ids []string) (int64, error) {
	types := ForeignTypes()
	labels := make([]string, len(types))
	for i, t := range types {
		labels[i] = foreignLabels[t]
	}
	res, err := tx.SQL().ExecContext(ctx, `UPDATE timeline_entries e SET summary = l.label
		FROM unnest($1::uuid[]) r(id), unnest($2::text[], $3::text[]) l(type, label)
		WHERE e.record_id = r.id AND e.entity = 'contact' AND e.type = l.type AND e.summary <> l.label`,
		pq.StringArray(ids), pq.StringArray(types), pq.StringArray(labels))
	if err != nil {
		return 0, fmt.Errorf("timeline: redact entries: %w", pg.MapError(err))
	}
	return res.RowsAffected()
}
