package contacts

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/services/contacts/search"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// The errors of bulk tagging by filter.
var (
	ErrIDsAndFilter   = errs.New(errs.Invalid, "ids-and-filter", "name the records by ids or by filter and q, not both")
	ErrTooManyMatches = errs.New(errs.Invalid, "too-many-matches", fmt.Sprintf("more than %d records match; narrow the filter", MaxBulkIDs))
)

// bulkTagMatching tags the live records in p's scope that match req's
// filter and q. It refuses, changing nothing, when more than MaxBulkIDs
// match: the caller narrows the filter (say by createdAt) and repeats.
// Matching records are then retagged by id, with the scope checked again.
func (s *service) bulkTagMatching(ctx context.Context, k *pgstore.Table, p auth.Principal, req BulkTag) (BulkTagResult, error) {
	if len(req.IDs) > 0 {
		e := ErrIDsAndFilter.WithDetail("%s", ErrIDsAndFilter.Message)
		e.Fields = []errs.FieldError{{Field: "ids", Reason: "must be absent with filter or q"}}
		return BulkTagResult{}, e
	}
	var ids []string
	err := s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) (err error) {
		ids, err = search.MatchingIDs(ctx, tx, k, p, req.Filter, req.Q, MaxBulkIDs+1)
		return err
	})
	if err != nil {
		return BulkTagResult{}, err
	}
	if len(ids) > MaxBulkIDs {
		e := ErrTooManyMatches.WithDetail("%s", ErrTooManyMatches.Message)
		e.Fields = []errs.FieldError{{Field: "filter", Reason: ErrTooManyMatches.Message}}
		return BulkTagResult{}, e
	}
	if len(ids) == 0 {
		return BulkTagResult{NotFound: []string{}}, nil
	}
	req.IDs, req.Filter, req.Q = ids, nil, ""
	return s.bulkTag(ctx, k, req)
}
