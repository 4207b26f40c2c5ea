package contacts

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/services/contacts/migrations"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// migratedDB returns a fresh database with the service's schema: a
// connection as its owner and one as the application role.
func migratedDB(t *testing.T) (admin, app *sqlx.DB) {
	t.Helper()
	db := testkit.Postgres(t)
	admin = testkit.Open(t, db.AdminURL)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := pg.Migrate(context.Background(), admin.DB, quiet, db.AppRole, outbox.Migrations(), events.InboxMigrations(), migrations.Source()); err != nil {
		t.Fatal(err)
	}
	return admin, testkit.Open(t, db.AppURL)
}

// seedContacts inserts n generated contacts of tenant, each third with an
// account, every tenth tagged tag, every seventh active recently.
func seedContacts(t *testing.T, admin *sqlx.DB, tenant, tag string, n int) {
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

// TestQueryPlansUseIndexes checks, on 2 tenants × 20,000 contacts, that the
// application role's search, filter and sort queries read contacts through
// the intended indexes, never a sequential scan, although every table is
// under FORCE ROW LEVEL SECURITY.
func TestQueryPlansUseIndexes(t *testing.T) {
	ctx := context.Background()
	admin, app := migratedDB(t)
	tenant := uuid.NewString()
	seedContacts(t, admin, tenant, uuid.NewString(), 20000)
	seedContacts(t, admin, uuid.NewString(), uuid.NewString(), 20000)
	if _, err := admin.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	p := auth.Principal{TenantID: tenant, UserID: "owner1", RecordScope: map[string]auth.Scope{customer.Module: auth.ScopeAll}}
	issue := json.RawMessage(`{"and": [{"field": "tags", "op": "contains", "value": "purchase-intent"},
		{"field": "lastActivityAt", "op": "within", "value": "90d"}, {"field": "lifecycleStage", "op": "ne", "value": "customer"}]}`)
	for _, tt := range []struct {
		name  string
		k     *kind
		q     ListQuery
		scope auth.Scope
		want  []string
	}{
		{"latin prefix", contactKind, ListQuery{Q: "first123"}, auth.ScopeAll, []string{"contacts_name_key", "contacts_search"}},
		{"typo", contactKind, ListQuery{Q: "frist1234"}, auth.ScopeAll, []string{"contacts_search"}},
		{"cjk prefix", contactKind, ListQuery{Q: "张"}, auth.ScopeAll, []string{"contacts_name_key", "contacts_account_key"}},
		// Under collation C (pg.CreateDatabase) the sort index on the email serves a prefix as well.
		{"email prefix", contactKind, ListQuery{Q: "user123@"}, auth.ScopeAll, []string{"contacts_primary_email|contacts_email_sort"}},
		{"phone digits", contactKind, ListQuery{Q: "555 0123"}, auth.ScopeAll, []string{"contacts_phone_key", "contacts_phone_rkey"}},
		{"search in own scope", contactKind, ListQuery{Q: "first12"}, auth.ScopeOwn, []string{"contacts_owner"}},
		{"issue filter, recent first", contactKind, ListQuery{Filter: issue, Sort: "-lastActivityAt"}, auth.ScopeAll, []string{"contacts_last_activity"}},
		{"stage and updated", contactKind, ListQuery{Filter: json.RawMessage(`{"field": "lifecycleStage", "op": "eq", "value": "lead"}`), Sort: "updatedAt"}, auth.ScopeAll, []string{"contacts_stage_updated"}},
		{"default order", contactKind, ListQuery{}, auth.ScopeAll, []string{"contacts_created"}},
		{"by name", contactKind, ListQuery{Sort: "displayName"}, auth.ScopeAll, []string{"contacts_display_name"}},
		{"account search", accountKind, ListQuery{Q: "company 12"}, auth.ScopeAll, []string{"accounts_name_key", "accounts_search"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p.RecordScope[customer.Module] = tt.scope
			var plan string
			err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
				lp, err := planList(ctx, tx, tt.k, p, tt.q)
				if err != nil {
					return err
				}
				plan, err = lp.explain(ctx, tx, 51)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(plan, "Seq Scan on "+tt.k.table) {
				t.Errorf("sequential scan:\n%s", plan)
			}
			for _, idx := range tt.want { // "a|b": a or b
				if !slices.ContainsFunc(strings.Split(idx, "|"), func(i string) bool { return strings.Contains(plan, i) }) {
					t.Errorf("plan does not use %s:\n%s", idx, plan)
				}
			}
		})
	}
}
