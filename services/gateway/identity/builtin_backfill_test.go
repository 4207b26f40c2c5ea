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
	ctx := context.Background()
	db := testkit.Postgres(t)
	owner := testkit.Open(t, db.AdminURL)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	before := fstest.MapFS{}
	for _, name := range []string{"0001_identity.sql", "0002_tenant_domains.sql"} {
		data, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		before[name] = &fstest.MapFile{Data: data}
	}
	if err := pg.Migrate(ctx, owner.DB, logger, db.AppRole, pg.EmbeddedSource("gateway", before, ".")); err != nil {
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
		_, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE name = $1`, SupportManagerRole)
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
		return tx.GetContext(ctx, &got, `SELECT description, permissions, record_scopes, builtin FROM roles WHERE name = $1`, SupportManagerRole)
	}); err != nil {
		t.Fatalf("the early tenant's support_manager after migrating: %v", err)
	}
	want := BuiltinRoles[slices.IndexFunc(BuiltinRoles, func(r Role) bool { return r.Name == SupportManagerRole })]
	var scopes map[string]auth.Scope
	if err := json.Unmarshal(got.Scopes, &scopes); err != nil {
		t.Fatal(err)
	}
	if got.Description != want.Description || !slices.Equal(got.Permissions, want.Permissions) || !maps.Equal(scopes, want.RecordScopes) || !got.Builtin {
		t.Errorf("backfilled role = %+v %s, want %+v", got, got.Scopes, want)
	}
}
