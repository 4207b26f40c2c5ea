package outbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
)

// things is the catalogue of the tests' events.
var things = events.Catalogue{Source: "/rapport/test", Context: "test", Verbs: map[string][]string{
	"thing": {"created", events.VerbUpdated},
}}

// TestTxEmitAndPublish checks that a tenant transaction's events reach the
// outbox, in order, with the tenant and the changed fields of an update,
// and only when it commits; an event outside the catalogue is refused
// before anything is written.
func TestTxEmitAndPublish(t *testing.T) {
	f := newFixture(t)
	db := NewDB(f.db, things, f.topic)
	ctx := context.Background()
	var published []events.Event
	err := db.InTx(ctx, f.tenant, func(tx *Tx) error {
		if err := tx.Emit(ctx, "thing", "created", "t1", map[string]string{"id": "t1"}, nil); err != nil {
			return err
		}
		var err error
		published, err = tx.Publish(ctx, tx.SQL(), "thing", events.VerbUpdated, []string{"t1", "t2"},
			[]any{map[string]string{"id": "t1"}, map[string]string{"id": "t2"}}, []string{"name"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(published) != 2 || published[1].Subject != "t2" || published[1].TenantID != f.tenant ||
		published[1].Type != "dev.rapport.test.thing.updated.v1" || string(published[1].Data) != `{"changed":["name"],"id":"t2"}` {
		t.Errorf("published %+v", published)
	}
	if got := f.stored(t); !slices.Equal(got, []string{"dev.rapport.test.thing.created.v1/t1",
		"dev.rapport.test.thing.updated.v1/t1", "dev.rapport.test.thing.updated.v1/t2"}) {
		t.Errorf("outbox %v", got)
	}

	rollback := errors.New("roll back")
	err = db.InTx(ctx, f.tenant, func(tx *Tx) error {
		if err := tx.Emit(ctx, "thing", "created", "t3", struct{}{}, nil); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) || len(f.stored(t)) != 3 {
		t.Errorf("a rolled back transaction: %v, outbox %v", err, f.stored(t))
	}
	err = db.InTx(ctx, f.tenant, func(tx *Tx) error {
		return tx.Emit(ctx, "thing", "merged", "t1", struct{}{}, nil)
	})
	if err == nil || !strings.Contains(err.Error(), "dev.rapport.test.thing.merged.v1") || len(f.stored(t)) != 3 {
		t.Errorf("an event outside the catalogue: %v, outbox %v", err, f.stored(t))
	}
}

// stored returns the type and subject of each event in the outbox, in
// order.
func (f fixture) stored(t *testing.T) []string {
	t.Helper()
	var rows []struct {
		Type    string `db:"type"`
		Subject string `db:"subject"`
	}
	err := pg.WithTx(context.Background(), f.db, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`SELECT set_config('app.outbox_relay', 'on', true)`); err != nil {
			return err
		}
		return tx.Select(&rows, `SELECT type, subject FROM outbox ORDER BY seq`)
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Type+"/"+r.Subject)
	}
	return out
}

// TestTxPrepared checks that a tenant transaction's prepared queries run
// in it (they see its tenant) and, once the DB has prepared them, as
// prepared statements of the session.
func TestTxPrepared(t *testing.T) {
	f := newFixture(t)
	f.db.SetMaxOpenConns(1)
	db := NewDB(f.db, things, f.topic)
	ctx := context.Background()
	const query = `SELECT current_setting('app.tenant_id') || $1`
	// round runs query through Prepared in a transaction of the tenant and
	// returns what it read and whether the session had it prepared.
	round := func() (got string, prepared bool) {
		t.Helper()
		err := db.InTx(ctx, f.tenant, func(tx *Tx) error {
			if err := sqlx.GetContext(ctx, tx.Prepared(), &got, query, "/x"); err != nil {
				return err
			}
			return tx.SQL().Get(&prepared, `SELECT EXISTS (SELECT FROM pg_prepared_statements WHERE statement = $1)`, query)
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, prepared
	}
	for n := 1; ; n++ {
		got, prepared := round()
		if got != f.tenant+"/x" {
			t.Fatalf("round %d read %q, want %q", n, got, f.tenant+"/x")
		}
		if prepared {
			break
		}
		if n == 50 {
			t.Fatal("the query was never prepared")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
