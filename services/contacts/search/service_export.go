package search

import (
	"context"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// exportBatch is how many records an export reads per query.
const exportBatch = 500

// ExportContacts implements Service.
func (s *service) ExportContacts(ctx context.Context, q ListQuery, start func([]customfields.Field) error, each func(*customer.Contact) error) error {
	return s.export(ctx, pgstore.Contacts, q, start, func(r customer.Record) error { return each(r.(*customer.Contact)) })
}

// ExportAccounts implements Service.
func (s *service) ExportAccounts(ctx context.Context, q ListQuery, start func([]customfields.Field) error, each func(*customer.Account) error) error {
	return s.export(ctx, pgstore.Accounts, q, start, func(r customer.Record) error { return each(r.(*customer.Account)) })
}

// export reads the records of q as list does, page after page of
// exportBatch in one transaction, so it holds one page in memory whatever
// the size of the result. Pages follow each other by keyset, so a record
// changed during the export is exported once, with the values its page read.
func (s *service) export(ctx context.Context, k *pgstore.Table, q ListQuery, start func([]customfields.Field) error, each func(customer.Record) error) error {
	p, err := customer.Caller(ctx)
	if err != nil {
		return err
	}
	q.Cursor, q.Limit = "", exportBatch
	return s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if err := s.applyView(ctx, tx, k, p, &q); err != nil {
			return err
		}
		// A plan binds the keyset values of the page it reads, so each page
		// is planned anew; the first plan checks q before anything is sent.
		plan, err := planList(ctx, tx, k, p, q)
		if err != nil {
			return err
		}
		defs := plan.defs
		if err := start(sortedFields(defs)); err != nil {
			return err
		}
		var after []*string
		for {
			if after != nil {
				if plan, err = planList(ctx, tx, k, p, q); err != nil {
					return err
				}
			}
			recs, keys, err := plan.page(ctx, tx, after, exportBatch)
			if err != nil {
				return err
			}
			if err := catalog.PresentWith(ctx, tx, defs, recs...); err != nil {
				return err
			}
			for _, r := range recs {
				if err := each(r); err != nil {
					return err
				}
			}
			if len(recs) < exportBatch {
				return nil
			}
			after = keys[len(keys)-1]
		}
	})
}

// sortedFields returns the definitions of defs ordered by key.
func sortedFields(defs map[string]customfields.Field) []customfields.Field {
	out := make([]customfields.Field, 0, len(defs))
	for _, d := range defs {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b customfields.Field) int { return strings.Compare(a.Key, b.Key) })
	return out
}
