package records

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Service is the API of accounts and contacts. Patches are JSON merge
// patches (RFC 7396); ifMatch is the version the caller last saw (0: none).
// A read of a merged record is a *customer.MergedError naming the record it
// was merged into.
type Service interface {
	CreateContact(ctx context.Context, c customer.Contact, opts CreateOptions) (*customer.Contact, error)
	GetContact(ctx context.Context, id string) (*customer.Contact, error)
	// UpdateContact applies a merge patch and returns the contact and the
	// names of the top-level fields the patch changed (none: nothing did).
	UpdateContact(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Contact, []string, error)
	DeleteContact(ctx context.Context, id string, ifMatch int64) error
	RestoreContact(ctx context.Context, id string) (*customer.Contact, error)
	TagContacts(ctx context.Context, req BulkTag) (BulkTagResult, error)
	// ContactConsentHistory returns a page of the consent history of contact
	// id, with that of the contacts merged into it, newest first. The contact
	// is read as GetContact reads it: outside the caller's scope or tenant it
	// is not found, and a merged one is a *customer.MergedError.
	ContactConsentHistory(ctx context.Context, id string, q ConsentHistoryQuery) (customer.Page[ConsentChange], error)

	CreateAccount(ctx context.Context, a customer.Account, opts CreateOptions) (*customer.Account, error)
	GetAccount(ctx context.Context, id string) (*customer.Account, error)
	// UpdateAccount is UpdateContact for an account.
	UpdateAccount(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Account, []string, error)
	DeleteAccount(ctx context.Context, id string, ifMatch int64) error
	RestoreAccount(ctx context.Context, id string) (*customer.Account, error)
	TagAccounts(ctx context.Context, req BulkTag) (BulkTagResult, error)
}

type service struct {
	db         *pgstore.DB
	cursors    *kitx.Cursors
	duplicates DuplicateChecker
	now        func() time.Time
	batches    *batcher // creates (service_create.go)
}

// NewService returns the Service on db, signing list cursors with cursors
// and refusing duplicates with duplicates.
func NewService(db *pgstore.DB, cursors *kitx.Cursors, duplicates DuplicateChecker) Service {
	s := &service{db: db, cursors: cursors, duplicates: duplicates, now: time.Now}
	s.batches = newBatcher(s.runBatch)
	return s
}

// timestamp is the current time as PostgreSQL stores it.
func (s *service) timestamp() time.Time { return pg.Timestamp(s.now()) }

// CreateContact implements Service.
func (s *service) CreateContact(ctx context.Context, c customer.Contact, opts CreateOptions) (*customer.Contact, error) {
	if err := s.create(ctx, pgstore.Contacts, &c, opts); err != nil {
		return nil, err
	}
	return &c, nil
}

// GetContact implements Service.
func (s *service) GetContact(ctx context.Context, id string) (*customer.Contact, error) {
	rec, err := s.get(ctx, pgstore.Contacts, id)
	return as[customer.Contact](rec), s.followMerge(ctx, pgstore.Contacts, id, err)
}

// UpdateContact implements Service.
func (s *service) UpdateContact(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Contact, []string, error) {
	rec, changed, err := s.update(ctx, pgstore.Contacts, id, ifMatch, patch, opts)
	return as[customer.Contact](rec), changed, err
}

// DeleteContact implements Service.
func (s *service) DeleteContact(ctx context.Context, id string, ifMatch int64) error {
	return s.remove(ctx, pgstore.Contacts, id, ifMatch)
}

// RestoreContact implements Service.
func (s *service) RestoreContact(ctx context.Context, id string) (*customer.Contact, error) {
	rec, err := s.restore(ctx, pgstore.Contacts, id)
	return as[customer.Contact](rec), err
}

// TagContacts implements Service.
func (s *service) TagContacts(ctx context.Context, req BulkTag) (BulkTagResult, error) {
	return s.bulkTag(ctx, pgstore.Contacts, req)
}

