package messaging

import (
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/marketing/templates"
)

// The statuses of a send.
const (
	StatusScheduled = "scheduled" // waiting for ScheduledAt
	StatusQueued    = "queued"    // to start at the sending job's next turn
	StatusSending   = "sending"   // its recipients made into messages, which go out
	StatusCompleted = "completed" // none of its messages left to go out
	StatusCanceled  = "canceled"
)

// The statuses of a message (a row of messages): queued until a sender
// claims it (sending), then sent or failed; excluded (never sent: the
// reason in its error) or canceled with its send.
const (
	msgQueued   = "queued"
	msgSending  = "sending"
	msgSent     = "sent"
	msgFailed   = "failed"
	msgExcluded = "excluded"
	msgCanceled = "canceled"
)

// The reasons a recipient is excluded from a send.
const (
	ReasonNoConsent       = "no_consent"       // the contact's consent on the channel is not granted
	ReasonSuppressed      = "suppressed"       // the address is on the suppression list (unsubscribed, by hand)
	ReasonHardBounce      = "hard_bounce"      // the address bounced for good
	ReasonComplaint       = "complaint"        // the recipient complained of a mail
	ReasonNoAddress       = "no_address"       // the contact has no address on the channel
	ReasonUnresolvedField = "unresolved_field" // the template has a field without value for the contact
)

// Send is a send of a template to the members of a segment or static list
// on a channel, now or at ScheduledAt, with its counts.
type Send struct {
	ID          string     `json:"id"`
	CampaignID  string     `json:"campaignId,omitempty"`
	TemplateID  string     `json:"templateId"`
	Channel     string     `json:"channel"`
	SegmentID   string     `json:"segmentId"`
	Status      string     `json:"status"`
	ScheduledAt *time.Time `json:"scheduledAt,omitempty"`
	UTM         UTM        `json:"utm"`
	Counts      Counts     `json:"counts"`
	Excluded    Exclusions `json:"excluded"`
	CreatedBy   string     `json:"createdBy"`
	CreatedAt   time.Time  `json:"createdAt"`
	StartedAt   *time.Time `json:"startedAt,omitempty"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
	CanceledAt  *time.Time `json:"canceledAt,omitempty"`
	Version     int64      `json:"version"`
}

// UTM is the campaign tagging of a send's tracked links (utm_source,
// utm_medium, utm_campaign, utm_content).
type UTM struct {
	Source   string `json:"source,omitempty"`
	Medium   string `json:"medium,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	Content  string `json:"content,omitempty"`
}

// Counts are a send's messages by status: Recipients is every member made
// into a message (sent, failed, excluded or not yet sent); Queued counts
// those an A/B test holds until its winner is chosen.
type Counts struct {
	Recipients int `json:"recipients"`
	Queued     int `json:"queued"`
	Sending    int `json:"sending"`
	Sent       int `json:"sent"`
	Failed     int `json:"failed"`
	Excluded   int `json:"excluded"`
	Canceled   int `json:"canceled"`
}

// Exclusions are a send's excluded recipients by reason.
type Exclusions struct {
	NoConsent       int `json:"noConsent"`
	Suppressed      int `json:"suppressed"`
	HardBounce      int `json:"hardBounce"`
	Complaint       int `json:"complaint"`
	NoAddress       int `json:"noAddress"`
	UnresolvedField int `json:"unresolvedField"`
}

// add counts n messages of status (and of reason when excluded).
func (s *Send) add(status, reason string, n int) {
	s.Counts.Recipients += n
	switch status {
	case msgQueued, msgHeld:
		s.Counts.Queued += n
	case msgSending:
		s.Counts.Sending += n
	case msgSent:
		s.Counts.Sent += n
	case msgFailed:
		s.Counts.Failed += n
	case msgCanceled:
		s.Counts.Canceled += n
	case msgExcluded:
		s.Counts.Excluded += n
		switch reason {
		case ReasonNoConsent:
			s.Excluded.NoConsent += n
		case ReasonSuppressed:
			s.Excluded.Suppressed += n
		case ReasonHardBounce:
			s.Excluded.HardBounce += n
		case ReasonComplaint:
			s.Excluded.Complaint += n
		case ReasonNoAddress:
			s.Excluded.NoAddress += n
		case ReasonUnresolvedField:
			s.Excluded.UnresolvedField += n
		}
	}
}

// NewSend is the body of POST /v1/sends.
type NewSend struct {
	CampaignID  string     `json:"campaignId"`
	TemplateID  string     `json:"templateId"`
	Channel     string     `json:"channel"`
	SegmentID   string     `json:"segmentId"`
	ScheduledAt *time.Time `json:"scheduledAt"`
	UTM         UTM        `json:"utm"`
	ABTest      *ABTest    `json:"abTest"`
}

// maxUTM bounds a UTM value.
const maxUTM = 200

// check validates n, naming every bad field.
func (n *NewSend) check() error {
	v := errs.NewValidator()
	v.Check(n.CampaignID == "" || ids.Valid(n.CampaignID), "campaignId", "must be a campaign's id")
	v.Check(ids.Valid(n.TemplateID), "templateId", "must be a template's id")
	v.Check(n.Channel == templates.ChannelEmail || n.Channel == templates.ChannelSMS, "channel", "must be email or sms")
	v.Check(ids.Valid(n.SegmentID), "segmentId", "must be a segment's or a list's id")
	for _, f := range [][2]string{{"utm/source", n.UTM.Source}, {"utm/medium", n.UTM.Medium},
		{"utm/campaign", n.UTM.Campaign}, {"utm/content", n.UTM.Content}} {
		v.Check(len(f[1]) <= maxUTM, f[0], "must be at most 200 characters")
	}
	if n.ABTest != nil {
		a := n.ABTest.withDefaults()
		a.check(v, n.Channel, startOf(n.ScheduledAt))
		n.ABTest = &a
	}
	return v.Err()
}
