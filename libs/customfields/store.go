package customfields

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
)

// The errors of the definitions; libs/kitx maps their kinds to HTTP
// statuses.
var (
	ErrNotFound = errs.New(errs.NotFound, "custom-field-not-found", "custom field not found")
	ErrExists   = errs.New(errs.Conflict, "custom-field-exists", "a custom field with this key already exists")
)

// Store is the SQL of the definitions in Table, a table of the service's
// database that row-level security limits to the transaction's tenant
// (pg.WithTenantTx). The service's migration creates it as:
//
//	CREATE TABLE <table> (
//	    tenant_id  uuid        NOT NULL,
//	    id         uuid        NOT NULL,
//	    entity     text        NOT NULL,
//	    key        text        NOT NULL,
//	    label      text        NOT NULL,
//	    type       text        NOT NULL,
//	    options    text[]      NOT NULL DEFAULT '{}',
//	    required   boolean     NOT NULL DEFAULT false,
//	    created_at timestamptz NOT NULL,
//	    updated_at timestamptz NOT NULL,
//	    version    bigint      NOT NULL,
//	    PRIMARY KEY (tenant_id, id)
//	);
//	CREATE UNIQUE INDEX <table>_key ON <table> (tenant_id, entity, key);
//
// with the tenant_isolation policy, enabled and forced. Every method runs
// in the caller's transaction of one tenant, so a definition's change and
// the event that publishes it commit together.
type Store struct {
	// Table is the table's name; it is written into the SQL as it is.
	Table string
}

// columns are the columns of a definition, in the order of Field.
const columns = "id, entity, key, label, type, options, required, created_at, updated_at, version"

// currentTenant is the SQL value of the transaction's tenant.
const currentTenant = "CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid)"

// Get reads the definition id, locking it (FOR UPDATE) when lock; a
// missing one is ErrNotFound.
func (s Store) Get(ctx context.Context, tx sqlx.QueryerContext, id string, lock bool) (*Field, error) {
	q := "SELECT " + columns + " FROM " + s.Table + " WHERE id = $1"
	if lock {
		q += " FOR UPDATE"
	}
	var d Field
	if err := sqlx.GetContext(ctx, tx, &d, q, id); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("get custom field: %w", pg.MapError(err))
	}
	d.UTC()
	return &d, nil
}

// List returns the definitions of entity ("" for every entity) by entity
// and key.
func (s Store) List(ctx context.Context, tx sqlx.QueryerContext, entity string) ([]Field, error) {
	out := []Field{}
	err := sqlx.SelectContext(ctx, tx, &out, "SELECT "+columns+" FROM "+s.Table+
		" WHERE $1 = '' OR entity = $1 ORDER BY entity, key", entity)
	if err != nil {
		return nil, fmt.Errorf("list custom fields: %w", pg.MapError(err))
	}
	for i := range out {
		out[i].UTC()
	}
	return out, nil
}

// Defs returns entity's definitions by key, as Check and Visible take them.
func (s Store) Defs(ctx context.Context, tx sqlx.QueryerContext, entity string) (map[string]Field, error) {
	list, err := s.List(ctx, tx, entity)
	if err != nil {
		return nil, err
	}
	defs := make(map[string]Field, len(list))
	for _, d := range list {
		defs[d.Key] = d
	}
	return defs, nil
}

// Save inserts d (insert) or updates its label, options, required flag,
// updated_at and version; a second definition of the entity's key is
// ErrExists.
func (s Store) Save(ctx context.Context, tx sqlx.ExtContext, d *Field, insert bool) error {
	q := `UPDATE ` + s.Table + ` SET label = :label, options = :options, required = :required,
		updated_at = :updated_at, version = :version WHERE tenant_id = ` + currentTenant + ` AND id = :id`
	if insert {
		q = `INSERT INTO ` + s.Table + ` (tenant_id, ` + columns + `) VALUES (` + currentTenant +
			`, :id, :entity, :key, :label, :type, :options, :required, :created_at, :updated_at, :version)`
	}
	if _, err := sqlx.NamedExecContext(ctx, tx, q, d); err != nil {
		if pg.IsUniqueViolation(err, s.Table+"_key") {
			return ErrExists.WithDetail("a %s custom field with key %q already exists", d.Entity, d.Key)
		}
		return fmt.Errorf("save custom field: %w", pg.MapError(err))
	}
	return nil
}

// Delete removes the definition id (ErrNotFound when there is none); the
// values stay in the records, hidden from reads (Visible).
func (s Store) Delete(ctx context.Context, tx sqlx.ExecerContext, id string) error {
	res, err := tx.ExecContext(ctx, "DELETE FROM "+s.Table+" WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete custom field: %w", pg.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
