package customer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
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

// CustomFieldTypes are the types a custom field can have.
var CustomFieldTypes = []string{"text", "longText", "number", "decimal", "date", "datetime", "boolean",
	"singleSelect", "multiSelect", "currency", "url", "email", "phone"}

// CustomFieldPrefix prefixes a custom field's key where a name stands for
// it ("customFields.budget"), as the resource nests its values.
const CustomFieldPrefix = "customFields."

// UTC puts the timestamps read from the database in UTC.
func (d *CustomField) UTC() { d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC() }

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// isSelect reports whether a custom field type has options.
func isSelect(typ string) bool { return typ == "singleSelect" || typ == "multiSelect" }

// Validate checks a custom field definition; old is the stored definition
// on updates, whose key, entity and type are immutable and whose options may
// only be extended.
func (d *CustomField) Validate(old *CustomField) error {
	v := errs.NewValidator()
	d.Label = strings.TrimSpace(d.Label)
	v.Check(d.Entity == EntityContact || d.Entity == EntityAccount, "entity", "must be contact or account")
	v.Check(keyPattern.MatchString(d.Key), "key", "must match [a-z][a-z0-9_]{0,62}")
	v.Check(d.Label != "" && utf8.RuneCountInString(d.Label) <= maxShort, "label", fmt.Sprintf("must be 1 to %d characters", maxShort))
	v.Check(slices.Contains(CustomFieldTypes, d.Type), "type", "must be one of "+strings.Join(CustomFieldTypes, ", "))
	if isSelect(d.Type) {
		v.Check(len(d.Options) > 0, "options", "a select field needs at least one option")
	} else {
		v.Check(len(d.Options) == 0, "options", "only select fields have options")
	}
	if d.Options == nil {
		d.Options = pq.StringArray{}
	}
	seen := map[string]bool{}
	for i, o := range d.Options {
		v.Check(o != "" && utf8.RuneCountInString(o) <= maxShort && !seen[o], fmt.Sprintf("options/%d", i),
			fmt.Sprintf("must be a distinct option of 1 to %d characters", maxShort))
		seen[o] = true
	}
	if old != nil {
		v.Check(d.Key == old.Key, "key", "is immutable")
		v.Check(d.Entity == old.Entity, "entity", "is immutable")
		v.Check(d.Type == old.Type, "type", "is immutable")
		for _, o := range old.Options {
			v.Check(seen[o], "options", fmt.Sprintf("options can be added but not removed (missing %q)", o))
		}
	}
	return v.Err()
}
