package tracking

import (
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The errors of tracking.
var (
	// ErrNotFound is a link whose token is not valid for the tenant it was
	// reached through (forged, tampered with, another kind's): 404, and no
	// redirect.
	ErrNotFound = errs.New(errs.NotFound, "link-not-found", "no such link")
	// ErrNotAReport is feedback that is neither a delivery status
	// notification nor an abuse report.
	ErrNotAReport = errs.Invalidf([]errs.FieldError{{Field: "body", Reason: "must be a multipart/report mail: a delivery status notification (RFC 3464) or an abuse report (RFC 5965)"}},
		"the body is not a delivery status notification or an abuse report")
	// ErrSuppressed is an address added by hand that the list holds already.
	ErrSuppressed = errs.New(errs.Conflict, "already-suppressed", "the address is on the suppression list already")
	// ErrSuppressionNotFound is a suppression the tenant's list does not hold.
	ErrSuppressionNotFound = errs.New(errs.NotFound, "suppression-not-found", "the address is not on the suppression list")
)

// The channels of messages.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// The sources of an unsubscribe (contact.unsubscribed's source).
const (
	SourceOneClick    = "one-click"
	SourceLink        = "link"
	SourcePreferences = "preferences"
	SourceComplaint   = "complaint"
)

// The reasons of suppressions (suppressions.reason).
const (
	ReasonHardBounce   = "hard_bounce"
	ReasonComplaint    = "complaint"
	ReasonUnsubscribed = "unsubscribed"
	ReasonManual       = "manual"
)

// message is what tracking reads of a message (messaging's messages row),
// with whether a person has opened it.
type message struct {
	ID         string     `db:"id"`
	SendID     string     `db:"send_id"`
	CampaignID *string    `db:"campaign_id"`
	ContactID  string     `db:"contact_id"`
	Channel    string     `db:"channel"`
	Address    string     `db:"address"`
	SentAt     *time.Time `db:"sent_at"`
	Opened     bool       `db:"opened"`
}

// MessageEvent is the data of message.delivered|opened|clicked|bounced|
// complained (subject the message): the message, its send, campaign,
// contact, channel and address, when it happened, and the clicked URL, the
// bounce's type (hard|soft) or the reason (a bounce's status and
// diagnostic, a complaint's feedback type).
type MessageEvent struct {
	ID         string    `json:"id"`
	SendID     string    `json:"sendId"`
	CampaignID *string   `json:"campaignId,omitempty"`
	ContactID  string    `json:"contactId"`
	Channel    string    `json:"channel"`
	Address    string    `json:"address"`
	At         time.Time `json:"at"`
	URL        string    `json:"url,omitempty"`
	BounceType string    `json:"bounceType,omitempty"`
	Reason     string    `json:"reason,omitempty"`
}

// eventOf is m's event at at.
func eventOf(m message, at time.Time) MessageEvent {
	return MessageEvent{ID: m.ID, SendID: m.SendID, CampaignID: m.CampaignID, ContactID: m.ContactID, Channel: m.Channel,
		Address: m.Address, At: at.UTC()}
}

// Unsubscribed is the data of contact.unsubscribed (subject the contact):
// the contact stopped wanting messages on channel at address, from the
// campaign's message when known, through source, at at. Contacts sets the
// contact's consent on the channel to denied.
type Unsubscribed struct {
	ContactID  string    `json:"contactId"`
	Channel    string    `json:"channel"`
	Address    string    `json:"address"`
	CampaignID *string   `json:"campaignId,omitempty"`
	MessageID  *string   `json:"messageId,omitempty"`
	Source     string    `json:"source"`
	At         time.Time `json:"at"`
}
