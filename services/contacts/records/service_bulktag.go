package records

import (
	"context"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/search"
)

// bulkTag adds and removes tags on many live records the caller may see.
func (s *service) bulkTag(ctx context.Context, k *pgstore.Table, req BulkTag) (BulkTagResult, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return BulkTagResult{}, err
	}
	if len(req.Filter) > 0 || req.Q != "" {
		return s.bulkTagMatching(ctx, k, p, req)
	}
	v := errs.NewValidator()
	v.Check(len(req.IDs) > 0 && len(req.IDs) <= MaxBulkIDs, "ids", fmt.Sprintf("must name 1 to %d records", MaxBulkIDs))
	for i, id := range req.IDs {
		v.Check(ids.Valid(id), fmt.Sprintf("ids/%d", i), "must be a UUID")
	}
	add, remove := tags.Names(v, "add", req.Add), tags.Names(v, "remove", req.Remove)
	v.Check(len(add)+len(remove) > 0, "add", "add or remove must name at least one tag")
	if err := v.Err(); err != nil {
		return BulkTagResult{}, err
	}
	res := BulkTagResult{NotFound: []string{}}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		scope := pgstore.InScope(p)
		found, err := visibleIDs(ctx, tx, k, req.IDs, scope)
		if err != nil {
			return err
		}
		for _, id := range req.IDs {
			if !found[strings.ToLower(id)] && !found[id] {
				res.NotFound = append(res.NotFound, id)
			}
		}
		now := s.timestamp()
		addIDs, err := catalog.ResolveTags(ctx, tx, add, true, now)
		if err != nil {
			return err
		}
		removeIDs, err := catalog.ResolveTags(ctx, tx, remove, false, now)
		if err != nil {
			return err
		}
		changed, err := retagRecords(ctx, tx, k, req.IDs, addIDs, removeIDs, now, scope)
		if err != nil {
			return err
		}
		if err := catalog.Present(ctx, tx, k.Entity, changed...); err != nil {
			return err
		}
		res.Updated = len(changed)
		return tx.EmitAll(ctx, k.Entity, customer.VerbUpdated, changed, []string{"tags"})
	})
	return res, err
}

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