// CreateAccount implements Service.
func (s *service) CreateAccount(ctx context.Context, a customer.Account, opts CreateOptions) (*customer.Account, error) {
	if err := s.create(ctx, pgstore.Accounts, &a, opts); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetAccount implements Service.
func (s *service) GetAccount(ctx context.Context, id string) (*customer.Account, error) {
	rec, err := s.get(ctx, pgstore.Accounts, id)
	return as[customer.Account](rec), s.followMerge(ctx, pgstore.Accounts, id, err)
}

// UpdateAccount implements Service.
func (s *service) UpdateAccount(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Account, []string, error) {
	rec, changed, err := s.update(ctx, pgstore.Accounts, id, ifMatch, patch, opts)
	return as[customer.Account](rec), changed, err
}

// DeleteAccount implements Service.
func (s *service) DeleteAccount(ctx context.Context, id string, ifMatch int64) error {
	return s.remove(ctx, pgstore.Accounts, id, ifMatch)
}

// RestoreAccount implements Service.
func (s *service) RestoreAccount(ctx context.Context, id string) (*customer.Account, error) {
	rec, err := s.restore(ctx, pgstore.Accounts, id)
	return as[customer.Account](rec), err
}

// TagAccounts implements Service.
func (s *service) TagAccounts(ctx context.Context, req BulkTag) (BulkTagResult, error) {
	return s.bulkTag(ctx, pgstore.Accounts, req)
}

// as returns rec as a *T (nil for nil).
func as[T any](rec customer.Record) *T {
	v, _ := any(rec).(*T)
	return v
}

// get reads a live record of t the caller may see.
func (s *service) get(ctx context.Context, t *pgstore.Table, id string) (rec customer.Record, err error) {
	p, err := customer.CallerOf(ctx, id, t.NotFound)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if rec, err = pgstore.GetRecord(ctx, tx, t, id, false, pgstore.LiveConds(p)...); err != nil {
			return err
		}
		return catalog.Present(ctx, tx, t.Entity, rec)
	})
	return rec, err
}

// followMerge turns err, the not-found of reading id, into a
// *customer.MergedError when id is a merged record the caller may see;
// other errors pass.
func (s *service) followMerge(ctx context.Context, t *pgstore.Table, id string, err error) error {
	if !errors.Is(err, t.NotFound) || !ids.Valid(id) {
		return err
	}
	p, perr := customer.Caller(ctx)
	if perr != nil {
		return perr
	}
	var winner string
	if terr := s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) (e error) {
		winner, e = pgstore.FinalWinner(ctx, tx, t, id, pgstore.InScope(p))
		return e
	}); terr != nil {
		return terr
	}
	if winner == "" {
		return err
	}
	merged := customer.ErrContactMerged
	if t == pgstore.Accounts {
		merged = customer.ErrAccountMerged
	}
	return &customer.MergedError{Err: merged, Entity: t.Entity, WinnerID: winner}
}

