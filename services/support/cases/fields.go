package cases

import (
	"github.com/rapport-crm/rapport/libs/customdefs"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// EntityCase is the entity of the custom fields of cases.
const EntityCase = "case"

// FieldStore is the SQL of the support service's custom field
// definitions, in its custom_fields table (0002_case_entries.sql).
var FieldStore = customfields.Store{Table: "custom_fields"}

// Fields are the tenant's custom field definitions of cases by key.
type Fields = customdefs.Fields

// NewFieldService returns the custom field definitions of cases on db
// (customdefs.Service of entity case).
func NewFieldService(db *outbox.DB) customdefs.Service {
	return customdefs.NewService(db, FieldStore, EntityCase)
}

// FieldRoutes returns the routes of the custom field definitions of cases
// on s, at /v1/case-custom-fields: listed with support:read, changed with
// support:admin.
func FieldRoutes(s customdefs.Service) []starter.Route {
	return customdefs.Routes(s, "/v1/case-custom-fields", "Case", customdefs.Perms{Read: supportdb.PermRead, Admin: supportdb.PermAdmin})
}

// checkFields checks c's custom field values against defs, normalising
// them (customfields.Check: errors name customFields/<key>).
func checkFields(c *Case, defs Fields) error {
	v := errs.NewValidator()
	customfields.Check(v, defs, c.CustomFields, "")
	return v.Err()
}
