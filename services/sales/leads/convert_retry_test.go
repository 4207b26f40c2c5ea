package leads

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/idempotency"
	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
	"github.com/rapport-crm/rapport/services/sales/migrations"
)

// TestConvertRetryAfterTheAnswerWasLost: a conversion with an
// Idempotency-Key committed (the store's write of the conversion, as
// Convert makes it once contacts has answered), and its outcome never kept
// by libs/idempotency (the replica died between them: no idempotency row
// exists). The retry with the same key gets the first answer again,
// converting nothing twice; another key, none, or the same key from
// another user is the 409 naming what the lead became. A retry that
// overtook its first try, reaching the write after it, gets the first
// answer too.
func TestConvertRetryAfterTheAnswerWasLost(t *testing.T) {
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	ctx := context.Background()
	if err := pg.Migrate(ctx, admin.DB, slog.New(slog.DiscardHandler), db.AppRole, outbox.Migrations(), events.InboxMigrations(), numbering.Migrations(),
		migrations.Source(), idempotency.Migrations()); err != nil {
		t.Fatal(err)
	}
	store := NewStore(outbox.NewDB(testkit.Open(t, db.AppURL), pgstore.Events, "sales"))
	p := auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString(), Permissions: []string{"sales:write"},
		RecordScope: map[string]auth.Scope{"sales": auth.ScopeAll}}
	ctx = auth.WithPrincipal(ctx, p)
	created, err := NewService(store, nil).Create(ctx, Lead{LastName: "Lovelace", Company: "Analytical"})
	if err != nil {
		t.Fatal(err)
	}
	id := created.ID
	first := &Conversion{ContactID: uuid.NewString(), ContactAction: ActionCreated, AccountID: uuid.NewString(), AccountAction: ActionLinked,
		OpportunityID: uuid.NewString()}
	attempt := keysOf(id, p.UserID, "key-1")("lead")
	if _, err := store.convert(ctx, p, id, attempt, pg.Timestamp(time.Now()), first, nil); err != nil {
		t.Fatal(err)
	}
	var kept int
	if err := admin.Get(&kept, `SELECT count(*) FROM idempotency_keys`); err != nil || kept != 0 {
		t.Fatalf("%d idempotency keys kept (%v), want none: the outcome was lost", kept, err)
	}

	// No contacts client: a conversion reaching contacts would be a 503.
	c := NewConverter(store, nil, nil)
	got, err := c.Convert(ctx, id, "key-1", ConvertRequest{})
	if err != nil {
		t.Fatalf("the retry with the same key: %v, want the first answer", err)
	}
	if got.ContactID != first.ContactID || got.ContactAction != first.ContactAction || got.AccountID != first.AccountID ||
		got.AccountAction != first.AccountAction || got.OpportunityID != first.OpportunityID || got.Lead.Version != first.Lead.Version ||
		got.Lead.Status != StatusConverted {
		t.Errorf("the retry's answer %+v, want the first %+v", got, first)
	}
	// A retry that overtook its first try (both past the check of the
	// converted lead) reaches the write after it: the first answer again;
	// another attempt there is refused.
	overtaking := &Conversion{ContactID: first.ContactID, ContactAction: ActionLinked, AccountID: first.AccountID, AccountAction: ActionLinked}
	if got, err := store.convert(ctx, p, id, attempt, pg.Timestamp(time.Now()), overtaking, nil); err != nil ||
		got.ContactAction != first.ContactAction || got.OpportunityID != first.OpportunityID || got.Lead.Version != first.Lead.Version {
		t.Errorf("the overtaking retry's write: %+v %v, want the first answer %+v", got, err, first)
	}
	if _, err := store.convert(ctx, p, id, keysOf(id, p.UserID, "key-2")("lead"), pg.Timestamp(time.Now()), overtaking, nil); !errors.Is(err, ErrAlreadyConverted) {
		t.Errorf("another attempt's write: %v, want ErrAlreadyConverted", err)
	}
	var conversions int
	relay, err := admin.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Rollback()
	if _, err := relay.Exec(`SELECT set_config('app.outbox_relay', 'on', true)`); err != nil {
		t.Fatal(err)
	}
	if err := relay.Get(&conversions, `SELECT count(*) FROM outbox WHERE type LIKE '%lead.converted%'`); err != nil || conversions != 1 {
		t.Errorf("%d lead.converted events (%v), want the first's only", conversions, err)
	}

	other := p
	other.UserID = uuid.NewString()
	for name, try := range map[string]struct {
		ctx     context.Context
		attempt string
	}{
		"another key": {ctx, "key-2"}, "no key": {ctx, ""}, "the same key from another user": {auth.WithPrincipal(ctx, other), "key-1"},
	} {
		if _, err := c.Convert(try.ctx, id, try.attempt, ConvertRequest{}); !errors.Is(err, ErrAlreadyConverted) {
			t.Errorf("%s: %v, want ErrAlreadyConverted", name, err)
		}
	}
}
