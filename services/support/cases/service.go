package cases

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Service works the tenant's cases: the API's methods take the caller
// from ctx (auth.Caller); the channels' (Open, Append, CaseByMessageID,
// CaseByNumber) take the tenant and the actor (a user id or
// "system:<channel>"). Every change runs in one transaction of the tenant
// with its events.
type Service struct {
	db            *outbox.DB
	cursors       *kitx.Cursors
	store         attachments.Store
	now           func() time.Time
	opportunities Opportunities // nil: links checked for their shape only
}

// NewService returns the Service on db, signing list cursors with cursors,
// keeping the thread's files in the database (attachments.NewDBStore).
func NewService(db *outbox.DB, cursors *kitx.Cursors) *Service {
	return &Service{db: db, cursors: cursors, store: attachments.NewDBStore(attachments.DefaultLimit), now: time.Now}
}

// Page is a page of cases; NextCursor, when set, reads the next.
type Page struct {
	Items      []Case `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// Create stores a new case (status new unless the input says open) made
// by the caller, numbered next in the tenant, and publishes case.created.
// Its links to opportunities are checked in sales first (checkLinks).
func (s *Service) Create(ctx context.Context, in Case) (out Case, err error) {
	if err := s.checkCreate(ctx, in); err != nil {
		return out, err
	}
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		out, err = s.createIn(ctx, tx, in, p.UserID)
		return err
	})
	return out, err
}

// createIn creates the case in in tx, by actor: the one way a case is
// created.
func (s *Service) createIn(ctx context.Context, tx *outbox.Tx, in Case, actor string) (Case, error) {
	c := clone(in)
	if err := c.normalize(); err != nil {
		return c, err
	}
	if c.Status != StatusNew && c.Status != StatusOpen {
		e := ErrTransition.WithDetail("a case is created new or open")
		e.Fields = []errs.FieldError{{Field: "status", Reason: "must be new or open"}}
		return c, e
	}
	defs, err := FieldStore.Defs(ctx, tx.SQL(), EntityCase)
	if err != nil {
		return c, err
	}
	if err := checkFields(&c, defs); err != nil {
		return c, err
	}
	if c.Number, err = nextNumber(ctx, tx); err != nil {
		return c, err
	}
	now := pg.Timestamp(s.now()).UTC()
	c.ID, c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version = ids.New(), actor, now, now, 1
	c.SLADueAt, c.SolvedAt, c.ClosedAt, c.MergedInto = nil, nil, nil, ""
	if err := save(ctx, tx, &c, true); err != nil {
		return c, err
	}
	return c, tx.Emit(ctx, supportdb.EntityCase, supportdb.VerbCreated, c.ID, &c, nil)
}

// Get returns the case id.
func (s *Service) Get(ctx context.Context, id string) (out Case, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		c, err := getIn(ctx, tx, id, false)
		if err == nil {
			out = *c
		}
		return err
	})
	return out, err
}

// ByNumber returns the case numbered number.
func (s *Service) ByNumber(ctx context.Context, number int64) (out Case, err error) {
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		c, err := getWhere(ctx, tx, "number = $1", number, false)
		if err == nil {
			out = *c
		}
		return err
	})
	return out, err
}

// Update applies a JSON merge patch to the case id at version ifMatch:
// its fields are checked as a create's, its status moves as Transitions
// allow (a reopening within the reopen window), a closed case changes no
// more; the links to opportunities it adds are checked in sales first
// (checkLinks). A patch that changes nothing keeps the version and publishes
// nothing; otherwise case.updated, and case.status_changed when the
// status moved.
func (s *Service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Case, changed []string, err error) {
	if !ids.Valid(id) {
		return out, nil, ErrNotFound
	}
	if ifMatch == 0 {
		return out, nil, ErrIfMatchRequired
	}
	if err := s.checkPatch(ctx, id, ifMatch, patch); err != nil {
		return out, nil, err
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		st, err := settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		var old Case
		out, err = changeIn(ctx, tx, id, func(c *Case, defs Fields) error {
			old = clone(*c)
			switch {
			case c.Version != ifMatch:
				return ErrVersionMismatch
			case c.Status == StatusClosed:
				return ErrClosed
			}
			next := Case{}
			if err := mergepatch.Apply(c, patch, readOnly, &next); err != nil {
				return err
			}
			if err := next.normalize(); err != nil {
				return err
			}
			if err := checkFields(&next, defs); err != nil {
				return err
			}
			if err := next.checkStatus(old.Status, st.ReopenDays, s.now()); err != nil {
				return err
			}
			*c = next
			return nil
		})
		if err == nil {
			changed, err = changedFields(&old, &out)
		}
		return err
	})
	return out, changed, err
}

// Delete deletes the case id (support:admin), at version ifMatch when
// given: softly, its number stays taken and its thread kept, but it is
// not found any more; case.deleted carries its last state.
func (s *Service) Delete(ctx context.Context, id string, ifMatch int64) error {
	if !ids.Valid(id) {
		return ErrNotFound
	}
	return s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		c, err := getIn(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if ifMatch != 0 && c.Version != ifMatch {
			return ErrVersionMismatch
		}
		if err := markDeleted(ctx, tx, id, pg.Timestamp(s.now())); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityCase, supportdb.VerbDeleted, id, c, nil)
	})
}
