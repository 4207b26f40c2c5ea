package contacts

import (
	"time"

	"github.com/lib/pq"
)

// CustomField defines a per-tenant field of contacts or accounts. Key is
// immutable; Label can be renamed and Options extended without touching any
// record. Deleting a definition hides its values from reads; they stay in
// the rows and show again if a definition with the same key and a type they
// are valid for is created.
type CustomField struct {
	ID        string         `json:"id" db:"id"`
	Entity    string         `json:"entity" db:"entity"`
	Key       string         `json:"key" db:"key"`
	Label     string         `json:"label" db:"label"`
	Type      string         `json:"type" db:"type"`
	Options   pq.StringArray `json:"options,omitempty" db:"options"`
	Required  bool           `json:"required" db:"required"`
	CreatedAt time.Time      `json:"createdAt" db:"created_at"`
	UpdatedAt time.Time      `json:"updatedAt" db:"updated_at"`
	Version   int64          `json:"version" db:"version"`
}

// The entities custom fields are defined for.
const (
	EntityContact = "contact"
	EntityAccount = "account"
)

// CustomFieldTypes are the types a custom field can have.
var CustomFieldTypes = []string{"text", "longText", "number", "decimal", "date", "datetime", "boolean",
	"singleSelect", "multiSelect", "currency", "url", "email", "phone"}

// utc puts the timestamps read from the database in UTC.
func (d *CustomField) utc() { d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC() }
