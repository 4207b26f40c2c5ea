package attribution

import (
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
)

// The kinds of touch: a message of a campaign sent to the contact, opened
// or clicked; a form of a campaign submitted by the contact (form.submitted
// naming no contact is no touch: the lead sales makes of it counts among
// the campaign's leads, and its conversion into a contact is then a touch
// of kind lead); a lead of the campaign converted into the contact.
const (
	KindSent    = "sent"
	KindOpened  = "opened"
	KindClicked = "clicked"
	KindForm    = "form"
	KindLead    = "lead"
)

// channelWeb is the channel of a form's touch.
const channelWeb = "web"

// The types of the service's own events that are touches, and the kind
// each makes.
var touchKinds = map[string]string{
	"dev.rapport.marketing.message.sent.v1":    KindSent,
	"dev.rapport.marketing.message.opened.v1":  KindOpened,
	"dev.rapport.marketing.message.clicked.v1": KindClicked,
	"dev.rapport.marketing.form.submitted.v1":  KindForm,
}

// Touch is a contact's touch of a campaign: the id of the event it was
// read from, its kind and channel, the opportunity a lead's conversion
// made, and when it happened.
type Touch struct {
	ID            string    `json:"id"`
	ContactID     string    `json:"contactId"`
	CampaignID    string    `json:"campaignId"`
	Kind          string    `json:"kind"`
	Channel       string    `json:"channel,omitempty"`
	OpportunityID string    `json:"opportunityId,omitempty"`
	At            time.Time `json:"at"`
}

// touchData is what a touch reads of message.sent, message.opened,
// message.clicked and form.submitted: the campaign and the contact, the
// channel, and the time under the name each type gives it.
type touchData struct {
	CampaignID  string     `json:"campaignId"`
	ContactID   string     `json:"contactId"`
	Channel     string     `json:"channel"`
	SentAt      *time.Time `json:"sentAt"`
	At          *time.Time `json:"at"`
	SubmittedAt *time.Time `json:"submittedAt"`
}

// touchOf reads the touch ev is: ok false when ev is of another type or
// names no campaign or no contact; an error when its data does not parse.
func touchOf(ev events.Event) (t Touch, ok bool, err error) {
	kind := touchKinds[ev.Type]
	if kind == "" {
		return t, false, nil
	}
	var d touchData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return t, false, err
	}
	if !ids.Valid(d.CampaignID) || !ids.Valid(d.ContactID) {
		return t, false, nil
	}
	t = Touch{ID: ev.ID, ContactID: d.ContactID, CampaignID: d.CampaignID, Kind: kind, Channel: d.Channel,
		At: firstTime(ev.Time, d.SentAt, d.At, d.SubmittedAt)}
	if kind == KindForm {
		t.Channel = channelWeb
	}
	return t, true, nil
}

// firstTime is the first of times that is set, else fallback (the
// event's time), in UTC.
func firstTime(fallback time.Time, times ...*time.Time) time.Time {
	for _, t := range times {
		if t != nil && !t.IsZero() {
			return t.UTC()
		}
	}
	return fallback.UTC()
}
