package deals

import (
	"context"

	"github.com/rapport-crm/rapport/libs/customdefs"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/starter"
)

// FieldStore is the SQL of the custom field definitions of the sales
// service's records (leads, opportunities), in its custom_fields table
// (0008_lead_tags_fields.sql).
var FieldStore = customfields.Store{Table: "custom_fields"}

// FieldPerms are the permissions of the custom field definitions: listed
// with sales:read, changed with sales:admin.
var FieldPerms = customdefs.Perms{Read: PermRead, Admin: PermAdmin}

// EntityOpportunity is the entity of the custom fields of opportunities.
const EntityOpportunity = "opportunity"

// phoneRegion is the region a phone custom field's national numbers would
// be read in: none, as leads' (the sales service knows no tenant region).
const phoneRegion = ""

// NewFieldService returns the custom field definitions of opportunities on
// store's database (customdefs.Service of entity opportunity).
func NewFieldService(store *Store) customdefs.Service {
	return customdefs.NewService(store.db, FieldStore, EntityOpportunity)
}

// FieldRoutes returns the routes of the custom field definitions of
// opportunities on s, at /v1/opportunity-custom-fields (customdefs.Routes).
func FieldRoutes(s customdefs.Service) []starter.Route {
	return customdefs.Routes(s, "/v1/opportunity-custom-fields", "Opportunity", FieldPerms)
}

// checkFields checks o's custom field values against the tenant's
// definitions of opportunities, read in tx, normalising them
// (customfields.Check: errors name customFields/<key>).
func checkFields(ctx context.Context, tx *outbox.Tx, o *Opportunity) error {
	defs, err := FieldStore.Defs(ctx, tx.SQL(), EntityOpportunity)
	if err != nil {
		return err
	}
	v := errs.NewValidator()
	customfields.Check(v, defs, o.CustomFields, phoneRegion)
	return v.Err()
}
