package customfields_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// schema is the table of the Store's documentation, named as a second
// service might name it, with row-level security as every tenant-owned
// table has it.
const schema = `-- +goose Up
CREATE TABLE sales_custom_fields (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    entity     text        NOT NULL,
    key        text        NOT NULL,
    label      text        NOT NULL,
    type       text        NOT NULL,
    options    text[]      NOT NULL DEFAULT '{}',
    required   boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX sales_custom_fields_key ON sales_custom_fields (tenant_id, entity, key);
ALTER TABLE sales_custom_fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE sales_custom_fields FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sales_custom_fields
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
`

// setup migrates a fresh database and returns the application role's pool.
func setup(t *testing.T) *sqlx.DB {
	t.Helper()
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	src := pg.Source{Name: "customfields", FS: fstest.MapFS{"0001_custom_fields.sql": {Data: []byte(schema)}}}
	if err := pg.Migrate(context.Background(), admin.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), db.AppRole, src); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	missing, err := pg.TablesWithoutRLS(context.Background(), admin.DB)
	if err != nil || len(missing) > 0 {
		t.Fatalf("tables without row-level security: %v, %v", missing, err)
	}
	return testkit.Open(t, db.AppURL)
}

// field returns a new definition of entity with key.
func field(entity, key, typ string, options ...string) *customfields.Field {
	now := pg.Now()
	return &customfields.Field{ID: uuid.NewString(), Entity: entity, Key: key, Label: key, Type: typ,
		Options: pq.StringArray(append([]string{}, options...)), CreatedAt: now, UpdatedAt: now, Version: 1}
}

func TestStore(t *testing.T) {
	app := setup(t)
	ctx := context.Background()
	store := customfields.Store{Table: "sales_custom_fields"}
	tenant, other := uuid.NewString(), uuid.NewString()
	in := func(tenant string, fn func(tx *sqlx.Tx) error) error { return pg.WithTenantTx(ctx, app, tenant, fn) }

	tier := field("lead", "tier", "singleSelect", "gold", "silver")
	budget := field("opportunity", "budget", "decimal")
	err := in(tenant, func(tx *sqlx.Tx) error {
		for _, d := range []*customfields.Field{tier, budget, field("lead", "budget", "number")} {
			if err := store.Save(ctx, tx, d, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	// The same key for the same entity is refused; another tenant has keys
	// of its own.
	err = in(tenant, func(tx *sqlx.Tx) error { return store.Save(ctx, tx, field("lead", "tier", "text"), true) })
	if !errors.Is(err, customfields.ErrExists) {
		t.Errorf("a second lead field tier: %v, want ErrExists", err)
	}
	if err := in(other, func(tx *sqlx.Tx) error { return store.Save(ctx, tx, field("lead", "tier", "text"), true) }); err != nil {
		t.Errorf("another tenant's lead field tier: %v", err)
	}

	err = in(tenant, func(tx *sqlx.Tx) error {
		got, err := store.Get(ctx, tx, tier.ID, true)
		if err != nil {
			return err
		}
		if got.Key != "tier" || len(got.Options) != 2 || got.CreatedAt.Location() != time.UTC || !got.CreatedAt.Equal(tier.CreatedAt) {
			t.Errorf("Get = %+v, want %+v", got, tier)
		}
		got.Label, got.Options, got.Required, got.Version = "Tier", append(got.Options, "bronze"), true, 2
		return store.Save(ctx, tx, got, false)
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}

	err = in(tenant, func(tx *sqlx.Tx) error {
		all, err := store.List(ctx, tx, "")
		if err != nil {
			return err
		}
		if len(all) != 3 || all[0].Entity != "lead" || all[0].Key != "budget" || all[2].Entity != "opportunity" {
			t.Errorf("List(all) = %+v, want lead budget, lead tier, opportunity budget", all)
		}
		defs, err := store.Defs(ctx, tx, "lead")
		if err != nil {
			return err
		}
		if d := defs["tier"]; len(defs) != 2 || d.Label != "Tier" || !d.Required || len(d.Options) != 3 || d.Version != 2 {
			t.Errorf("Defs(lead) = %+v", defs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Row-level security: the other tenant neither reads nor deletes the
	// tenant's definitions.
	err = in(other, func(tx *sqlx.Tx) error {
		if _, err := store.Get(ctx, tx, tier.ID, false); !errors.Is(err, customfields.ErrNotFound) {
			t.Errorf("another tenant's Get: %v, want ErrNotFound", err)
		}
		if err := store.Delete(ctx, tx, tier.ID); !errors.Is(err, customfields.ErrNotFound) {
			t.Errorf("another tenant's Delete: %v, want ErrNotFound", err)
		}
		list, err := store.List(ctx, tx, "")
		if len(list) != 1 || list[0].ID == tier.ID {
			t.Errorf("another tenant lists %+v, %v; want its own field only", list, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	err = in(tenant, func(tx *sqlx.Tx) error {
		if err := store.Delete(ctx, tx, tier.ID); err != nil {
			return err
		}
		if _, err := store.Get(ctx, tx, tier.ID, false); !errors.Is(err, customfields.ErrNotFound) {
			t.Errorf("Get of a deleted field: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
