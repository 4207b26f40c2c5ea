// Package catalog is the tenant's catalogue of the contacts service: the
// tags records carry, the custom fields defined for contacts and accounts,
// and the tenant's settings. It also gives the other contexts what a record
// needs of the catalogue in their transactions: the rules a write is checked
// against (WriteRules), tag ids for names (ResolveTags) and the API view of
// records (Present).
package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Tag is an entry of the tenant's tag catalogue. Names are unique per tenant
// regardless of case; records refer to tags by id, so a rename keeps every
// assignment.
type Tag struct {
	ID          string    `json:"id" db:"id"`
	Name        string    `json:"name" db:"name"`
	Colour      string    `json:"colour" db:"colour"`
	Description string    `json:"description,omitempty" db:"description"`
	CreatedAt   time.Time `json:"createdAt" db:"created_at"`
	UpdatedAt   time.Time `json:"updatedAt" db:"updated_at"`
	Version     int64     `json:"version" db:"version"`
}

// The errors of the catalogue; libs/kitx maps their kinds to HTTP statuses.
var (
	ErrTagNotFound         = errs.New(errs.NotFound, "tag-not-found", "tag not found")
	ErrCustomFieldNotFound = errs.New(errs.NotFound, "custom-field-not-found", "custom field not found")
	ErrTagExists           = errs.New(errs.Conflict, "tag-exists", "a tag with this name already exists")
	ErrCustomFieldExists   = errs.New(errs.Conflict, "custom-field-exists", "a custom field with this key already exists")
)

// DefaultTagColour is the colour of a tag created without one, including
// tags created on the fly by an assignment.
const DefaultTagColour = "#9E9E9E"

// maxDescription bounds a tag's description, in characters.
const maxDescription = 500

var colourPattern = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// normalize validates a tag and fills its default colour.
func (t *Tag) normalize() error {
	v := errs.NewValidator()
	t.Name, t.Description = strings.TrimSpace(t.Name), strings.TrimSpace(t.Description)
	v.Check(t.Name != "" && utf8.RuneCountInString(t.Name) <= customer.MaxLabel, "name", fmt.Sprintf("must be 1 to %d characters", customer.MaxLabel))
	if t.Colour == "" {
		t.Colour = DefaultTagColour
	}
	t.Colour = strings.ToUpper(t.Colour)
	v.Check(colourPattern.MatchString(t.Colour), "colour", "must be a colour such as #1E88E5")
	customer.CheckLen(v, "description", t.Description, maxDescription)
	return v.Err()
}

// utc puts the timestamps read from the database in UTC.
func (t *Tag) utc() { t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC() }

// Settings are a tenant's settings of the contacts service.
type Settings struct {
	// DefaultRegion is the region (ISO 3166-1 alpha-2) phone numbers typed
	// without an international prefix are read in; one of
	// customer.PhoneRegions.
	DefaultRegion string    `json:"defaultRegion" db:"default_region"`
	UpdatedAt     time.Time `json:"updatedAt" db:"updated_at"`
	Version       int64     `json:"version" db:"version"`
}

// DefaultRegion is the region of a tenant that has not chosen one.
const DefaultRegion = "US"
