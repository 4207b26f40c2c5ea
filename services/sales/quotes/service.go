package quotes

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// Service manages quotes within the caller's record scope in the sales
// module (an approver also sees the quotes they are to decide); ifMatch
// is the version the caller last saw (0: none, allowed for moves).
type Service interface {
	// CreateQuote makes a quote of the opportunity's line items.
	CreateQuote(ctx context.Context, opportunityID string) (*Quote, error)
	GetQuote(ctx context.Context, id string) (*Quote, error)
	ListQuotes(ctx context.Context, f Filter, cursor string, limit int) (*Page, error)
	// GetRevision returns revision n of a quote.
	GetRevision(ctx context.Context, id string, n int) (*Revision, error)
	// Revise makes a new revision of the quote from its opportunity's
	// line items as they are now, back in draft.
	Revise(ctx context.Context, id string, ifMatch int64, comment string) (*Quote, []string, error)
	// Act moves the quote: submit, approve, reject, send, accept or
	// decline (the Action* constants).
	Act(ctx context.Context, id, action string, ifMatch int64, comment string) (*Quote, error)
	Settings(ctx context.Context) (*Settings, error)
	SetSettings(ctx context.Context, in Settings) (*Settings, error)
	// Document returns a quote with revision n of it (0: the current one),
	// to render.
	Document(ctx context.Context, id string, n int) (*Document, error)
}

// Page is a page of quotes; NextCursor, when set, reads the next.
type Page struct {
	Items      []Quote `json:"items"`
	NextCursor string  `json:"nextCursor,omitempty"`
}

// Document is a quote and one of its revisions, as rendered.
type Document struct {
	Quote    *Quote
	Revision *Revision
}

