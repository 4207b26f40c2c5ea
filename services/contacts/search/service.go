// Package search lists the records of the contacts service: list and
// search planning over the field vocabulary (filters, sorts, search text,
// keyset cursors), saved views — stored list queries checked against the
// vocabulary — and exports. Records' bulk tagging by filter takes its
// matches from here (MatchingIDs).
package search

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Service lists, searches and exports records and manages saved views.
// Patches are JSON merge patches (RFC 7396); ifMatch is the version the
// caller last saw (0: none).
type Service interface {
	ListContacts(ctx context.Context, q ListQuery) (customer.Page[customer.Contact], error)
	ListAccounts(ctx context.Context, q ListQuery) (customer.Page[customer.Account], error)

	// ExportContacts calls start with the contact custom field definitions
	// (by key) once q is known to be valid, then each with every contact
	// the caller may see that matches q, in q's order. An error of start
	// or each stops the export and is returned.
	ExportContacts(ctx context.Context, q ListQuery, start func(fields []customfields.Field) error, each func(*customer.Contact) error) error
	// ExportAccounts is ExportContacts for accounts.
	ExportAccounts(ctx context.Context, q ListQuery, start func(fields []customfields.Field) error, each func(*customer.Account) error) error

	// CreateView saves a view owned by the caller, checking its filter,
	// q, sort and columns against the entity's fields.
	CreateView(ctx context.Context, v SavedView) (*SavedView, error)
	// GetView reads a view the caller sees: its own or a shared one.
	GetView(ctx context.Context, id string) (*SavedView, error)
	// UpdateView applies a merge patch at version ifMatch; only the owner
	// (or contacts:admin, for a shared view) may, and never a built-in one.
	UpdateView(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*SavedView, error)
	// DeleteView removes a view under the same rule as UpdateView.
	DeleteView(ctx context.Context, id string) error
	// ListViews lists the views of entity ("" for both) the caller sees.
	ListViews(ctx context.Context, entity string) ([]SavedView, error)
}

// ListQuery selects a page of accounts or contacts.
type ListQuery struct {
	Limit  int
	Cursor string
	// Deleted lists the soft-deleted records instead of the live ones.
	Deleted bool
	// Q is a search text over names, emails, phones and the account name
	// (text.go); Filter a filter in the libs/filter language; Sort a sort
	// specification ("-updatedAt"); View the id of a saved view whose q,
	// filter and sort apply where these are empty (service_views.go).
	Q      string
	Filter json.RawMessage
	Sort   string
	View   string
}

type service struct {
	db      *pgstore.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, signing list cursors with cursors.
func NewService(db *pgstore.DB, cursors *kitx.Cursors) Service {
	return &service{db: db, cursors: cursors, now: time.Now}
}

// ListContacts implements Service.
func (s *service) ListContacts(ctx context.Context, q ListQuery) (customer.Page[customer.Contact], error) {
	recs, next, err := s.list(ctx, pgstore.Contacts, q)
	return pageOf[customer.Contact](recs, next), err
}

// ListAccounts implements Service.
func (s *service) ListAccounts(ctx context.Context, q ListQuery) (customer.Page[customer.Account], error) {
	recs, next, err := s.list(ctx, pgstore.Accounts, q)
	return pageOf[customer.Account](recs, next), err
}

// pageOf is the page of recs, all *T, and the cursor next.
func pageOf[T any](recs []customer.Record, next string) customer.Page[T] {
	page := customer.Page[T]{Items: make([]T, 0, len(recs)), NextCursor: next}
	for _, r := range recs {
		page.Items = append(page.Items, *any(r).(*T))
	}
	return page
}

// listCursor is the position a nextCursor encodes: the order it belongs to
// and the last row's key values as text (nil for NULL), its id last.
type listCursor struct {
	Order string    `json:"o"`
	Keys  []*string `json:"k"`
}

// badCursor is kitx.ErrBadCursor naming the cursor parameter.
func badCursor(reason string) error {
	e := kitx.ErrBadCursor.WithDetail("invalid cursor: %s", reason)
	e.Fields = []errs.FieldError{{Field: "cursor", Reason: reason}}
	return e
}

// orderSignature identifies the order of q, so a cursor is only used with
// the order it was made for.
func orderSignature(q ListQuery) string { return q.Sort + "\x00" + strings.TrimSpace(q.Q) }

// list returns a page of the records the caller may see that match q.
func (s *service) list(ctx context.Context, k *pgstore.Table, q ListQuery) (recs []customer.Record, next string, err error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, "", err
	}
	if q.Limit <= 0 || q.Limit > kitx.MaxLimit {
		q.Limit = kitx.DefaultLimit
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if err := s.applyView(ctx, tx, k, p, &q); err != nil {
			return err
		}
		var after []*string
		if q.Cursor != "" {
			var c listCursor
			if err := s.cursors.DecodeCursor(q.Cursor, &c); err != nil {
				return err
			}
			if c.Order != orderSignature(q) {
				return badCursor("it was made for another sort or search")
			}
			after = c.Keys
		}
		plan, err := planList(ctx, tx, k, p, q)
		if err != nil {
			return err
		}
		if after != nil && len(after) != len(plan.keys()) {
			return badCursor("it does not fit this order")
		}
		var keys [][]*string
		if recs, keys, err = plan.page(ctx, tx, after, q.Limit+1); err != nil {
			return err
		}
		if len(recs) > q.Limit {
			recs = recs[:q.Limit]
			next = s.cursors.EncodeCursor(listCursor{Order: orderSignature(q), Keys: keys[q.Limit-1]})
		}
		return catalog.PresentWith(ctx, tx, plan.defs, recs...)
	})
	return recs, next, err
}

// timestamp is the current time as PostgreSQL stores it.
func (s *service) timestamp() time.Time { return pg.Timestamp(s.now()) }
