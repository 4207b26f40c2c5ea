package duplicates

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Service finds and merges duplicates.
type Service interface {
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

type service struct {
	db      *pgstore.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, signing pages' cursors with cursors.
func NewService(db *pgstore.DB, cursors *kitx.Cursors) Service {
	return &service{db: db, cursors: cursors, now: time.Now}
}

// timestamp is the current time as PostgreSQL stores it.
func (s *service) timestamp() time.Time { return pg.Timestamp(s.now()) }

// maxCandidates bounds the candidates one check returns; nameCandidates
// bounds the rows a name check reads per group (the contacts of an account,
// or sharing an email domain or an account name word) to compute their
// similarity: a larger group is only partly compared, which keeps the check
// within a few milliseconds.
const (
	maxCandidates  = 20
	nameCandidates = 200
)

// Checker is the duplicate check of every write of a record
// (records.DuplicateChecker).
type Checker struct{}

// Check implements records.DuplicateChecker: it returns, for each of recs
// (all of t, normalised, about to be written by p in this order), the
// *customer.DuplicatesError refusing it for its duplicates p may see, or nil:
// existing records, and the records before it in recs that are written —
// those with no duplicates, or whose allow is set (allow nil: none is). It
// first locks every key of recs (lockKeys), so that of two concurrent writes
// of duplicates — the same email, or similar names — the second is checked
// after the first commits and is refused.
func (Checker) Check(ctx context.Context, tx *pgstore.Tx, t *pgstore.Table, p auth.Principal, recs []customer.Record, allow []bool) ([]error, error) {
	q, err := dupQueryOf(t, p, recs)
	if err != nil {
		return nil, err
	}
	if err := lockKeys(ctx, tx, q); err != nil {
		return nil, err
	}
	found, err := runDuplicates(ctx, tx, q, true, len(recs), allow)
	if err != nil {
		return nil, err
	}
	dup := customer.ErrDuplicateContact
	if t == pgstore.Accounts {
		dup = customer.ErrDuplicateAccount
	}
	refused := make([]error, len(recs))
	for i, f := range found {
		if len(f) > 0 && (allow == nil || !allow[i]) {
			refused[i] = &customer.DuplicatesError{Err: dup, Candidates: f}
		}
	}
	return refused, nil
}

// dupQueryOf returns the duplicate check of recs, all of t, for p.
func dupQueryOf(t *pgstore.Table, p auth.Principal, recs []customer.Record) (dupQuery, error) {
	if t == pgstore.Accounts {
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

// runDuplicates runs q, the check of a batch of n records (as a prepared
// statement when prepared), and returns the candidates of each, one per
// record, best score first: existing records, and the records before it in
// the batch that are written (see Checker.Check).
func runDuplicates(ctx context.Context, tx *pgstore.Tx, q dupQuery, prepared bool, n int, allow []bool) ([][]customer.DuplicateCandidate, error) {
	hits, err := runDupQuery(ctx, tx, q, prepared)
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

// ContactDuplicates implements Service.
func (s *service) ContactDuplicates(ctx context.Context, id string) ([]customer.DuplicateCandidate, error) {
	return s.duplicatesOf(ctx, pgstore.Contacts, id)
}

// AccountDuplicates implements Service.
func (s *service) AccountDuplicates(ctx context.Context, id string) ([]customer.DuplicateCandidate, error) {
	return s.duplicatesOf(ctx, pgstore.Accounts, id)
}

// duplicatesOf lists the candidates of a live record the caller may see.
func (s *service) duplicatesOf(ctx context.Context, k *pgstore.Table, id string) (found []customer.DuplicateCandidate, err error) {
	p, err := customer.CallerOf(ctx, id, k.NotFound)
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
		all, err := runDuplicates(ctx, tx, q, false, 1, nil)
		if err == nil {
			found = all[0]
		}
		return err
	})
	return found, err
}
