package contacts

import (
	"cmp"
	"context"
	"slices"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
)

// Deduplicator is the part of Service that finds and merges duplicates.
type Deduplicator interface {
	// ContactDuplicates lists the candidates duplicating a live contact.
	ContactDuplicates(ctx context.Context, id string) ([]customer.DuplicateCandidate, error)
	// AccountDuplicates lists the candidates duplicating a live account.
	AccountDuplicates(ctx context.Context, id string) ([]customer.DuplicateCandidate, error)
	// MergeContacts merges req.LoserID into the contact winnerID, which must
	// be at version ifMatch.
	MergeContacts(ctx context.Context, winnerID string, ifMatch int64, req MergeRequest) (*customer.Contact, error)
	// MergeAccounts merges req.LoserID into the account winnerID, which must
	// be at version ifMatch, re-pointing the loser's contacts and children.
	MergeAccounts(ctx context.Context, winnerID string, ifMatch int64, req MergeRequest) (*customer.Account, error)
	// StartDuplicateScan starts a tenant-wide scan of entity ("contact" or
	// "account") in the background and returns it running.
	StartDuplicateScan(ctx context.Context, entity string) (*DuplicateScan, error)
	// GetDuplicateScan reads a scan.
	GetDuplicateScan(ctx context.Context, id string) (*DuplicateScan, error)
	// ListDuplicatePairs returns a page of a scan's pairs, best score first.
	ListDuplicatePairs(ctx context.Context, scanID string, limit int, cursor string) (customer.Page[DuplicatePair], error)
}

// CreateOptions modify a create or an update of an account or contact:
// AllowDuplicate skips the duplicate check.
type CreateOptions struct {
	AllowDuplicate bool
}

// identityFields are the API fields the duplicate checks compare: an update
// changing one of them is checked like a create.
var identityFields = []string{"emails", "phones", "displayName", "firstName", "lastName", "accountId", "name", "domain"}

// changesIdentity reports whether changed, an update's changed fields,
// names one of identityFields.
func changesIdentity(changed []string) bool {
	for _, f := range changed {
		if slices.Contains(identityFields, f) {
			return true
		}
	}
	return false
}

// NameSimilarity is the pg_trgm similarity from which two names are similar.
const NameSimilarity = 0.6

// maxCandidates bounds the candidates one check returns; nameCandidates
// bounds the rows a name check reads per group (the contacts of an account,
// or sharing an email domain or an account name word) to compute their
// similarity: a larger group is only partly compared, which keeps the check
// within a few milliseconds.
const (
	maxCandidates  = 20
	nameCandidates = 200
)

// duplicateErr returns the error of k's duplicates.
func duplicateErr(k *pgstore.Table) *errs.Error {
	if k == pgstore.Accounts {
		return customer.ErrDuplicateAccount
	}
	return customer.ErrDuplicateContact
}

// checkDuplicates returns, for each of recs (all of k, normalised, about to
// be written by p in this order), the error refusing it for its duplicates
// p may see, or nil: existing records, and the records before it in recs
// that are written — those with no duplicates, or whose allow is set (allow
// nil: none is). It first locks every key of recs (lockKeys), so that of two
// concurrent writes of duplicates — the same email, or similar names — the
// second is checked after the first commits and is refused.
func checkDuplicates(ctx context.Context, tx sqlx.ExtContext, k *pgstore.Table, p auth.Principal, recs []customer.Record, allow []bool) ([]error, error) {
	q, err := dupQueryOf(k, p, recs)
	if err != nil {
		return nil, err
	}
	if err := lockKeys(ctx, tx, q); err != nil {
		return nil, err
	}
	found, err := runDuplicates(ctx, tx, q, len(recs), allow)
	if err != nil {
		return nil, err
	}
	refused := make([]error, len(recs))
	for i, f := range found {
		if len(f) > 0 && (allow == nil || !allow[i]) {
			refused[i] = &customer.DuplicatesError{Err: duplicateErr(k), Candidates: f}
		}
	}
	return refused, nil
}

