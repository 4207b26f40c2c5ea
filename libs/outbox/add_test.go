package outbox

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
)

// TestAddStoresManyEventsInOrder adds more events in one call than one
// statement writes (addChunk): every one is stored once, in the order given.
func TestAddStoresManyEventsInOrder(t *testing.T) {
	f := newFixture(t)
	const n = 2*addChunk + addChunk/2
	evs := make([]events.Event, n)
	for i := range evs {
		ev, err := events.New("/rapport/test", "dev.rapport.test.thing.updated.v1", "k", f.tenant, map[string]int{"seq": i})
		if err != nil {
			t.Fatal(err)
		}
		evs[i] = ev
	}
	err := pg.WithTenantTx(context.Background(), f.db, f.tenant, func(tx *sqlx.Tx) error {
		return Add(context.Background(), tx, f.topic, evs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	err = pg.WithTx(context.Background(), f.db, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`SELECT set_config('app.outbox_relay', 'on', true)`); err != nil {
			return err
		}
		return tx.Select(&stored, `SELECT event_id FROM outbox ORDER BY seq`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != n {
		t.Fatalf("stored %d events, want %d", len(stored), n)
	}
	for i, id := range stored {
		if id != evs[i].ID {
			t.Fatalf("event %d stored is %s, want %s", i, id, evs[i].ID)
		}
	}
}
