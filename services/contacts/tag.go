package contacts

import (
	"encoding/json"
	"time"
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

// DefaultTagColour is the colour of a tag created without one, including
// tags created on the fly by an assignment.
const DefaultTagColour = "#9E9E9E"

// BulkTag adds and removes tags (by name) on many records at once. Names to
// add that are not in the catalogue are created with DefaultTagColour.
//
// Instead of ids a request may give a filter and/or a search text q: the
// records in the caller's scope matching them are tagged (at most
// MaxBulkIDs; more is ErrTooManyMatches; bulktag_filter.go).
type BulkTag struct {
	IDs    []string        `json:"ids,omitempty"`
	Filter json.RawMessage `json:"filter,omitempty"`
	Q      string          `json:"q,omitempty"`
	Add    []string        `json:"add,omitempty"`
	Remove []string        `json:"remove,omitempty"`
}

// MaxBulkIDs is the most records one bulk tag request may name.
const MaxBulkIDs = 10000

// BulkTagResult tells how many records changed and which ids were not found
// (or are outside the caller's scope, or deleted).
type BulkTagResult struct {
	Updated  int      `json:"updated"`
	NotFound []string `json:"notFound"`
}

// utc puts the timestamps read from the database in UTC.
func (t *Tag) utc() { t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC() }
