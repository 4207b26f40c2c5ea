package contracts

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/sla"
)

// Service works the tenant's service contracts and work orders for the
// caller (auth.Caller). Every change runs in one transaction of the
// tenant with its events. It reads cases through package cases.
type Service struct {
	db      *outbox.DB
	cases   *cases.Service
	sla     *sla.Service
	files   attachments.Store
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, reading cases through cs, the
// business calendars and SLA policies contracts name through ss and the
// signatures of sign-offs in files, signing list cursors with cursors.
func NewService(db *outbox.DB, cs *cases.Service, ss *sla.Service, files attachments.Store, cursors *kitx.Cursors) *Service {
	return &Service{db: db, cases: cs, sla: ss, files: files, cursors: cursors, now: time.Now}
}

// ContractPage is a page of contracts; NextCursor, when set, reads the
// next.
type ContractPage struct {
	Items      []Contract `json:"items"`
	NextCursor string     `json:"nextCursor,omitempty"`
}

// CreateContract stores a new contract made by the caller, numbered next
// in the tenant, and publishes contract.created (NewContract has the
// defaults of its input).
func (s *Service) CreateContract(ctx context.Context, in Contract) (out Contract, err error) {
	c := in
	if err := c.normalize(); err != nil {
		return c, err
	}
	if c.Status != StatusDraft && c.Status != StatusActive {
		e := ErrContractStatus.WithDetail("a contract is created draft or active")
		e.Fields = []errs.FieldError{{Field: "status", Reason: "must be draft or active"}}
		return c, e
	}
	if err := c.checkStatus(StatusDraft, today(s.now())); err != nil {
		return c, err
	}
	if err := s.checkRefs(ctx, c.CalendarID, c.SLAPolicyID); err != nil {
		return c, err
	}
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		if c.Number, err = numbering.Next(ctx, tx.SQL(), "contract", ""); err != nil {
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		c.ID, c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version, c.ExpiringAt = ids.New(), p.UserID, now, now, 1, nil
		c.withUsage(0)
		if err := saveContract(ctx, tx, &c, true); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityContract, supportdb.VerbCreated, c.ID, &c, nil)
	})
	return c, err
}

// GetContract returns the contract id.
func (s *Service) GetContract(ctx context.Context, id string) (out Contract, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = getContract(ctx, tx, id, false)
		return err
	})
	return out, err
}

// ListContracts returns a page of up to limit contracts f selects,
// newest first, after cursor ("" from the first).
func (s *Service) ListContracts(ctx context.Context, f ContractFilter, cursor string, limit int) (ContractPage, error) {
	var before int64
	if cursor != "" {
		if err := s.cursors.DecodeCursor(cursor, &before); err != nil {
			return ContractPage{}, err
		}
	}
	var items []Contract
	err := s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) (err error) {
		items, err = listContracts(ctx, tx, f, before, limit+1)
		return err
	})
	if err != nil {
		return ContractPage{}, err
	}
	page := ContractPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = s.cursors.EncodeCursor(page.Items[limit-1].Number)
	}
	return page, nil
}

// contractRows is how pgrecord.Update reads, writes and deletes contracts.
var contractRows = pgrecord.Rows[Contract]{
	Entity: supportdb.EntityContract,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (Contract, error) {
		return getContract(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *outbox.Tx, _, next Contract) error {
		return saveContract(ctx, tx, &next, false)
	},
	Delete: deleteContract,
}

// UpdateContract applies a JSON merge patch to the contract id at version
// ifMatch: its fields are checked as a create's and its status moves as
// Transitions allow; a cancelled contract changes no more. A patch that
// changes nothing keeps the version and publishes nothing; otherwise
// contract.updated with the changed fields. The calendar and SLA policy it
// sets must be the tenant's.
func (s *Service) UpdateContract(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Contract, changed []string, err error) {
	if !ids.Valid(id) {
		return out, nil, ErrNotFound
	}
	if ifMatch == 0 {
		return out, nil, ErrIfMatchRequired
	}
	if calendarID, policyID := patchRefs(patch); ids.Valid(calendarID) || ids.Valid(policyID) {
		if err := s.checkRefs(ctx, validOrNone(calendarID), validOrNone(policyID)); err != nil {
			return out, nil, err
		}
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		var ch pgrecord.Change
		out, ch, err = pgrecord.UpdateIn(ctx, tx, id, contractRows, func(c Contract) (Contract, pgrecord.Change, error) {
			switch {
			case c.Version != ifMatch:
				return c, pgrecord.Change{}, ErrVersionMismatch
			case c.Status == StatusCancelled:
				return c, pgrecord.Change{}, ErrContractCancelled
			}
			var next Contract
			if err := mergepatch.Apply(c, patch, contractReadOnly, &next); err != nil {
				return c, pgrecord.Change{}, err
			}
			next.withUsage(c.units)
			if err := next.normalize(); err != nil {
				return c, pgrecord.Change{}, err
			}
			if err := next.checkStatus(c.Status, today(s.now())); err != nil {
				return c, pgrecord.Change{}, err
			}
			if next.EndDate != c.EndDate {
				next.ExpiringAt = nil // a new end, a new reminder
			}
			out, ch, err := pgrecord.Updated(c, next)
			if err == nil && ch.Verb != "" {
				out.Version, out.UpdatedAt = c.Version+1, pg.Timestamp(s.now()).UTC()
			}
			return out, ch, err
		})
		changed = ch.Fields
		return err
	})
	return out, changed, err
}

// validOrNone is id when it is a UUID, "" otherwise (the merge's checks
// name it then).
func validOrNone(id string) string {
	if ids.Valid(id) {
		return id
	}
	return ""
}

// DeleteContract deletes the contract id (support:admin) with its usage,
// at version ifMatch when given; contract.deleted carries its last state.
func (s *Service) DeleteContract(ctx context.Context, id string, ifMatch int64) error {
	if !ids.Valid(id) {
		return ErrNotFound
	}
	return s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		_, _, err := pgrecord.UpdateIn(ctx, tx, id, contractRows, func(c Contract) (Contract, pgrecord.Change, error) {
			if ifMatch != 0 && c.Version != ifMatch {
				return c, pgrecord.Change{}, ErrVersionMismatch
			}
			return c, pgrecord.Change{Verb: events.VerbDeleted}, nil
		})
		return err
	})
}

// Usage returns the usage of the contract id, oldest first.
func (s *Service) Usage(ctx context.Context, id string) (out []Usage, err error) {
	if !ids.Valid(id) {
		return nil, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		if _, err := getContract(ctx, tx, id, false); err != nil {
			return err
		}
		out, err = listUsage(ctx, tx, id)
		return err
	})
	return out, err
}
