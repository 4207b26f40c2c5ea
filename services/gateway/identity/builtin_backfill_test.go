package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/services/gateway/migrations"
)

// TestSupportManagerBackfilled makes a tenant on the schema of before
// migration 0003, without the support_manager role, as the gateway made
// them then; migrating gives it the role exactly as BuiltinRoles declares
// it.
func TestSupportManagerBackfilled(t *testing.T) {
	testBackfill(t, []string{"0001_identity.sql", "0002_tenant_domains.sql"}, SupportManagerRole,
		`DELETE FROM roles WHERE name = $1`)
}

// TestMarketerBackfilled makes a tenant on the schema of before migration
// 0004, with the marketer role as the gateway made it then; migrating
// gives it the role exactly as BuiltinRoles declares it now.
func TestMarketerBackfilled(t *testing.T) {
	testBackfill(t, []string{"0001_identity.sql", "0002_tenant_domains.sql", "0003_support_manager_role.sql"}, MarketerRole,
		`UPDATE roles SET description = 'Runs campaigns and segments over every contact.',
			permissions = ARRAY['contacts:read', 'marketing:*', 'reporting:read'] WHERE name = $1`)
}

// TestReportingWriteBackfilled makes a tenant on the schema of before
// migration 0005, whose manager, marketer and support_manager held only
// reporting:read; migrating gives each its role exactly as BuiltinRoles
// declares it now.
func TestReportingWriteBackfilled(t *testing.T) {
	for _, role := range []string{"manager", MarketerRole, SupportManagerRole} {
		t.Run(role, func(t *testing.T) {
			testBackfill(t, []string{"0001_identity.sql", "0002_tenant_domains.sql", "0003_support_manager_role.sql", "0004_marketer_role.sql"}, role,
				`UPDATE roles SET permissions = array_remove(permissions, 'reporting:write') WHERE name = $1`)
		})
	}
}

// TestWebhooksAPIIntegrationRoleBackfilled makes a tenant on the schema of
// before migration 0006, whose integration role had no webhooks
// permission; migrating gives it the role exactly as BuiltinRoles declares
// it now.
func TestWebhooksAPIIntegrationRoleBackfilled(t *testing.T) {
	testBackfill(t, []string{"0001_identity.sql", "0002_tenant_domains.sql", "0003_support_manager_role.sql", "0004_marketer_role.sql", "0005_reporting_write.sql"}, "integration",
		`UPDATE roles SET description = 'For the owners of API keys: reads and writes CRM data of every module.',
			permissions = ARRAY['contacts:*', 'sales:*', 'marketing:*', 'support:*', 'reporting:read'] WHERE name = $1`)
}

// testBackfill migrates a database with the migrations before, makes a
// tenant whose role is then changed by the statement undo (of parameter
// role) to what the gateway made before the rest of the migrations, runs
// them, and checks the tenant's role is what BuiltinRoles declares.
func testBackfill(t *testing.T, before []string, role, undo string) {
	ctx := context.Background()
	db := testkit.Postgres(t)
	owner := testkit.Open(t, db.AdminURL)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	early := fstest.MapFS{}
	for _, name := range before {
		data, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		early[name] = &fstest.MapFile{Data: data}
	}
	if err := pg.Migrate(ctx, owner.DB, logger, db.AppRole, pg.EmbeddedSource("gateway", early, ".")); err != nil {
		t.Fatal(err)
	}
	app := testkit.Open(t, db.AppURL)
	keys, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{DB: app, Keys: keys, DataKey: bytes.Repeat([]byte{7}, DataKeyLen), PublicURL: "http://gateway.test",
		PlatformToken: testPlatformToken, Argon2: testArgon2, Logger: logger, Metrics: obs.NewGatewayMetrics(obs.NewMetrics("gateway"))})
	if err != nil {
		t.Fatal(err)
	}
	created, err := s.CreateTenant(ctx, CreateTenantRequest{Slug: "early", Name: "Early", Admin: CreateTenantAdmin{Email: "admin@early.test"}})
	if err != nil {
		t.Fatal(err)
	}
	tenant := created.Tenant.ID
	if err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, undo, role)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	if err := pg.Migrate(ctx, owner.DB, logger, db.AppRole, pg.EmbeddedSource("gateway", migrations.FS, ".")); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Description string         `db:"description"`
		Permissions pq.StringArray `db:"permissions"`
		Scopes      []byte         `db:"record_scopes"`
		Builtin     bool           `db:"builtin"`
	}
	if err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &got, `SELECT description, permissions, record_scopes, builtin FROM roles WHERE name = $1`, role)
	}); err != nil {
		t.Fatalf("the early tenant's %s after migrating: %v", role, err)
	}
	want := BuiltinRoles[slices.IndexFunc(BuiltinRoles, func(r Role) bool { return r.Name == role })]
	var scopes map[string]auth.Scope
	if err := json.Unmarshal(got.Scopes, &scopes); err != nil {
		t.Fatal(err)
	}
	if got.Description != want.Description || !slices.Equal(got.Permissions, want.Permissions) || !maps.Equal(scopes, want.RecordScopes) || !got.Builtin {
		t.Errorf("backfilled role = %+v %s, want %+v", got, got.Scopes, want)
	}
}
