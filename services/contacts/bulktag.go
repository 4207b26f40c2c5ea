package contacts

import (
	"encoding/json"
)

// BulkTag adds and removes tags (by name) on many records at once. Names to
// add that are not in the catalogue are created with catalog.DefaultTagColour.
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
