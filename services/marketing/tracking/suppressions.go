package tracking

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/audience"
)

// Suppression is an address on a channel never sent to again: why
// (reason: hard_bounce, complaint, unsubscribed, manual), a detail (a
// bounce's status, a note), who added it (a user id, "recipient" or
// "mail server") and when.
type Suppression struct {
	Channel   string    `json:"channel" db:"channel"`
	Address   string    `json:"address" db:"address"`
	Reason    string    `json:"reason" db:"reason"`
	Detail    string    `json:"detail" db:"detail"`
	CreatedBy string    `json:"createdBy" db:"created_by"`
	CreatedAt time.Time `json:"createdAt" db:"created_at"`
}

// SuppressionPage is a page of the suppression list, by channel and
// address; NextCursor is "" on the last.
type SuppressionPage struct {
	Items      []Suppression `json:"items"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

// e164 is a phone number as the audience keeps it.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// maxDetail bounds a suppression's detail.
const maxDetail = 500

// validSuppression normalises and checks a suppression added by hand,
// naming each bad field.
func validSuppression(in *Suppression) error {
	v := errs.NewValidator()
	in.Channel = strings.TrimSpace(in.Channel)
	in.Address = normalAddress(in.Channel, in.Address)
	v.Check(in.Channel == ChannelEmail || in.Channel == ChannelSMS, "channel", "must be email or sms")
	switch in.Channel {
	case ChannelEmail:
		at := strings.LastIndexByte(in.Address, '@')
		v.Check(at > 0 && at < len(in.Address)-1 && !strings.ContainsAny(in.Address, " \t\r\n<>") && len(in.Address) <= 254,
			"address", "must be an email address")
	case ChannelSMS:
		v.Check(e164.MatchString(in.Address), "address", "must be a phone number in E.164 form (+14155550123)")
	}
	if in.Reason == "" {
		in.Reason = ReasonManual
	}
	v.Check(slices.Contains([]string{ReasonManual, ReasonUnsubscribed, ReasonHardBounce, ReasonComplaint}, in.Reason), "reason",
		"must be manual, unsubscribed, hard_bounce or complaint")
	v.Check(len(in.Detail) <= maxDetail, "detail", "must be at most 500 bytes")
	return v.Err()
}

// ListSuppressions returns a page of the caller's tenant's suppression
// list, of channel ("" for both), after cursor.
func (s *Service) ListSuppressions(ctx context.Context, channel, cursor string, limit int) (out SuppressionPage, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return out, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out.Items, out.NextCursor, err = pagedSuppressions(ctx, tx, s.cursors, channel, cursor, limit)
		return err
	})
	if out.Items == nil {
		out.Items = []Suppression{}
	}
	return out, err
}

// AddSuppression adds an address to the caller's tenant's suppression
// list by hand; one already there is a conflict.
func (s *Service) AddSuppression(ctx context.Context, in Suppression) (Suppression, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return in, err
	}
	if err := validSuppression(&in); err != nil {
		return in, err
	}
	in.CreatedBy, in.CreatedAt = p.UserID, pg.Timestamp(s.now())
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		added, err := insertSuppression(ctx, tx, in)
		if err == nil && !added {
			return ErrSuppressed
		}
		return err
	})
	return in, err
}

// RemoveSuppression takes address off channel's suppression list: the
// address may be sent to again (consent allowing).
func (s *Service) RemoveSuppression(ctx context.Context, channel, address string) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		gone, err := deleteSuppression(ctx, tx, channel, normalAddress(channel, address))
		if err == nil && !gone {
			return ErrSuppressionNotFound
		}
		return err
	})
}

// audienceContact returns the contact id of the audience (package
// audience's projection); ok is false without one.
func audienceContact(ctx context.Context, tx *outbox.Tx, id string) (audience.Contact, bool, error) {
	c, err := audience.LoadContact(ctx, tx.SQL(), id)
	if errors.Is(err, audience.ErrContactNotFound) {
		return c, false, nil
	}
	return c, err == nil, err
}
