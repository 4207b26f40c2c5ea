package campaigns

import (
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The statuses of a campaign's member, in the order they rise: added (by
// hand, nothing sent yet), sent, opened, clicked, responded, converted.
const (
	StatusAdded     = "added"
	StatusSent      = "sent"
	StatusOpened    = "opened"
	StatusClicked   = "clicked"
	StatusResponded = "responded"
	StatusConverted = "converted"
)

// MemberStatuses are the statuses of a member, lowest first.
var MemberStatuses = []string{StatusAdded, StatusSent, StatusOpened, StatusClicked, StatusResponded, StatusConverted}

// The sources of a member's status: a person (manual) or the event that
// moved it.
const (
	SourceManual         = "manual"
	SourceMessageSent    = "message.sent"
	SourceMessageOpened  = "message.opened"
	SourceMessageClicked = "message.clicked"
	SourceFormSubmitted  = "form.submitted"
	SourceOpportunityWon = "opportunity.won"
)

// Member is a contact of the audience in a campaign, with its status.
type Member struct {
	CampaignID string    `json:"campaignId" db:"campaign_id"`
	ContactID  string    `json:"contactId" db:"contact_id"`
	Status     string    `json:"status" db:"status"`
	AddedAt    time.Time `json:"addedAt" db:"added_at"`
	UpdatedAt  time.Time `json:"updatedAt" db:"updated_at"`
}

// HistoryEntry is a status a member took: from what (PreviousStatus, ""
// when it joined with it), when and what moved it (Source).
type HistoryEntry struct {
	Status         string    `json:"status" db:"status"`
	PreviousStatus string    `json:"previousStatus,omitempty" db:"previous_status"`
	Source         string    `json:"source" db:"source"`
	At             time.Time `json:"at" db:"at"`
}

// memberEvent is the data of campaign_member.added and
// campaign_member.status_changed.
type memberEvent struct {
	CampaignID     string    `json:"campaignId"`
	ContactID      string    `json:"contactId"`
	Status         string    `json:"status"`
	PreviousStatus string    `json:"previousStatus,omitempty"`
	At             time.Time `json:"at"`
}

// respondedEvent is the data of campaign.responded: who responded, as the
// audience knows them, for the sales service to make a lead of.
type respondedEvent struct {
	CampaignID  string    `json:"campaignId"`
	ContactID   string    `json:"contactId"`
	Email       string    `json:"email"`
	FirstName   string    `json:"firstName"`
	LastName    string    `json:"lastName"`
	Phone       string    `json:"phone"`
	Company     string    `json:"company"`
	Title       string    `json:"title"`
	RespondedAt time.Time `json:"respondedAt"`
}

// The bounds of members' requests.
const maxAdd = 1000

// The errors of members.
var (
	ErrMemberNotFound = errs.New(errs.NotFound, "marketing-campaign-member-not-found", "the contact is not a member of the campaign")
	ErrStatusFalls    = errs.New(errs.Unprocessable, "marketing-campaign-member-status", "a member's status only rises: sent < opened < clicked < responded < converted")
)

// rank is status's place in MemberStatuses (-1 for none).
func rank(status string) int { return slices.Index(MemberStatuses, status) }

// emptyCounts are the member counts of a campaign with none.
func emptyCounts() map[string]int {
	out := map[string]int{}
	for _, s := range MemberStatuses {
		out[s] = 0
	}
	return out
}
