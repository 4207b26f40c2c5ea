package catalog

import (
	"context"

	"github.com/rapport-crm/rapport/libs/customfields"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// customFields is the SQL of the definitions, in the custom_fields table
// (0001_contacts.sql).
var customFields = customfields.Store{Table: "custom_fields"}

// customFieldRows is how Update changes a custom field definition.
var customFieldRows = pgstore.Rows[*customfields.Field]{
	Entity: customer.EventCustomField,
	Lock: func(ctx context.Context, tx *pgstore.Tx, id string) (*customfields.Field, error) {
		return customFields.Get(ctx, tx.SQL(), id, true)
	},
	Write: func(ctx context.Context, tx *pgstore.Tx, d *customfields.Field, verb string) error {
		if verb == customer.VerbDeleted {
			return customFields.Delete(ctx, tx.SQL(), d.ID)
		}
		return customFields.Save(ctx, tx.SQL(), d, false)
	},
}

// CreateCustomField stores a new definition and publishes it.
func (s *Store) CreateCustomField(ctx context.Context, tenant string, d *customfields.Field) error {
	return s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		if err := customFields.Save(ctx, tx.SQL(), d, true); err != nil {
			return err
		}
		return tx.Emit(ctx, customer.EventCustomField, customer.VerbCreated, d.ID, d, nil)
	})
}

// CustomField reads a definition.
func (s *Store) CustomField(ctx context.Context, tenant, id string) (d *customfields.Field, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		d, err = customFields.Get(ctx, tx.SQL(), id, false)
		return err
	})
	return d, err
}

// UpdateCustomField changes, or deletes, the definition id as change says
// (pgstore.Update).
func (s *Store) UpdateCustomField(ctx context.Context, tenant, id string,
	change func(*pgstore.Tx, *customfields.Field) (*customfields.Field, pgstore.Change, error)) (*customfields.Field, error) {
	return pgstore.Update(ctx, s.db, tenant, id, customFieldRows, change)
}

// CustomFields returns the definitions of entity ("" for all) by key.
func (s *Store) CustomFields(ctx context.Context, tenant, entity string) (defs []customfields.Field, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		defs, err = customFields.List(ctx, tx.SQL(), entity)
		return err
	})
	return defs, err
}

// CustomFieldDefs returns entity's definitions by key.
func CustomFieldDefs(ctx context.Context, tx *pgstore.Tx, entity string) (map[string]customfields.Field, error) {
	return customFields.Defs(ctx, tx.SQL(), entity)
}
