package tracking

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// ChannelChoice is one channel of the preference page: its address as
// shown (masked), and whether the contact is subscribed on it (consent
// not denied and the address not suppressed).
type ChannelChoice struct {
	Channel    string
	Address    string
	Subscribed bool
}

// Preferences is what the preference page shows: the contact's channels
// that have an address, in order (email, sms).
type Preferences struct {
	Channels []ChannelChoice
}

// UnsubscribePage is what the unsubscribe page shows: the channel, the
// address (masked) and whether it is already unsubscribed.
type UnsubscribePage struct {
	Channel, Address string
	Done             bool
}

// UnsubscribeInfo returns the unsubscribe page of token. It changes
// nothing: mail scanners fetch every link (GET), so only the page's POST
// unsubscribes.
func (s *Service) UnsubscribeInfo(ctx context.Context, token string) (out UnsubscribePage, err error) {
	t, err := s.token(ctx, KindUnsubscribe, token)
	if err != nil {
		return out, err
	}
	err = s.db.InTx(ctx, t.Ref.TenantID, func(tx *outbox.Tx) error {
		addr, err := addressOf(ctx, tx, t.Ref)
		if err != nil || addr == "" {
			return err
		}
		out.Channel, out.Address = t.Ref.Channel, mask(addr)
		out.Done, err = suppressed(ctx, tx, t.Ref.Channel, addr)
		return err
	})
	return out, err
}

// Unsubscribe unsubscribes the recipient of token from its channel: the
// address joins the suppression list (reason unsubscribed) and
// contact.unsubscribed is published with source (one-click or link).
// Again is nothing more: the address is suppressed already.
func (s *Service) Unsubscribe(ctx context.Context, token, source string) error {
	t, err := s.token(ctx, KindUnsubscribe, token)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, t.Ref.TenantID, func(tx *outbox.Tx) error {
		addr, err := addressOf(ctx, tx, t.Ref)
		if err != nil || addr == "" {
			return err
		}
		return s.unsubscribe(ctx, tx, t.Ref, t.Ref.Channel, addr, source, ReasonUnsubscribed, "")
	})
}

// unsubscribe suppresses addr on channel for reason and, when it was not
// suppressed, publishes contact.unsubscribed for r's contact from source.
func (s *Service) unsubscribe(ctx context.Context, tx *outbox.Tx, r Ref, channel, addr, source, reason, detail string) error {
	at := pg.Timestamp(s.now())
	by := "recipient"
	if source == SourceComplaint {
		by = mailServer
	}
	added, err := insertSuppression(ctx, tx, Suppression{Channel: channel, Address: addr, Reason: reason, Detail: detail,
		CreatedBy: by, CreatedAt: at})
	if err != nil || !added || r.ContactID == "" {
		return err
	}
	ev := Unsubscribed{ContactID: r.ContactID, Channel: channel, Address: addr, Source: source, At: at}
	if r.CampaignID != "" {
		ev.CampaignID = &r.CampaignID
	}
	if r.MessageID != "" {
		ev.MessageID = &r.MessageID
	}
	return tx.Emit(ctx, marketingdb.EntityContact, marketingdb.VerbUnsubscribed, r.ContactID, ev, nil)
}

// Preferences returns the preference page of token: the contact's
// channels as the audience (its consent) and the suppression list see
// them.
func (s *Service) Preferences(ctx context.Context, token string) (out Preferences, err error) {
	t, err := s.token(ctx, KindPreferences, token)
	if err != nil {
		return out, err
	}
	err = s.db.InTx(ctx, t.Ref.TenantID, func(tx *outbox.Tx) error {
		out, _, err = s.preferences(ctx, tx, t.Ref)
		return err
	})
	return out, err
}

// SetPreferences unsubscribes the contact of token from each of its
// channels subscribed that keep is false for (source preferences), and
// returns the page after. Subscribing again is the contact's consent in
// contacts, not this page's: a channel unsubscribed stays so.
func (s *Service) SetPreferences(ctx context.Context, token string, keep map[string]bool) (out Preferences, err error) {
	t, err := s.token(ctx, KindPreferences, token)
	if err != nil {
		return out, err
	}
	err = s.db.InTx(ctx, t.Ref.TenantID, func(tx *outbox.Tx) error {
		cur, addrs, err := s.preferences(ctx, tx, t.Ref)
		if err != nil {
			return err
		}
		for i, c := range cur.Channels {
			if !c.Subscribed || keep[c.Channel] {
				continue
			}
			r := t.Ref
			if r.Channel != c.Channel {
				r.MessageID = ""
			}
			if err := s.unsubscribe(ctx, tx, r, c.Channel, addrs[i], SourcePreferences, ReasonUnsubscribed, ""); err != nil {
				return err
			}
			cur.Channels[i].Subscribed = false
		}
		out = cur
		return nil
	})
	return out, err
}

// preferences returns r's contact's channels, with their addresses
// unmasked (in the same order).
func (s *Service) preferences(ctx context.Context, tx *outbox.Tx, r Ref) (out Preferences, addrs []string, err error) {
	c, ok, err := audienceContact(ctx, tx, r.ContactID)
	if err != nil || !ok {
		return out, nil, err
	}
	for _, ch := range []struct{ channel, addr, consent string }{
		{ChannelEmail, c.Email, c.EmailConsent}, {ChannelSMS, c.Phone, c.SMSConsent},
	} {
		if ch.addr == "" {
			continue
		}
		off, err := suppressed(ctx, tx, ch.channel, ch.addr)
		if err != nil {
			return out, nil, err
		}
		out.Channels = append(out.Channels, ChannelChoice{Channel: ch.channel, Address: mask(ch.addr),
			Subscribed: !off && ch.consent != "denied"})
		addrs = append(addrs, ch.addr)
	}
	return out, addrs, nil
}

// addressOf returns the address r's link was sent to: its message's, else
// (the message gone) the contact's on r's channel in the audience; "" for
// none.
func addressOf(ctx context.Context, tx *outbox.Tx, r Ref) (string, error) {
	m, ok, err := getMessage(ctx, tx, r.MessageID)
	if err != nil || ok {
		return normalAddress(m.Channel, m.Address), err
	}
	c, ok, err := audienceContact(ctx, tx, r.ContactID)
	if err != nil || !ok {
		return "", err
	}
	if r.Channel == ChannelSMS {
		return c.Phone, nil
	}
	return c.Email, nil
}

// normalAddress is addr as the suppression list keeps it: an email
// lower-cased, a phone number as it is (E.164).
func normalAddress(channel, addr string) string {
	addr = strings.TrimSpace(addr)
	if channel == ChannelEmail {
		return strings.ToLower(addr)
	}
	return addr
}

// mask shows enough of addr for its owner to know it and little to
// anyone else: "j…@example.com", "+44…89".
func mask(addr string) string {
	if at := strings.LastIndexByte(addr, '@'); at > 0 {
		return addr[:1] + "…" + addr[at:]
	}
	if len(addr) > 5 {
		return addr[:3] + "…" + addr[len(addr)-2:]
	}
	return "…"
}
