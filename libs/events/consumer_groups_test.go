package events

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestEveryGroupAppliesEachEvent runs two consumer groups of one service
// (one database, one inbox) on one topic: each applies every event once. An
// event in the inbox from before groups were kept apart (the empty group) is
// applied by neither.
func TestEveryGroupAppliesEachEvent(t *testing.T) {
	f := newConsumerFixture(t)
	old := f.publish(t, "dev.rapport.test.thing.created.v1")
	if err := pg.WithTenantTx(context.Background(), f.db, f.tenant, func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO inbox (tenant_id, source, id, type) VALUES ($1, $2, $3, $4)`, old.TenantID, old.Source, old.ID, old.Type)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var a, b atomic.Int64
	count := func(n *atomic.Int64) Handler {
		return func(_ context.Context, _ *sqlx.Tx, ev Event) error {
			if ev.ID == old.ID {
				t.Errorf("the event applied before groups were kept apart was applied again")
			}
			n.Add(1)
			return nil
		}
	}
	f.run(t, ConsumerConfig{Group: "clocks", Handler: count(&a)}, nil)
	f.run(t, ConsumerConfig{Group: "routing", Handler: count(&b)}, nil)
	const n = 50
	for range n {
		f.publish(t, "dev.rapport.test.thing.created.v1")
	}
	testkit.Eventually(t, 45*time.Second, "both groups apply every event", func() (bool, string) {
		return a.Load() == n && b.Load() == n, fmt.Sprintf("clocks %d, routing %d", a.Load(), b.Load())
	})
}
