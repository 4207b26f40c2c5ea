package contacts

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// emit adds the event of a change to the outbox in tx (customer.NewEvent).
func (s *service) emit(ctx context.Context, tx *sqlx.Tx, tenant, entity, verb, subject string, state any, changed []string) error {
	ev, err := customer.NewEvent(tenant, entity, verb, subject, state, changed)
	if err != nil {
		return err
	}
	return outbox.Add(ctx, s.store.prepared(tx), s.topic, ev)
}

// emitAll adds the events of verb on recs, all of entity, to the outbox of
// tx, with changed as each one's changed fields: one statement for many
// records (outbox.Add), where emit would take one each.
func (s *service) emitAll(ctx context.Context, tx *sqlx.Tx, tenant, entity, verb string, recs []customer.Record, changed []string) error {
	evs := make([]events.Event, len(recs))
	for i, rec := range recs {
		var err error
		if evs[i], err = customer.NewEvent(tenant, entity, verb, rec.Base().ID, rec, changed); err != nil {
			return err
		}
	}
	return outbox.Add(ctx, s.store.prepared(tx), s.topic, evs...)
}
