package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// ChangePrefix begins the timeline type of a record's change: "record."
// and the verb of its event ("record.updated").
const ChangePrefix = "record."

// ChangeDetails is what a timeline entry of a record's change holds beyond
// its type, time and actor: the fields an update changed, the record a
// merge took in and the fields it took from it.
type ChangeDetails struct {
	Changed      []string `json:"changed,omitempty"`
	LoserID      string   `json:"loserId,omitempty"`
	MergedFields []string `json:"mergedFields,omitempty"`
}

// recordChanges adds to the timeline (timeline_entries, which package
// timeline reads) an entry per event of evs, all of verb on entity, when
// they change a contact or an account: an update (with the changed fields),
// a delete, a restore or a merge (with the record merged in, from the
// event's payload). The entry is the event's (its id and time) and is
// written in its transaction, so a timeline shows a change exactly when
// its event is on the way. A creation has no entry here: the record's own
// created_at is it, and the hottest write path (creates, imports) writes
// nothing more.
func (t *Tx) recordChanges(ctx context.Context, entity, verb string, evs []events.Event, changed []string) error {
	if entity != customer.EntityContact && entity != customer.EntityAccount || verb == customer.VerbCreated || len(evs) == 0 {
		return nil
	}
	records, ats, ids, details := make(pq.StringArray, len(evs)), make(pq.StringArray, len(evs)),
		make(pq.StringArray, len(evs)), make(pq.StringArray, len(evs))
	for i, ev := range evs {
		d := ChangeDetails{Changed: changed}
		if verb == customer.VerbMerged {
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				return fmt.Errorf("timeline: merged event %s: %w", ev.ID, err)
			}
		}
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		records[i], ats[i], ids[i], details[i] = ev.Subject, ev.Time.UTC().Format(time.RFC3339Nano), ev.ID, string(b)
	}
	actor := ""
	if p, ok := auth.PrincipalFrom(ctx); ok {
		actor = p.UserID
	}
	_, err := t.Prepared().ExecContext(ctx, `INSERT INTO timeline_entries (tenant_id, record_id, at, id, entity, type, actor, details)
		SELECT `+CurrentTenant+`, e.record_id, e.at, e.id, $5, $6, $7, e.details::jsonb
		FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[]) AS e(record_id, at, id, details)`,
		records, ats, ids, details, entity, ChangePrefix+verb, actor)
	if err != nil {
		return fmt.Errorf("timeline: record changes: %w", pg.MapError(err))
	}
	return nil
}
