package cases

import (
	"context"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// NewCase is a case a channel opens: its fields, as the API's create
// takes them, and its first entry (the customer's message), if any.
type NewCase struct {
	Case
	First *NewEntry
	// CustomerEmail is the address of the customer the case is for, which
	// gives a case without a contact the contact whose address it is;
	// empty, the address of First when it is the customer's.
	CustomerEmail string
}

// Open opens the case in for the tenant, by actor ("system:<channel>" or
// a user id), with its first entry, in one transaction: case.created,
// then case_entry.created. A case without a contact gets the one whose
// address its customer's is (matchCustomer). It returns the case as
// created.
func (s *Service) Open(ctx context.Context, tenant string, in NewCase, actor string) (out Case, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := matchCustomer(ctx, tx, tenant, &in); err != nil {
			return err
		}
		if out, err = s.createIn(ctx, tx, in.Case, actor); err != nil || in.First == nil {
			return err
		}
		_, err = s.appendIn(ctx, tx, out.ID, *in.First, actor)
		return err
	})
	return out, err
}

// Append adds e to the thread of the tenant's case caseID, by actor, and
// returns it: its CaseID is the case it landed on (the case the thread was
// merged into, or a new one following a closed case for a customer's
// reply). A Message-ID already received is the entry received with it.
// The case's status moves as the thread's rules say (appendIn).
func (s *Service) Append(ctx context.Context, tenant, caseID string, e NewEntry, actor string) (out Entry, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, err = s.appendIn(ctx, tx, caseID, e, actor)
		return err
	})
	return out, err
}

// CaseByMessageID returns the tenant's case whose thread holds an entry
// with one of messageIDs (the latest; a merged case's thread is its
// target's); ok is false when none does.
func (s *Service) CaseByMessageID(ctx context.Context, tenant string, messageIDs []string) (caseID string, ok bool, err error) {
	if len(messageIDs) == 0 {
		return "", false, nil
	}
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		e, err := entryByMessageID(ctx, tx, messageIDs)
		if err != nil || e == nil {
			return err
		}
		c, err := getIn(ctx, tx, e.CaseID, false)
		if errs.KindOf(err) == errs.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		caseID, ok = c.ID, true
		return nil
	})
	return caseID, ok, err
}

// CaseByNumber returns the tenant's case numbered number (ErrNotFound).
func (s *Service) CaseByNumber(ctx context.Context, tenant string, number int64) (out Case, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		c, err := getWhere(ctx, tx, "number = $1", number, false)
		if err == nil {
			out = *c
		}
		return err
	})
	return out, err
}
