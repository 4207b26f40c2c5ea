package email

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Mailboxes are the tenants' support mailboxes, configured through the
// API (support:admin).
type Mailboxes struct {
	db  *outbox.DB
	now func() time.Time
}

// NewMailboxes returns the mailboxes on db.
func NewMailboxes(db *outbox.DB) *Mailboxes { return &Mailboxes{db: db, now: time.Now} }

// inTx runs fn in a transaction of the caller's tenant.
func (s *Mailboxes) inTx(ctx context.Context, fn func(tx *outbox.Tx) error) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, p.TenantID, fn)
}

// Create adds a mailbox.
func (s *Mailboxes) Create(ctx context.Context, in Mailbox) (Mailbox, error) {
	if err := in.normalize(); err != nil {
		return in, err
	}
	now := pg.Timestamp(s.now()).UTC()
	in.ID, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), now, now, 1
	return in, s.inTx(ctx, func(tx *outbox.Tx) error { return saveMailbox(ctx, tx, in, true) })
}

// List returns the tenant's mailboxes.
func (s *Mailboxes) List(ctx context.Context) (out []Mailbox, err error) {
	err = s.inTx(ctx, func(tx *outbox.Tx) error {
		out, err = listMailboxes(ctx, tx)
		return err
	})
	return out, err
}

// Get returns the mailbox id.
func (s *Mailboxes) Get(ctx context.Context, id string) (out Mailbox, err error) {
	if !ids.Valid(id) {
		return out, ErrMailboxNotFound
	}
	err = s.inTx(ctx, func(tx *outbox.Tx) error {
		out, err = getMailbox(ctx, tx, id, false)
		return err
	})
	return out, err
}

// Update applies a merge patch to the mailbox id at version ifMatch.
func (s *Mailboxes) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Mailbox, err error) {
	if !ids.Valid(id) {
		return out, ErrMailboxNotFound
	}
	if ifMatch == 0 {
		return out, ErrIfMatchRequired
	}
	err = s.inTx(ctx, func(tx *outbox.Tx) error {
		cur, err := getMailbox(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		if err := mergepatch.Apply(cur, patch, mailboxReadOnly, &out); err != nil {
			return err
		}
		if err := out.normalize(); err != nil {
			return err
		}
		out.ID, out.CreatedAt, out.UpdatedAt, out.Version = cur.ID, cur.CreatedAt, pg.Timestamp(s.now()).UTC(), cur.Version+1
		return saveMailbox(ctx, tx, out, false)
	})
	return out, err
}

// Delete removes the mailbox id: its address takes no more mail.
func (s *Mailboxes) Delete(ctx context.Context, id string) error {
	if !ids.Valid(id) {
		return ErrMailboxNotFound
	}
	return s.inTx(ctx, func(tx *outbox.Tx) error { return deleteMailbox(ctx, tx, id) })
}
