package records

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// The writes that change a contact's consent (ConsentChange.Cause).
const (
	ConsentCreated = "created"
	ConsentUpdated = "updated"
	ConsentMerged  = "merged"
)

// ConsentHistoryQuery selects a page of a consent history: up to Limit
// entries after Cursor, of Channel ("" for every channel).
type ConsentHistoryQuery struct {
	Channel string
	Limit   int
	Cursor  string
}

// ConsentChange is one entry of a contact's consent history: the consent on
// Channel after a write changed its status, time or source (Status "" when
// the write removed it), the status before (PreviousStatus "" when there was
// none), who made the write (ChangedBy), when (ChangedAt, the contact's
// updatedAt of that write) and which write (Cause). ContactID is the contact
// it was recorded on: entries of a contact merged into the one read keep the
// merged contact's id.
type ConsentChange struct {
	ID             string            `json:"id" db:"id"`
	ContactID      string            `json:"contactId" db:"contact_id"`
	Channel        string            `json:"channel" db:"channel"`
	Status         string            `json:"status,omitempty" db:"status"`
	PreviousStatus string            `json:"previousStatus,omitempty" db:"previous_status"`
	At             *customer.UTCTime `json:"at,omitempty" db:"consent_at"`
	Source         string            `json:"source,omitempty" db:"source"`
	Cause          string            `json:"cause" db:"cause"`
	ChangedBy      string            `json:"changedBy" db:"changed_by"`
	ChangedAt      customer.UTCTime  `json:"changedAt" db:"changed_at"`
}

// consentPosition is a place in the (changedAt desc, id desc) order of a
// consent history.
type consentPosition struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
}

// consentChanges returns the history entries of a write by user that took a
// contact from before (nil: none) to after: one per channel whose consent
// differs.
func consentChanges(before, after *customer.Contact, cause, user string) []ConsentChange {
	old, cur := customer.ChannelConsents(before), customer.ChannelConsents(after)
	var out []ConsentChange
	for i, channel := range customer.ConsentChannels {
		if sameConsent(old[i], cur[i]) {
			continue
		}
		c := ConsentChange{ID: ids.New(), ContactID: after.ID, Channel: channel, Cause: cause, ChangedBy: user,
			ChangedAt: customer.UTCTime{Time: after.UpdatedAt.UTC()}}
		if old[i] != nil {
			c.PreviousStatus = old[i].Status
		}
		if now := cur[i]; now != nil {
			c.Status, c.Source = now.Status, now.Source
			if now.At != nil {
				c.At = &customer.UTCTime{Time: now.At.UTC()}
			}
		}
		out = append(out, c)
	}
	return out
}

// sameConsent reports whether a and b (nil: none) have the same status,
// time and source.
func sameConsent(a, b *customer.ChannelConsent) bool {
	if a == nil || b == nil {
		return a == b
	}
	sameTime := a.At == nil && b.At == nil || a.At != nil && b.At != nil && a.At.Equal(*b.At)
	return a.Status == b.Status && a.Source == b.Source && sameTime
}

// ContactConsentHistory implements Service.
func (s *service) ContactConsentHistory(ctx context.Context, id string, q ConsentHistoryQuery) (page customer.Page[ConsentChange], err error) {
	p, err := customer.CallerOf(ctx, id, customer.ErrContactNotFound)
	if err != nil {
		return page, err
	}
	v := errs.NewValidator()
	v.Check(q.Channel == "" || slices.Contains(customer.ConsentChannels, q.Channel), "channel", "must be email, sms or phone")
	if err := v.Err(); err != nil {
		return page, err
	}
	var after *consentPosition
	if q.Cursor != "" {
		after = &consentPosition{}
		if err := s.cursors.DecodeCursor(q.Cursor, after); err != nil {
			return page, err
		}
	}
	if q.Limit <= 0 || q.Limit > kitx.MaxLimit {
		q.Limit = kitx.DefaultLimit
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if _, err := pgstore.GetRecord(ctx, tx, pgstore.Contacts, id, false, pgstore.LiveConds(p)...); err != nil {
			return err
		}
		items, err := listConsentHistory(ctx, tx, id, q.Channel, after, q.Limit+1)
		if err != nil {
			return err
		}
		if len(items) > q.Limit {
			last := items[q.Limit-1]
			items, page.NextCursor = items[:q.Limit], s.cursors.EncodeCursor(consentPosition{last.ChangedAt.Time, last.ID})
		}
		page.Items = items
		return nil
	})
	err = s.followMerge(ctx, pgstore.Contacts, id, err)
	var moved *customer.MergedError
	if errors.As(err, &moved) {
		moved.Sub = "/consent-history"
	}
	return page, err
}
