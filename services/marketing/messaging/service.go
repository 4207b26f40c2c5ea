// Package messaging is the marketing service's sends (issue 19, point 5):
// a template sent to the members of a segment or list by email or SMS, now
// or at a time, throttled per tenant, only to the contacts whose consent
// on the channel is granted and whose address is not suppressed (each
// exclusion counted by reason), each recipient's message made once (the
// messages row of the send and the contact, the idempotency record) and
// sent at most once (Sender), over SMTP with the tenant's DKIM key or
// through the SMS provider's HTTP API; and the tenant's sending settings.
// It publishes send.created|completed|canceled and message.sent|failed.
package messaging

import (
	"cmp"
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
	"github.com/rapport-crm/rapport/services/marketing/templates"
)

// The errors of the service's requests.
var (
	// ErrNoRecipients is a send to a segment or list without members.
	ErrNoRecipients = errs.New(errs.Unprocessable, "marketing-send-no-recipients", "the segment or list has no members: nobody to send to")
	// ErrUnknownRef is a send naming a template or segment the tenant lacks.
	ErrUnknownRef = errs.New(errs.Unprocessable, "marketing-send-unknown-reference", "the send names what does not exist")
	// ErrWrongChannel is a send on a channel its template is not for.
	ErrWrongChannel = errs.New(errs.Unprocessable, "marketing-send-wrong-channel", "the template is not for the send's channel")
	// ErrNotCancelable is a send already completed or canceled.
	ErrNotCancelable = errs.New(errs.Conflict, "marketing-send-not-cancelable", "the send is already completed or canceled")
)

// Service is the sends and the sending settings of the caller's tenant.
type Service struct {
	db      *outbox.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, its lists paged with cursors.
func NewService(db *outbox.DB, cursors *kitx.Cursors) *Service {
	return &Service{db: db, cursors: cursors, now: pg.Now}
}

// Settings returns the tenant's sending settings, its DKIM key shown by
// its public key only.
func (s *Service) Settings(ctx context.Context) (out Settings, err error) {
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = settingsIn(ctx, tx)
		return err
	})
	out.DKIM = out.DKIM.shown()
	return out, err
}

// PutSettings replaces the tenant's sending settings with in; a DKIM key
// given without its private key keeps the key held.
func (s *Service) PutSettings(ctx context.Context, in Settings) (out Settings, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		had, err := settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		if err := in.check(had.DKIM); err != nil {
			return err
		}
		at := s.now()
		in.UpdatedBy, in.UpdatedAt, in.Version = p.UserID, &at, had.Version+1
		out = in
		return saveSettings(ctx, tx, in)
	})
	out.DKIM = out.DKIM.shown()
	return out, err
}

// Create makes a send of in by the caller: scheduled when ScheduledAt is
// in the future, else queued to start at once. Its template must be for
// its channel and its segment must have members now.
func (s *Service) Create(ctx context.Context, in NewSend) (out Send, err error) {
	if err := in.check(); err != nil {
		return out, err
	}
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		t, err := templates.Load(ctx, tx.SQL(), in.TemplateID)
		if errs.KindOf(err) == errs.NotFound {
			return refError(ErrUnknownRef, "templateId", "no such template")
		}
		if err != nil {
			return err
		}
		if t.Channel != in.Channel {
			return refError(ErrWrongChannel, "channel", "the template is for "+t.Channel)
		}
		if in.CampaignID != "" {
			if ok, err := campaignExists(ctx, tx, in.CampaignID); err != nil || !ok {
				return cmp.Or(err, refError(ErrUnknownRef, "campaignId", "no such campaign"))
			}
		}
		n, ok, err := memberCount(ctx, tx, in.SegmentID)
		switch {
		case err != nil:
			return err
		case !ok:
			return refError(ErrUnknownRef, "segmentId", "no such segment or list")
		case n == 0:
			return refError(ErrNoRecipients, "segmentId", "no recipients")
		}
		now := s.now()
		out = Send{ID: ids.New(), CampaignID: in.CampaignID, TemplateID: in.TemplateID, Channel: in.Channel, SegmentID: in.SegmentID,
			Status: StatusQueued, UTM: in.UTM, CreatedBy: p.UserID, CreatedAt: now, Version: 1}
		if in.ScheduledAt != nil && in.ScheduledAt.After(now) {
			at := pg.Timestamp(*in.ScheduledAt)
			out.Status, out.ScheduledAt = StatusScheduled, &at
		}
		if err := insertSend(ctx, tx, out); err != nil {
			return err
		}
		if err := createABTest(ctx, tx, out, in.ABTest, now); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntitySend, marketingdb.VerbCreated, out.ID, out, nil)
	})
	return out, err
}

// refError is e naming field for reason.
func refError(e *errs.Error, field, reason string) error {
	c := e.WithDetail("%s: %s", field, reason)
	c.Fields = []errs.FieldError{{Field: field, Reason: reason}}
	return c
}

// Get returns the send id with its counts (a journey step's send is its
// journey's, not found here).
func (s *Service) Get(ctx context.Context, id string) (out Send, err error) {
	if !ids.Valid(id) {
		return out, ErrSendNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		var r sendRow
		if r, out, err = sendIn(ctx, tx, id, false); err == nil && r.SegmentID == "" {
			err = ErrSendNotFound
		}
		return err
	})
	return out, err
}

// Page is a page of sends.
type Page struct {
	Items      []Send `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// List returns a page of up to limit sends, newest first, after cursor.
func (s *Service) List(ctx context.Context, cursor string, limit int) (out Page, err error) {
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out.Items, out.NextCursor, err = kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]Send, error) {
			return listSends(ctx, tx, after, n)
		}, func(x Send) string { return x.ID })
		return err
	})
	if out.Items == nil {
		out.Items = []Send{}
	}
	return out, err
}

// Cancel cancels the send id: its messages not yet claimed by a sender
// are canceled (those being sent finish), and send.canceled published. A
// journey step's send is not found (its journey is paused or archived).
func (s *Service) Cancel(ctx context.Context, id string) (out Send, err error) {
	if !ids.Valid(id) {
		return out, ErrSendNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		r, err := sendRowIn(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if r.SegmentID == "" {
			return ErrSendNotFound
		}
		if r.Status == StatusCompleted || r.Status == StatusCanceled {
			return ErrNotCancelable
		}
		if err := setSendStatus(ctx, tx, id, StatusCanceled, "canceled_at", s.now()); err != nil {
			return err
		}
		if err := cancelMessages(ctx, tx, id); err != nil {
			return err
		}
		if _, out, err = sendIn(ctx, tx, id, false); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntitySend, marketingdb.VerbCanceled, id, out, nil)
	})
	return out, err
}
