package contacts

import (
	"context"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/rapport-crm/rapport/libs/auth"
)

// DuplicateCheck is the duplicate check of a batch: Name, SQL and Args.
type DuplicateCheck = dupQuery

// DuplicateChecks returns the queries that check the batch cs and the
// account a for duplicates as p does on create, for the EXPLAIN test.
func DuplicateChecks(p auth.Principal, cs []*customer.Contact, a *customer.Account) ([]DuplicateCheck, error) {
	c, err := contactDupQuery(p, cs)
	return []DuplicateCheck{c, accountDupQuery(p, []*customer.Account{a})}, err
}

// CheckBatch runs the duplicate check of recs (normalised contacts or
// accounts, all of one kind), written in this order by p, in a transaction
// of p's tenant, as a batch of creates does: allow says which skip it. It
// returns each record's refusal (nil: none).
func CheckBatch(ctx context.Context, db *pgstore.DB, p auth.Principal, allow []bool, recs ...any) ([]error, error) {
	k := pgstore.Contacts
	rs := make([]customer.Record, len(recs))
	for i, r := range recs {
		rs[i] = r.(customer.Record)
		if _, ok := r.(*customer.Account); ok {
			k = pgstore.Accounts
		}
	}
	var refused []error
	err := db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		var err error
		refused, err = checkDuplicates(ctx, tx.Prepared(), k, p, rs, allow)
		return err
	})
	return refused, err
}