// update applies a merge patch to a live record at version ifMatch and
// returns the record and the top-level fields it changed
// (events.ChangedFields, as its event says); unless opts.AllowDuplicate, a
// patch that changes what identifies the record (customer.ChangesIdentity)
// is refused when the result has duplicates. An erased contact is refused
// whatever the patch (customer.ErrContactErased).
func (s *service) update(ctx context.Context, t *pgstore.Table, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (customer.Record, []string, error) {
	p, err := customer.CallerOf(ctx, id, t.NotFound)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, customer.ErrIfMatchRequired
	}
	var changed []string
	rec, err := updateRecord(ctx, s.db, p.TenantID, t, id, pgstore.LiveConds(p), func(tx *pgstore.Tx, old customer.Record) (customer.Record, pgstore.Change, error) {
		om := old.Base()
		if c, ok := old.(*customer.Contact); ok && c.ErasedAt != nil {
			return nil, pgstore.Change{}, customer.ErrContactErased
		}
		if om.Version != ifMatch {
			return nil, pgstore.Change{}, customer.ErrVersionMismatch
		}
		if err := catalog.Present(ctx, tx, t.Entity, old); err != nil {
			return nil, pgstore.Change{}, err
		}
		rec := t.New()
		if err := mergepatch.Apply(old, patch, customer.ReadOnlyFields, rec); err != nil {
			return nil, pgstore.Change{}, err
		}
		m := rec.Base()
		m.ID, m.CreatedAt, m.UpdatedAt, m.Version = om.ID, om.CreatedAt, s.timestamp(), om.Version+1
		if c, ok := rec.(*customer.Contact); ok {
			c.DisplayNameManual = patchedDisplayName(patch, old.(*customer.Contact))
		}
		defs, err := Prepare(ctx, tx, t, p, rec, om.StoredFields)
		if err != nil {
			return nil, pgstore.Change{}, err
		}
		if err := catalog.PresentWith(ctx, tx, defs, rec); err != nil {
			return nil, pgstore.Change{}, err
		}
		next, change, err := pgstore.Updated(old, rec)
		if err != nil || change.Verb == "" {
			changed = []string{}
			return next, change, err
		}
		changed = change.Fields
		if !opts.AllowDuplicate && customer.ChangesIdentity(changed) {
			refused, err := s.duplicates.Check(ctx, tx, t, p, []customer.Record{rec}, nil)
			if err != nil {
				return nil, pgstore.Change{}, err
			}
			if refused[0] != nil {
				return nil, pgstore.Change{}, refused[0]
			}
		}
		return rec, change, RecordConsent(ctx, tx, p, old, rec, ConsentUpdated)
	})
	return rec, changed, err
}

// patchedDisplayName tells whether the display name is set by hand after
// patch: the patch sets it (true) or nulls it (false), else it stays as in old.
func patchedDisplayName(patch json.RawMessage, old *customer.Contact) bool {
	var p map[string]json.RawMessage
	_ = json.Unmarshal(patch, &p) // mergepatch.Apply has already refused a malformed patch
	raw, ok := p["displayName"]
	if !ok {
		return old.DisplayNameManual
	}
	var name *string
	return json.Unmarshal(raw, &name) == nil && name != nil && strings.TrimSpace(*name) != ""
}

// remove soft-deletes a live record, checking ifMatch when it is not 0.
func (s *service) remove(ctx context.Context, t *pgstore.Table, id string, ifMatch int64) error {
	p, err := customer.CallerOf(ctx, id, t.NotFound)
	if err != nil {
		return err
	}
	_, err = updateRecord(ctx, s.db, p.TenantID, t, id, pgstore.LiveConds(p), func(tx *pgstore.Tx, rec customer.Record) (customer.Record, pgstore.Change, error) {
		m := rec.Base()
		if ifMatch != 0 && m.Version != ifMatch {
			return nil, pgstore.Change{}, customer.ErrVersionMismatch
		}
		now := s.timestamp()
		m.DeletedAt, m.UpdatedAt, m.Version = &now, now, m.Version+1
		return rec, pgstore.Change{Verb: customer.VerbDeleted}, catalog.Present(ctx, tx, t.Entity, rec)
	})
	return err
}

// restore undeletes a soft-deleted record; a merged one stays deleted.
func (s *service) restore(ctx context.Context, t *pgstore.Table, id string) (customer.Record, error) {
	p, err := customer.CallerOf(ctx, id, t.NotFound)
	if err != nil {
		return nil, err
	}
	conds := append(pgstore.InScope(p), pgstore.Cond{SQL: "merged_into IS NULL"})
	return updateRecord(ctx, s.db, p.TenantID, t, id, conds, func(tx *pgstore.Tx, rec customer.Record) (customer.Record, pgstore.Change, error) {
		m := rec.Base()
		if m.DeletedAt == nil {
			return nil, pgstore.Change{}, customer.ErrNotDeleted
		}
		m.DeletedAt, m.UpdatedAt, m.Version = nil, s.timestamp(), m.Version+1
		return rec, pgstore.Change{Verb: customer.VerbRestored}, catalog.Present(ctx, tx, t.Entity, rec)
	})
}
