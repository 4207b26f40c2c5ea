package customfields

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

// Field is a tenant's definition of a custom field of one entity ("contact",
// "lead"…: the service says which entities have custom fields).
type Field struct {
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

// Types are the types a custom field can have.
var Types = []string{"text", "longText", "number", "decimal", "date", "datetime", "boolean",
	"singleSelect", "multiSelect", "currency", "url", "email", "phone"}

// Prefix prefixes a custom field's key where a name stands for it
// ("customFields.budget": filters, sorts, import mappings, export columns),
// as a record's resource nests its values under customFields.
const Prefix = "customFields."

// MaxLabel bounds a definition's label and each of its options, in
// characters.
const MaxLabel = 100

// UTC puts the timestamps read from the database in UTC.
func (d *Field) UTC() { d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC() }

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// isSelect reports whether a custom field type has options.
func isSelect(typ string) bool { return typ == "singleSelect" || typ == "multiSelect" }

// Validate trims d's label and checks the definition; entities are the
// entities that have custom fields; old is the stored definition on updates,
// whose key, entity and type are immutable and whose options may only be
// extended. The error is errs.Invalid naming each field.
func (d *Field) Validate(old *Field, entities ...string) error {
	v := errs.NewValidator()
	d.Label = strings.TrimSpace(d.Label)
	v.Check(slices.Contains(entities, d.Entity), "entity", "must be "+strings.Join(entities, " or "))
	v.Check(keyPattern.MatchString(d.Key), "key", "must match [a-z][a-z0-9_]{0,62}")
	v.Check(d.Label != "" && utf8.RuneCountInString(d.Label) <= MaxLabel, "label", fmt.Sprintf("must be 1 to %d characters", MaxLabel))
	v.Check(slices.Contains(Types, d.Type), "type", "must be one of "+strings.Join(Types, ", "))
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
		v.Check(o != "" && utf8.RuneCountInString(o) <= MaxLabel && !seen[o], fmt.Sprintf("options/%d", i),
			fmt.Sprintf("must be a distinct option of 1 to %d characters", MaxLabel))
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
