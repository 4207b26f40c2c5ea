package idempotency_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/idempotency"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestIdempotencyStaleClaim: a claim whose process died before it recorded
// the outcome (claimed, never completed nor released) refuses its retries
// as in flight only for ClaimLease; then a retry runs again. A completed
// key as old is replayed, never run again.
func TestIdempotencyStaleClaim(t *testing.T) {
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	ctx := context.Background()
	if err := pg.Migrate(ctx, admin.DB, slog.New(slog.DiscardHandler), db.AppRole, idempotency.Migrations()); err != nil {
		t.Fatal(err)
	}
	keys := idempotency.NewStore(testkit.Open(t, db.AppURL))
	tenant, route := uuid.NewString(), "POST /v1/leads/1/convert"
	age := func(key string) {
		t.Helper()
		if _, err := admin.Exec(`UPDATE idempotency_keys SET created_at = now() - make_interval(secs => $2) - interval '1 second'
			WHERE key = $1`, key, idempotency.ClaimLease.Seconds()); err != nil {
			t.Fatal(err)
		}
	}

	if prev, err := keys.Claim(ctx, tenant, route, "dead", "h"); err != nil || prev != nil {
		t.Fatalf("first claim: %v %v", prev, err)
	}
	if _, err := keys.Claim(ctx, tenant, route, "dead", "h"); !errors.Is(err, idempotency.ErrInFlight) {
		t.Fatalf("a retry within the lease: %v, want ErrInFlight", err)
	}
	age("dead")
	if prev, err := keys.Claim(ctx, tenant, route, "dead", "h"); err != nil || prev != nil {
		t.Fatalf("a retry after the lease: %v %v, want the claim taken over", prev, err)
	}
	if _, err := keys.Claim(ctx, tenant, route, "dead", "h"); !errors.Is(err, idempotency.ErrInFlight) {
		t.Errorf("the taken-over claim: %v, want ErrInFlight again", err)
	}

	if _, err := keys.Claim(ctx, tenant, route, "done", "h"); err != nil {
		t.Fatal(err)
	}
	if err := keys.Complete(ctx, tenant, route, "done", idempotency.Response{Status: 200, Body: []byte(`{"ok":true}`)}); err != nil {
		t.Fatal(err)
	}
	age("done")
	if prev, err := keys.Claim(ctx, tenant, route, "done", "h"); err != nil || prev == nil || prev.Status != 200 || string(prev.Body) != `{"ok":true}` {
		t.Errorf("a completed key after the lease: %+v %v, want its response replayed", prev, err)
	}
}
