package contacts

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
)

const customFieldColumns = "id, entity, key, label, type, options, required, created_at, updated_at, version"

// getCustomField reads one definition, locking it when forUpdate.
func getCustomField(ctx context.Context, tx *sqlx.Tx, id string, forUpdate bool) (*customer.CustomField, error) {
	q := "SELECT " + customFieldColumns + " FROM custom_fields WHERE id = $1"
	if forUpdate {
		q += " FOR UPDATE"
	}
	var d customer.CustomField
	if err := tx.GetContext(ctx, &d, q, id); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, ErrCustomFieldNotFound
		}
		return nil, fmt.Errorf("get custom field: %w", pg.MapError(err))
	}
	d.UTC()
	return &d, nil
}

// listCustomFields returns the definitions of entity ("" for all) by key.
func listCustomFields(ctx context.Context, tx *sqlx.Tx, entity string) ([]customer.CustomField, error) {
	out := []customer.CustomField{}
	err := tx.SelectContext(ctx, &out, "SELECT "+customFieldColumns+
		" FROM custom_fields WHERE $1 = '' OR entity = $1 ORDER BY entity, key", entity)
	if err != nil {
		return nil, fmt.Errorf("list custom fields: %w", pg.MapError(err))
	}
	for i := range out {
		out[i].UTC()
	}
	return out, nil
}

// customFieldDefs returns entity's definitions by key.
func customFieldDefs(ctx context.Context, tx *sqlx.Tx, entity string) (map[string]customer.CustomField, error) {
	list, err := listCustomFields(ctx, tx, entity)
	if err != nil {
		return nil, err
	}
	defs := make(map[string]customer.CustomField, len(list))
	for _, d := range list {
		defs[d.Key] = d
	}
	return defs, nil
}

// saveCustomField inserts or updates d; a duplicate key is ErrCustomFieldExists.
func saveCustomField(ctx context.Context, tx *sqlx.Tx, d *customer.CustomField, insert bool) error {
	q := `UPDATE custom_fields SET label = :label, options = :options, required = :required,
		updated_at = :updated_at, version = :version WHERE tenant_id = ` + currentTenant + ` AND id = :id`
	if insert {
		q = `INSERT INTO custom_fields (tenant_id, ` + customFieldColumns + `) VALUES (` + currentTenant +
			`, :id, :entity, :key, :label, :type, :options, :required, :created_at, :updated_at, :version)`
	}
	if _, err := tx.NamedExecContext(ctx, q, d); err != nil {
		if pg.IsUniqueViolation(err, "custom_fields_key") {
			return ErrCustomFieldExists.WithDetail("a %s custom field with key %q already exists", d.Entity, d.Key)
		}
		return fmt.Errorf("save custom field: %w", pg.MapError(err))
	}
	return nil
}

// deleteCustomField removes a definition; values stay in the records.
func deleteCustomField(ctx context.Context, tx *sqlx.Tx, id string) error {
	res, err := tx.ExecContext(ctx, "DELETE FROM custom_fields WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete custom field: %w", pg.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrCustomFieldNotFound
	}
	return nil
}

// writeRules returns what a write of entity is checked against, read in one
// statement: the tenant's default phone region and entity's custom field
// definitions by key.
func writeRules(ctx context.Context, tx sqlx.ExtContext, entity string) (region string, defs map[string]customer.CustomField, err error) {
	var row struct {
		Region sql.NullString `db:"region"`
		Defs   []byte         `db:"defs"`
	}
	err = sqlx.GetContext(ctx, tx, &row, `SELECT (SELECT default_region FROM settings) AS region,
		(SELECT json_agg(json_build_object('id', id, 'entity', entity, 'key', key, 'label', label, 'type', type,
			'options', options, 'required', required, 'createdAt', created_at, 'updatedAt', updated_at, 'version', version))
			FROM custom_fields WHERE entity = $1) AS defs`, entity)
	if err != nil {
		return "", nil, fmt.Errorf("read write rules: %w", pg.MapError(err))
	}
	var list []customer.CustomField
	if row.Defs != nil {
		if err := json.Unmarshal(row.Defs, &list); err != nil {
			return "", nil, fmt.Errorf("read write rules: custom fields: %w", err)
		}
	}
	defs = make(map[string]customer.CustomField, len(list))
	for _, d := range list {
		d.UTC()
		defs[d.Key] = d
	}
	return cmp.Or(row.Region.String, DefaultRegion), defs, nil
}

// getSettings returns the tenant's settings, or the defaults.
func getSettings(ctx context.Context, tx *sqlx.Tx) (*Settings, error) {
	s := Settings{DefaultRegion: DefaultRegion}
	err := tx.GetContext(ctx, &s, "SELECT default_region, updated_at, version FROM settings")
	if err != nil && errs.KindOf(pg.MapError(err)) != errs.NotFound {
		return nil, fmt.Errorf("get settings: %w", pg.MapError(err))
	}
	s.UpdatedAt = s.UpdatedAt.UTC()
	return &s, nil
}

// putSettings stores the tenant's settings.
func putSettings(ctx context.Context, tx *sqlx.Tx, s *Settings) error {
	err := tx.GetContext(ctx, s, `
		INSERT INTO settings (tenant_id, default_region) VALUES (`+currentTenant+`, $1)
		ON CONFLICT (tenant_id) DO UPDATE SET default_region = EXCLUDED.default_region,
			updated_at = now(), version = settings.version + 1
		RETURNING default_region, updated_at, version`, s.DefaultRegion)
	if err != nil {
		return fmt.Errorf("put settings: %w", pg.MapError(err))
	}
	s.UpdatedAt = s.UpdatedAt.UTC()
	return nil
}
