package leads

import (
	"github.com/rapport-crm/rapport/libs/customdefs"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// EntityLead is the entity of the custom fields of leads.
const EntityLead = "lead"

// Fields are the tenant's custom field definitions of leads by key.
type Fields = customdefs.Fields

// fieldStore is the SQL of the definitions (deals.FieldStore).
var fieldStore = deals.FieldStore

// NewFieldService returns the custom field definitions of leads on
// store's database (customdefs.Service of entity lead).
func NewFieldService(store *Store) customdefs.Service {
	return customdefs.NewService(store.db, fieldStore, EntityLead)
}

// FieldRoutes returns the routes of the custom field definitions of leads
// on s, at /v1/lead-custom-fields (customdefs.Routes).
func FieldRoutes(s customdefs.Service) []starter.Route {
	return customdefs.Routes(s, "/v1/lead-custom-fields", "Lead", deals.FieldPerms)
}