// dupQueryOf returns the duplicate check of recs, all of k, for p.
func dupQueryOf(k *pgstore.Table, p auth.Principal, recs []customer.Record) (dupQuery, error) {
	if k == pgstore.Accounts {
		as := make([]*customer.Account, len(recs))
		for i, r := range recs {
			as[i] = r.(*customer.Account)
		}
		return accountDupQuery(p, as), nil
	}
	cs := make([]*customer.Contact, len(recs))
	for i, r := range recs {
		cs[i] = r.(*customer.Contact)
	}
	return contactDupQuery(p, cs)
}

// runDuplicates runs q, the check of a batch of n records, and returns the
// candidates of each, one per record, best score first: existing records,
// and the records before it in the batch that are written (see
// checkDuplicates).
func runDuplicates(ctx context.Context, tx sqlx.ExtContext, q dupQuery, n int, allow []bool) ([][]customer.DuplicateCandidate, error) {
	hits, err := runDupQuery(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	byItem := make([][]dupHit, n)
	for _, h := range hits {
		byItem[h.Item] = append(byItem[h.Item], h)
	}
	found := make([][]customer.DuplicateCandidate, n)
	for i, hs := range byItem {
		var counted []dupHit
		for _, h := range hs {
			if h.Earlier < 0 || len(found[h.Earlier]) == 0 || allow != nil && allow[h.Earlier] {
				counted = append(counted, h)
			}
		}
		found[i] = foldCandidates(counted)
	}
	return found, nil
}

// foldCandidates merges the hits on one record, keeping its best score and
// every reason, and sorts them by score, then name.
func foldCandidates(hits []dupHit) []customer.DuplicateCandidate {
	byID := map[string]*customer.DuplicateCandidate{}
	var out []*customer.DuplicateCandidate
	for _, h := range hits {
		c, ok := byID[h.ID]
		if !ok {
			c = &customer.DuplicateCandidate{ID: h.ID, DisplayName: h.Name, MatchedOn: []string{}}
			byID[h.ID] = c
			out = append(out, c)
		}
		if !slices.Contains(c.MatchedOn, h.Matched) {
			c.MatchedOn = append(c.MatchedOn, h.Matched)
		}
		c.Score = max(c.Score, h.Score)
	}
	slices.SortFunc(out, func(a, b *customer.DuplicateCandidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.DisplayName, b.DisplayName), cmp.Compare(a.ID, b.ID))
	})
	res := make([]customer.DuplicateCandidate, 0, min(len(out), maxCandidates))
	for _, c := range out[:min(len(out), maxCandidates)] {
		slices.Sort(c.MatchedOn)
		res = append(res, *c)
	}
	return res
}

// ContactDuplicates implements Deduplicator.
func (s *service) ContactDuplicates(ctx context.Context, id string) ([]customer.DuplicateCandidate, error) {
	return s.duplicatesOf(ctx, pgstore.Contacts, id)
}

// AccountDuplicates implements Deduplicator.
func (s *service) AccountDuplicates(ctx context.Context, id string) ([]customer.DuplicateCandidate, error) {
	return s.duplicatesOf(ctx, pgstore.Accounts, id)
}

// duplicatesOf lists the candidates of a live record the caller may see.
func (s *service) duplicatesOf(ctx context.Context, k *pgstore.Table, id string) (found []customer.DuplicateCandidate, err error) {
	p, err := callerOf(ctx, id, k.NotFound)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		rec, err := pgstore.GetRecord(ctx, tx, k, id, false, pgstore.LiveConds(p)...)
		if err != nil {
			return err
		}
		q, err := dupQueryOf(k, p, []customer.Record{rec})
		if err != nil {
			return err
		}
		all, err := runDuplicates(ctx, tx.SQL(), q, 1, nil)
		if err == nil {
			found = all[0]
		}
		return err
	})
	return found, err
}
