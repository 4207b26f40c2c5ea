package macros

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Cases is what rendering reads of cases, as the caller: package cases'
// Service.
type Cases interface {
	Get(ctx context.Context, id string) (cases.Case, error)
	Entries(ctx context.Context, id, cur string, limit int) (cases.EntryPage, error)
}

// customerLookahead bounds the entries of a thread read for its customer.
const customerLookahead = 50

// Rendered is a macro rendered for a case: the reply's text and the
// actions to apply with it.
type Rendered struct {
	BodyText string  `json:"bodyText"`
	Actions  Actions `json:"actions"`
}

// Service is the API of macros. Macros publish no events: nothing
// follows them, and a personal macro's text is its owner's alone.
type Service struct {
	db    *outbox.DB
	cases Cases
	now   func() time.Time
}

// NewService returns the Service on db, rendering cases read through c.
func NewService(db *outbox.DB, c Cases) *Service { return &Service{db: db, cases: c, now: time.Now} }

// List returns the macros the caller sees, by name: the shared ones and
// their own.
func (s *Service) List(ctx context.Context) (out []Macro, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		out, err = listMacros(ctx, tx, p.UserID)
		return err
	})
	return out, err
}

// Get returns the macro id if the caller sees it.
func (s *Service) Get(ctx context.Context, id string) (out Macro, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		out, err = getMacro(ctx, tx, p.UserID, id, false)
		return err
	})
	return out, err
}

// Create stores a new macro of the caller; a shared one needs
// support:admin.
func (s *Service) Create(ctx context.Context, in Macro) (Macro, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return in, err
	}
	if in.Shared && !p.Can(supportdb.PermAdmin) {
		return in, ErrSharedNeedAdmin
	}
	if err := in.normalize(); err != nil {
		return in, err
	}
	now := pg.Timestamp(s.now()).UTC()
	in.ID, in.OwnerID, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), p.UserID, now, now, 1
	return in, s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error { return saveMacro(ctx, tx, in, true) })
}

// Update applies a merge patch to the macro id at version ifMatch: the
// caller's own personal macro, or a shared one with support:admin.
func (s *Service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Macro, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	if ifMatch == 0 {
		return out, ErrIfMatchRequired
	}
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		cur, err := s.writable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		out = Macro{}
		if err := mergepatch.Apply(cur, patch, patchReadOnly, &out); err != nil {
			return err
		}
		if err := out.normalize(); err != nil {
			return err
		}
		out.ID, out.Shared, out.OwnerID, out.CreatedAt = cur.ID, cur.Shared, cur.OwnerID, cur.CreatedAt
		out.UpdatedAt, out.Version = pg.Timestamp(s.now()).UTC(), cur.Version+1
		return saveMacro(ctx, tx, out, false)
	})
	return out, err
}

// Delete removes the macro id, at version ifMatch when given: the
// caller's own personal macro, or a shared one with support:admin.
func (s *Service) Delete(ctx context.Context, id string, ifMatch int64) error {
	if !ids.Valid(id) {
		return ErrNotFound
	}
	return s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		cur, err := s.writable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if ifMatch != 0 && cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		return deleteMacro(ctx, tx, id)
	})
}

// writable reads and locks the macro id for p to change: one p sees
// (a personal macro is its owner's), support:admin for a shared one.
func (s *Service) writable(ctx context.Context, tx *outbox.Tx, p auth.Principal, id string) (Macro, error) {
	m, err := getMacro(ctx, tx, p.UserID, id, true)
	if err == nil && m.Shared && !p.Can(supportdb.PermAdmin) {
		return m, ErrSharedNeedAdmin
	}
	return m, err
}

// Render fills the merge fields of the macro id from the case caseID, both
// as the caller reads them (through cases' Service), and returns the text
// with the macro's actions.
func (s *Service) Render(ctx context.Context, id, caseID string) (out Rendered, err error) {
	m, err := s.Get(ctx, id)
	if err != nil {
		return out, err
	}
	c, err := s.cases.Get(ctx, caseID)
	if err != nil {
		return out, err
	}
	thread, err := s.cases.Entries(ctx, caseID, "", customerLookahead)
	if err != nil {
		return out, err
	}
	var customer cases.Entry
	for _, e := range thread.Items {
		if e.AuthorType == cases.AuthorCustomer {
			customer = e
			break
		}
	}
	return Rendered{BodyText: render(m.Body, values(c, customer)), Actions: m.Actions}, nil
}
