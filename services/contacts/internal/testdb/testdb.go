// Package testdb gives the contacts service's tests a migrated database and
// seeded tenants, for the tests that query the store directly (plans,
// locks) rather than through the service's HTTP API.
package testdb

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts/migrations"
)

// Migrated returns a fresh database with the service's schema: a
// connection as its owner and one as the application role.
func Migrated(t *testing.T) (admin, app *sqlx.DB) {
	t.Helper()
	db := testkit.Postgres(t)
	admin = testkit.Open(t, db.AdminURL)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := pg.Migrate(context.Background(), admin.DB, quiet, db.AppRole, outbox.Migrations(), events.InboxMigrations(), migrations.Source()); err != nil {
		t.Fatal(err)
	}
	return admin, testkit.Open(t, db.AppURL)
}

// SeedContacts inserts n generated contacts of tenant, each third with an
// account, every tenth tagged tag, every seventh active recently.
func SeedContacts(t *testing.T, admin *sqlx.DB, tenant, tag string, n int) {
	t.Helper()
	for _, st := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO tags (tenant_id, id, name, colour, created_at, updated_at, version) VALUES ($1, $2, 'purchase-intent', '#9E9E9E', now(), now(), 1)`, []any{tenant, tag}},
		{`INSERT INTO accounts (tenant_id, id, name, owner_id, created_at, updated_at, version)
		 SELECT $1, gen_random_uuid(), 'Company ' || g, 'owner' || (g % 50), now(), now(), 1 FROM generate_series(1, $2::int / 10) g`, []any{tenant, n}},
		{`INSERT INTO contacts (tenant_id, id, first_name, last_name, display_name, emails, phones, owner_id, team_id,
			lifecycle_stage, tag_ids, last_activity_at, created_at, updated_at, version, account_id)
		 SELECT $1, gen_random_uuid(), 'First' || g, 'Last' || md5(g::text), 'First' || g || ' Last' || md5(g::text),
			jsonb_build_array(jsonb_build_object('address', 'user' || g || '@example' || (g % 97) || '.com', 'primary', true)),
			jsonb_build_array(jsonb_build_object('number', 'x', 'e164', '+1415' || lpad(g::text, 7, '0'), 'primary', true)),
			'owner' || (g % 50), 'team' || (g % 7),
			(ARRAY['lead', 'opportunity', 'customer', 'subscriber'])[g % 4 + 1],
			CASE WHEN g % 10 = 0 THEN ARRAY[$2::uuid] ELSE '{}' END,
			CASE WHEN g % 7 = 0 THEN now() - (g % 365) * interval '1 day' END,
			now() - g * interval '1 minute', now() - g * interval '1 second', 1,
			CASE WHEN g % 3 = 0 THEN (SELECT a.id FROM accounts a WHERE a.tenant_id = $1 ORDER BY a.id LIMIT 1) END
		 FROM generate_series(1, $3::int) g`, []any{tenant, tag, n}},
	} {
		if _, err := admin.Exec(st.q, st.args...); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}
