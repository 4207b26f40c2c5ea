package catalog

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

const customFieldColumns = "id, entity, key, label, type, options, required, created_at, updated_at, version"

// customFieldRows is how Update changes a custom field definition.
var customFieldRows = pgstore.Rows[*customer.CustomField]{
	Entity: customer.EventCustomField,
	Lock: func(ctx context.Context, tx *pgstore.Tx, id string) (*customer.CustomField, error) {
		return getCustomField(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *pgstore.Tx, d *customer.CustomField, verb string) error {
		if verb == customer.VerbDeleted {
			return deleteCustomField(ctx, tx, d.ID)
		}
		return saveCustomField(ctx, tx, d, false)
	},
}

// CreateCustomField stores a new definition and publishes it.
func (s *Store) CreateCustomField(ctx context.Context, tenant string, d *customer.CustomField) error {
	return s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		if err := saveCustomField(ctx, tx, d, true); err != nil {
			return err
		}
		return tx.Emit(ctx, customer.EventCustomField, customer.VerbCreated, d.ID, d, nil)
	})
}

// CustomField reads a definition.
func (s *Store) CustomField(ctx context.Context, tenant, id string) (d *customer.CustomField, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		d, err = getCustomField(ctx, tx, id, false)
		return err
	})
	return d, err
}

// UpdateCustomField changes, or deletes, the definition id as change says
// (pgstore.Update).
func (s *Store) UpdateCustomField(ctx context.Context, tenant, id string,
	change func(*pgstore.Tx, *customer.CustomField) (*customer.CustomField, pgstore.Change, error)) (*customer.CustomField, error) {
	return pgstore.Update(ctx, s.db, tenant, id, customFieldRows, change)
}

// CustomFields returns the definitions of entity ("" for all) by key.
func (s *Store) CustomFields(ctx context.Context, tenant, entity string) (defs []customer.CustomField, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		defs, err = listCustomFields(ctx, tx, entity)
		return err
	})
	return defs, err
}

// CustomFieldDefs returns entity's definitions by key.
func CustomFieldDefs(ctx context.Context, tx *pgstore.Tx, entity string) (map[string]customer.CustomField, error) {
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

// getCustomField reads one definition, locking it when lock.
func getCustomField(ctx context.Context, tx *pgstore.Tx, id string, lock bool) (*customer.CustomField, error) {
	q := "SELECT " + customFieldColumns + " FROM custom_fields WHERE id = $1"
	if lock {
		q += " FOR UPDATE"
	}
	var d customer.CustomField
	if err := tx.SQL().GetContext(ctx, &d, q, id); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, ErrCustomFieldNotFound
		}
		return nil, fmt.Errorf("get custom field: %w", pg.MapError(err))
	}
	d.UTC()
	return &d, nil
}

// listCustomFields returns the definitions of entity ("" for all) by key.
func listCustomFields(ctx context.Context, tx *pgstore.Tx, entity string) ([]customer.CustomField, error) {
	out := []customer.CustomField{}
	err := tx.SQL().SelectContext(ctx, &out, "SELECT "+customFieldColumns+
		" FROM custom_fields WHERE $1 = '' OR entity = $1 ORDER BY entity, key", entity)
	if err != nil {
		return nil, fmt.Errorf("list custom fields: %w", pg.MapError(err))
	}
	for i := range out {
		out[i].UTC()
	}
	return out, nil
}

// saveCustomField inserts or updates d; a duplicate key is ErrCustomFieldExists.
func saveCustomField(ctx context.Context, tx *pgstore.Tx, d *customer.CustomField, insert bool) error {
	q := `UPDATE custom_fields SET label = :label, options = :options, required = :required,
		updated_at = :updated_at, version = :version WHERE tenant_id = ` + pgstore.CurrentTenant + ` AND id = :id`
	if insert {
		q = `INSERT INTO custom_fields (tenant_id, ` + customFieldColumns + `) VALUES (` + pgstore.CurrentTenant +
			`, :id, :entity, :key, :label, :type, :options, :required, :created_at, :updated_at, :version)`
	}
	if _, err := tx.SQL().NamedExecContext(ctx, q, d); err != nil {
		if pg.IsUniqueViolation(err, "custom_fields_key") {
			return ErrCustomFieldExists.WithDetail("a %s custom field with key %q already exists", d.Entity, d.Key)
		}
		return fmt.Errorf("save custom field: %w", pg.MapError(err))
	}
	return nil
}

// deleteCustomField removes a definition; values stay in the records.
func deleteCustomField(ctx context.Context, tx *pgstore.Tx, id string) error {
	res, err := tx.SQL().ExecContext(ctx, "DELETE FROM custom_fields WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete custom field: %w", pg.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrCustomFieldNotFound
	}
	return nil
}
