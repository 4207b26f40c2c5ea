// Package customer is the contacts service's domain: the accounts
// (companies) and contacts (people) a tenant does business with (their
// custom fields and tags as libs/customfields and libs/tags hold them), how
// they are validated and normalised, who may see them,
// the errors and events of their changes. It holds no SQL and no HTTP; the
// application packages (records, duplicates, search, catalog) build on it.
package customer

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/customfields"
)

// The entities of the service: what custom fields are defined for, and the
// entities of the records' events.
const (
	EntityContact = "contact"
	EntityAccount = "account"
)

// Meta holds the fields every account and contact shares: identity,
// ownership, tags, custom fields and the bookkeeping columns.
type Meta struct {
	ID      string `json:"id" db:"id"`
	OwnerID string `json:"ownerId" db:"owner_id"`
	TeamID  string `json:"teamId,omitempty" db:"team_id"`
	// Tags are the tag names shown by the API; TagIDs are what the row stores.
	Tags   []string       `json:"tags" db:"-"`
	TagIDs pq.StringArray `json:"-" db:"tag_ids"`
	// CustomFields are the values of defined fields shown by the API;
	// StoredFields is the column, which keeps values of deleted definitions.
	CustomFields customfields.Values `json:"customFields" db:"-"`
	StoredFields JSONMap             `json:"-" db:"custom_fields"`
	CreatedAt    time.Time           `json:"createdAt" db:"created_at"`
	UpdatedAt    time.Time           `json:"updatedAt" db:"updated_at"`
	Version      int64               `json:"version" db:"version"`
	DeletedAt    *time.Time          `json:"deletedAt,omitempty" db:"deleted_at"`
}

// Base returns the record's shared fields.
func (m *Meta) Base() *Meta { return m }

// UTC puts the timestamps read from the database in UTC.
func (m *Meta) UTC() {
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	if m.DeletedAt != nil {
		t := m.DeletedAt.UTC()
		m.DeletedAt = &t
	}
}

// SetTagIDs sets the ids of the record's tags, in order.
func (m *Meta) SetTagIDs(ids []string) { m.TagIDs = append(pq.StringArray{}, ids...) }

// Record is an account or a contact.
type Record interface {
	Base() *Meta
}

// ReadOnlyFields are record fields a request body may not set; a contact's
// lastActivityAt is kept by activities (Contact.LastActivityAt), its
// erasedAt by its erasure (Contact.ErasedAt).
var ReadOnlyFields = []string{"id", "createdAt", "updatedAt", "version", "deletedAt", "lastActivityAt", "erasedAt"}

// Address is a postal address; Country is an ISO 3166-1 alpha-2 code.
type Address struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country,omitempty"`
}

// Money is an amount in minor units of an ISO 4217 currency.
type Money struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

// JSONMap is a jsonb object column.
type JSONMap map[string]any

// Value implements driver.Valuer.
func (m JSONMap) Value() (driver.Value, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(m)
}

// Scan implements sql.Scanner.
func (m *JSONMap) Scan(src any) error { return scanJSON(src, m) }

// UTCTime is a nullable timestamptz column, read in UTC like every time the
// API shows; it encodes as time.Time does.
type UTCTime struct{ time.Time }

// Scan implements sql.Scanner.
func (t *UTCTime) Scan(src any) error {
	v, ok := src.(time.Time)
	if !ok {
		return fmt.Errorf("contacts: cannot scan %T as a time", src)
	}
	t.Time = v.UTC()
	return nil
}

// Value implements driver.Valuer.
func (t UTCTime) Value() (driver.Value, error) { return t.Time, nil }

// Value implements driver.Valuer.
func (a Address) Value() (driver.Value, error) { return json.Marshal(a) }

// Scan implements sql.Scanner.
func (a *Address) Scan(src any) error { return scanJSON(src, a) }

// Value implements driver.Valuer.
func (m Money) Value() (driver.Value, error) { return json.Marshal(m) }

// Scan implements sql.Scanner.
func (m *Money) Scan(src any) error { return scanJSON(src, m) }

// scanJSON decodes a jsonb column into dst.
func scanJSON(src, dst any) error {
	switch v := src.(type) {
	case []byte:
		return json.Unmarshal(v, dst)
	case string:
		return json.Unmarshal([]byte(v), dst)
	case nil:
		return nil
	}
	return fmt.Errorf("contacts: cannot scan %T as JSON", src)
}

// Page is one page of a list and the cursor of the next ("" at the end).
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}
