package activities

import (
	"context"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Naming returns the activities that name a person — by one of the
// contacts (an activity's contact, a meeting's attendee), emails
// (lower-cased) or phones (E.164) — newest first, whoever they belong to,
// locked for update when lock: what a personal-data export hands over and
// an erasure redacts (package privacy). They are found in activity_keys by
// equality.
func Naming(ctx context.Context, tx *pgstore.Tx, contacts, emails, phones []string, lock bool) ([]Activity, error) {
	var kinds, values pq.StringArray
	for _, k := range []struct {
		kind   string
		values []string
	}{{keyContact, contacts}, {keyEmail, emails}, {keyPhone, phones}} {
		for _, v := range k.values {
			kinds, values = append(kinds, k.kind), append(values, v)
		}
	}
	if len(kinds) == 0 {
		return []Activity{}, nil
	}
	q := `SELECT ` + columns + ` FROM activities WHERE id IN (
			SELECT k.activity_id FROM unnest($1::text[], $2::text[]) q(kind, value)
			CROSS JOIN LATERAL (SELECT activity_id FROM activity_keys WHERE kind = q.kind AND value = q.value) k)
		ORDER BY occurred_at DESC, id DESC`
	if lock {
		q += " FOR UPDATE"
	}
	return queryActivities(ctx, tx, q, kinds, values)
}

// Rewrite stores a, read by Naming and changed from old, with its keys, as
// an update does; the caller publishes its activity.updated. An erasure
// (package privacy) rewrites the activities it redacts through it.
func Rewrite(ctx context.Context, tx *pgstore.Tx, old, a *Activity) error {
	return updateActivity(ctx, tx, old, a)
}
