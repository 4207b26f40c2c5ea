package catalog

import (
	"context"

	"github.com/rapport-crm/rapport/libs/customfields"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Present fills the API view of recs, all of entity, in tx: tag names from
// their ids and the values of defined custom fields.
func Present(ctx context.Context, tx *pgstore.Tx, entity string, recs ...customer.Record) error {
	defs, err := CustomFieldDefs(ctx, tx, entity)
	if err != nil {
		return err
	}
	return PresentWith(ctx, tx, defs, recs...)
}

// PresentWith is Present with the custom field definitions already read.
func PresentWith(ctx context.Context, tx *pgstore.Tx, defs map[string]customfields.Field, recs ...customer.Record) error {
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.Base().TagIDs...)
	}
	names, err := tagNames(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, r := range recs {
		m := r.Base()
		m.Tags = []string{}
		for _, id := range m.TagIDs {
			if n, ok := names[id]; ok {
				m.Tags = append(m.Tags, n)
			}
		}
		m.CustomFields = customfields.Visible(defs, m.StoredFields, "")
	}
	return nil
}
