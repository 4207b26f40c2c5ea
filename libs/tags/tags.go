// Package tags holds the rules of a tenant's tag catalogue that every
// service with tagged records shares: a Tag (name unique per tenant
// regardless of case, colour, description) and how it is normalised, and
// Names, which checks the tag names a record write assigns. Records refer to
// tags by id, so a rename keeps every assignment; each service keeps its
// catalogue in its own database.
package tags

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Tag is an entry of the tenant's tag catalogue.
type Tag struct {
	ID          string    `json:"id" db:"id"`
	Name        string    `json:"name" db:"name"`
	Colour      string    `json:"colour" db:"colour"`
	Description string    `json:"description,omitempty" db:"description"`
	CreatedAt   time.Time `json:"createdAt" db:"created_at"`
	UpdatedAt   time.Time `json:"updatedAt" db:"updated_at"`
	Version     int64     `json:"version" db:"version"`
}

// DefaultColour is the colour of a tag created without one, including tags
// created on the fly by an assignment.
const DefaultColour = "#9E9E9E"

// Limits of a tag, in characters.
const (
	MaxName        = 50
	MaxDescription = 500
)

var colourPattern = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// Normalize trims t's name and description, fills the default colour and
// upper-cases it, and returns the invalid fields as an errs.Invalid error.
func (t *Tag) Normalize() error {
	v := errs.NewValidator()
	t.Name, t.Description = strings.TrimSpace(t.Name), strings.TrimSpace(t.Description)
	v.Check(t.Name != "" && utf8.RuneCountInString(t.Name) <= MaxName, "name", fmt.Sprintf("must be 1 to %d characters", MaxName))
	if t.Colour == "" {
		t.Colour = DefaultColour
	}
	t.Colour = strings.ToUpper(t.Colour)
	v.Check(colourPattern.MatchString(t.Colour), "colour", "must be a colour such as #1E88E5")
	v.Check(utf8.RuneCountInString(t.Description) <= MaxDescription, "description", fmt.Sprintf("must be at most %d characters", MaxDescription))
	return v.Err()
}

// UTC puts the timestamps read from the database in UTC.
func (t *Tag) UTC() { t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC() }

// Names trims the tag names a write assigns under field and drops
// case-insensitive duplicates (the first spelling stays), recording each
// invalid name in v as field/index.
func Names(v *errs.Validator, field string, names []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for i, n := range names {
		n = strings.TrimSpace(n)
		v.Check(n != "" && utf8.RuneCountInString(n) <= MaxName, fmt.Sprintf("%s/%d", field, i), fmt.Sprintf("must be a tag name of 1 to %d characters", MaxName))
		if key := strings.ToLower(n); !seen[key] {
			seen[key] = true
			out = append(out, n)
		}
	}
	return out
}
