// Package records is the accounts and contacts of the contacts service:
// creating them (concurrent creates of a tenant share a transaction),
// reading, updating by merge patch, deleting and restoring them, tagging
// many at once, and the consent history of contacts. Every write is checked
// for duplicates through a DuplicateChecker (package duplicates), and every
// write of another context (a merge) goes through Prepare and RecordConsent.
package records

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// CreateOptions modify a create or an update of an account or contact:
// AllowDuplicate skips the duplicate check.
type CreateOptions struct {
	AllowDuplicate bool
}

// DuplicateChecker refuses records that look like duplicates. Check returns,
// for each of recs (all of t, normalised, about to be written by p in this
// order, in tx), the error refusing it (a *customer.DuplicatesError) or nil:
// its duplicates are the records p may see and those before it in recs that
// are written — without duplicates, or allowed them (allow nil: none is).
// Two concurrent writes of duplicates must be checked one after the other.
type DuplicateChecker interface {
	Check(ctx context.Context, tx *pgstore.Tx, t *pgstore.Table, p auth.Principal, recs []customer.Record, allow []bool) ([]error, error)
}

// BulkTag adds and removes tags (by name) on many records at once. Names to
// add that are not in the catalogue are created with tags.DefaultColour.
//
// Instead of ids a request may give a filter and/or a search text q: the
// records in the caller's scope matching them are tagged (at most
// MaxBulkIDs; more is ErrTooManyMatches; service_bulktag.go).
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

// The errors of bulk tagging by filter.
var (
	ErrIDsAndFilter   = errs.New(errs.Invalid, "ids-and-filter", "name the records by ids or by filter and q, not both")
	ErrTooManyMatches = errs.New(errs.Invalid, "too-many-matches", fmt.Sprintf("more than %d records match; narrow the filter", MaxBulkIDs))
)
