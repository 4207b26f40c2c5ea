// Package catalog is the tenant's catalogue of the contacts service: the
// tags records carry, the custom fields defined for contacts and accounts,
// and the tenant's settings. It also gives the other contexts what a record
// needs of the catalogue in their transactions: the rules a write is checked
// against (WriteRules), tag ids for names (ResolveTags) and the API view of
// records (Present).
package catalog

import (
	"time"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// The errors of the catalogue's tags (libs/customfields declares those of
// custom fields); libs/kitx maps their kinds to HTTP statuses.
var (
	ErrTagNotFound = errs.New(errs.NotFound, "tag-not-found", "tag not found")
	ErrTagExists   = errs.New(errs.Conflict, "tag-exists", "a tag with this name already exists")
)

// entities are the entities that have custom fields.
var entities = []string{customer.EntityContact, customer.EntityAccount}

// Settings are a tenant's settings of the contacts service.
type Settings struct {
	// DefaultRegion is the region (ISO 3166-1 alpha-2) phone numbers typed
	// without an international prefix are read in; one of phone.Regions,
	// phone.DefaultRegion until the tenant chooses.
	DefaultRegion string    `json:"defaultRegion" db:"default_region"`
	UpdatedAt     time.Time `json:"updatedAt" db:"updated_at"`
	Version       int64     `json:"version" db:"version"`
}
