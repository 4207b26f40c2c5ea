package ingest

import "time"

// The marketing event types the read models use
// (services/marketing/api/events).
const (
	typeCampaignCreated   = "dev.rapport.marketing.campaign.created.v1"
	typeCampaignUpdated   = "dev.rapport.marketing.campaign.updated.v1"
	typeCampaignDeleted   = "dev.rapport.marketing.campaign.deleted.v1"
	typeCampaignResponded = "dev.rapport.marketing.campaign.responded.v1"
	typeMessageSent       = "dev.rapport.marketing.message.sent.v1"
	typeMessageOpened     = "dev.rapport.marketing.message.opened.v1"
	typeMessageClicked    = "dev.rapport.marketing.message.clicked.v1"
	typeFormSubmitted     = "dev.rapport.marketing.form.submitted.v1"
)

// moneyPayload is a campaign's budget or actual cost: an exact decimal
// string in currency.
type moneyPayload struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// campaignPayload is what the read models use of a campaign's full state
// (campaign.created, updated, deleted).
type campaignPayload struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	Type       string        `json:"type"`
	Status     string        `json:"status"`
	ParentID   string        `json:"parentId"`
	OwnerID    string        `json:"ownerId"`
	Budget     *moneyPayload `json:"budget"`
	ActualCost *moneyPayload `json:"actualCost"`
	StartsOn   string        `json:"startsOn"`
	EndsOn     string        `json:"endsOn"`
	CreatedAt  time.Time     `json:"createdAt"`
	Version    int64         `json:"version"`
}

// touchPayload is what the read models use of an event of a contact's
// touch of a campaign: message.sent (SentAt), message.opened and clicked
// (At), form.submitted (SubmittedAt) and campaign.responded
// (RespondedAt). Channel is a message's.
type touchPayload struct {
	ContactID   string    `json:"contactId"`
	CampaignID  string    `json:"campaignId"`
	Channel     string    `json:"channel"`
	SentAt      time.Time `json:"sentAt"`
	At          time.Time `json:"at"`
	SubmittedAt time.Time `json:"submittedAt"`
	RespondedAt time.Time `json:"respondedAt"`
}