type service struct {
	store   *Store
	dir     Directory
	names   Names
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on store, finding approvers in dir (nil:
// a quote needing approval cannot be submitted, 503), the names of
// accounts and contacts in names (nil: quotes print none) and signing
// list cursors with cursors.
func NewService(store *Store, dir Directory, names Names, cursors *kitx.Cursors) Service {
	return &service{store: store, dir: dir, names: names, cursors: cursors, now: time.Now}
}

// visible reports whether p may see q: in p's record scope, or p one of
// its approvers.
func visible(p auth.Principal, q *Quote) bool {
	return deals.InScope(p, q.OwnerID, q.TeamID) || slices.ContainsFunc(q.levels, func(l []string) bool { return slices.Contains(l, p.UserID) })
}

// read returns the quote id as p may see it.
func (s *service) read(ctx context.Context, p auth.Principal, id string) (*Quote, error) {
	if !ids.Valid(id) {
		return nil, ErrQuoteNotFound
	}
	q, err := s.store.Quote(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	if !visible(p, q) {
		return nil, ErrQuoteNotFound
	}
	return q, nil
}

// errOpportunity is an opportunity a quote cannot be made of.
var errOpportunity = errs.Invalidf([]errs.FieldError{{Field: "opportunityId", Reason: "must be the id of a live opportunity you may see"}}, "no such opportunity")

// snapshot sets q's lines, price book, currency, total, account, contact
// and name from o, which needs line items, and the account's and
// contact's names from names.
func snapshot(q *Quote, o *deals.Opportunity, names recordNames) error {
	if len(o.LineItems) == 0 {
		e := ErrNoLines.WithDetail("the opportunity %s has no line items: set them first (PUT /v1/opportunities/{id}/line-items)", o.ID)
		e.Fields = []errs.FieldError{{Field: "lineItems", Reason: "the opportunity needs at least one line item"}}
		return e
	}
	totals := make([]money.Money, len(o.LineItems))
	for i, l := range o.LineItems {
		totals[i] = l.Total
	}
	sum, err := money.Total(o.LineItems[0].Total.Currency, totals)
	if err != nil {
		return err
	}
	q.Name, q.AccountID, q.ContactID, q.PriceBookID = o.Name, o.AccountID, o.PrimaryContactID, o.PriceBookID
	q.Currency, q.LineItems, q.Total = sum.Currency, o.LineItems, sum
	names.apply(q)
	return nil
}

// CreateQuote implements Service: the quote is owned as the opportunity
// is (its owner and team), numbered in the transaction that stores it.
func (s *service) CreateQuote(ctx context.Context, opportunityID string) (*Quote, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !ids.Valid(opportunityID) {
		return nil, errOpportunity
	}
	names := s.namesOf(ctx, p.TenantID, opportunityID)
	now := pg.Timestamp(s.now())
	q, err := s.store.Create(ctx, p.TenantID, opportunityID, func(o *deals.Opportunity) (*Quote, Step, error) {
		if o.DeletedAt != nil || !deals.InScope(p, o.OwnerID, o.TeamID) {
			return nil, Step{}, errOpportunity
		}
		q := &Quote{ID: ids.New(), Revision: 1, OpportunityID: o.ID, OwnerID: o.OwnerID, TeamID: o.TeamID, State: StateDraft,
			levels: [][]string{}, CreatedBy: p.UserID, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := snapshot(q, o, names); err != nil {
			return nil, Step{}, err
		}
		q.settleApprovers()
		return q, Step{Revision: 1, Action: ActionCreate, To: StateDraft, By: p.UserID, At: now}, nil
	})
	if errors.Is(err, deals.ErrOpportunityNotFound) {
		return nil, errOpportunity
	}
	return q, err
}

// GetQuote implements Service.
func (s *service) GetQuote(ctx context.Context, id string) (*Quote, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.read(ctx, p, id)
}

// ListQuotes implements Service, newest first, within the record scope
// (or, with f.AwaitingMe, the quotes whose pending level the caller decides).
func (s *service) ListQuotes(ctx context.Context, f Filter, cursor string, limit int) (*Page, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]Quote, error) {
		return s.store.Quotes(ctx, p.TenantID, p, f, after, n)
	}, func(q Quote) string { return q.ID })
	if err != nil {
		return nil, err
	}
	return &Page{Items: items, NextCursor: next}, nil
}

// GetRevision implements Service.
func (s *service) GetRevision(ctx context.Context, id string, n int) (*Revision, error) {
	d, err := s.Document(ctx, id, n)
	if err != nil {
		return nil, err
	}
	return d.Revision, nil
}

// Document implements Service.
func (s *service) Document(ctx context.Context, id string, n int) (*Document, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	q, err := s.read(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		n = q.Revision
	}
	r, err := s.store.Revision(ctx, p.TenantID, id, n)
	return &Document{Quote: q, Revision: r}, err
}

// Revise implements Service: from any state but pending approval and
// accepted; the approvals start again.
func (s *service) Revise(ctx context.Context, id string, ifMatch int64, comment string) (*Quote, []string, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := checkComment(comment); err != nil {
		return nil, nil, err
	}
	read, err := s.read(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	names := s.namesOf(ctx, p.TenantID, read.OpportunityID)
	var changed []string
	q, err := s.store.Update(ctx, p.TenantID, id, func(old *Quote, opportunity Opportunity) (*Quote, Change, error) {
		if err := checkVersion(p, old, ifMatch); err != nil {
			return nil, Change{}, err
		}
		if !slices.Contains(revisable, old.State) {
			return nil, Change{}, ErrState.WithDetail("a quote %s cannot be revised", old.State)
		}
		o, err := opportunity(old.OpportunityID)
		if err != nil {
			return nil, Change{}, err
		}
		next := *old
		if err := snapshot(&next, o, names); err != nil {
			return nil, Change{}, err
		}
		now := pg.Timestamp(s.now())
		next.Revision, next.State, next.ApprovalLevels, next.ApprovedLevels, next.levels = old.Revision+1, StateDraft, 0, 0, [][]string{}
		next.UpdatedAt, next.Version = now, old.Version+1
		next.settleApprovers()
		changed, err = events.ChangedFields(old, &next)
		if err != nil {
			return nil, Change{}, err
		}
		return &next, Change{Verb: pgstore.VerbUpdated, Fields: changed, NewRevision: true,
			Step: Step{Revision: next.Revision, Action: ActionRevise, From: old.State, To: StateDraft, By: p.UserID, At: now, Comment: comment}}, nil
	})
	return q, changed, err
}

// checkVersion refuses a change of q by p unless p may change it (in
// scope) and, when ifMatch is set, q is at that version.
func checkVersion(p auth.Principal, q *Quote, ifMatch int64) error {
	if !deals.InScope(p, q.OwnerID, q.TeamID) {
		return ErrQuoteNotFound
	}
	if ifMatch != 0 && q.Version != ifMatch {
		return ErrVersion
	}
	return nil
}
