package ingest

import (
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/events"
)

// The sales event types the read models use (services/sales/api/events).
const (
	typeLeadCreated         = "dev.rapport.sales.lead.created.v1"
	typeLeadUpdated         = "dev.rapport.sales.lead.updated.v1"
	typeLeadConverted       = "dev.rapport.sales.lead.converted.v1"
	typeLeadDeleted         = "dev.rapport.sales.lead.deleted.v1"
	typeLeadRestored        = "dev.rapport.sales.lead.restored.v1"
	typeLeadAssigned        = "dev.rapport.sales.lead.assigned.v1"
	typeOpportunityCreated  = "dev.rapport.sales.opportunity.created.v1"
	typeOpportunityUpdated  = "dev.rapport.sales.opportunity.updated.v1"
	typeOpportunityWon      = "dev.rapport.sales.opportunity.won.v1"
	typeOpportunityLost     = "dev.rapport.sales.opportunity.lost.v1"
	typeOpportunityDeleted  = "dev.rapport.sales.opportunity.deleted.v1"
	typeOpportunityRestored = "dev.rapport.sales.opportunity.restored.v1"
	typeStageChanged        = "dev.rapport.sales.opportunity.stage_changed.v1"
	typePipelineCreated     = "dev.rapport.sales.pipeline.created.v1"
	typePipelineUpdated     = "dev.rapport.sales.pipeline.updated.v1"
	typeForecastOverridden  = "dev.rapport.sales.forecast.overridden.v1"
)

// leadReached is the funnel step each lead status shows: 0 lead, 1 MQL,
// 2 SQL, 3 converted; disqualified (absent) shows none.
var leadReached = map[string]int{"new": 0, "working": 1, "nurturing": 1, "qualified": 2, "converted": 3}

// leadPayload is what the read models use of a lead's full state
// (lead.created, updated, converted, deleted, restored, assigned).
type leadPayload struct {
	ID                     string     `json:"id"`
	Status                 string     `json:"status"`
	Source                 string     `json:"source"`
	CampaignID             string     `json:"campaignId"`
	OwnerID                string     `json:"ownerId"`
	TeamID                 string     `json:"teamId"`
	Score                  int        `json:"score"`
	Rating                 string     `json:"rating"`
	CreatedAt              time.Time  `json:"createdAt"`
	ConvertedAt            *time.Time `json:"convertedAt"`
	ConvertedContactID     string     `json:"convertedContactId"`
	ConvertedAccountID     string     `json:"convertedAccountId"`
	ConvertedOpportunityID string     `json:"convertedOpportunityId"`
	DeletedAt              *time.Time `json:"deletedAt"`
	Version                int64      `json:"version"`
}

// check is ErrBadPayload unless p names its lead (and the records it
// names) by uuid, has a status and a version.
func (p leadPayload) check(ev events.Event) error {
	if p.Status == "" {
		return ErrBadPayload.WithDetail("%s %s: status missing", ev.Type, ev.ID)
	}
	return checkState(ev, p.Version, "id", p.ID, "campaignId", p.CampaignID, "convertedContactId", p.ConvertedContactID,
		"convertedAccountId", p.ConvertedAccountID, "convertedOpportunityId", p.ConvertedOpportunityID)
}

// amountPayload is an amount of money in minor units of currency.
type amountPayload struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
	Exponent int    `json:"exponent"`
}

// opportunityPayload is what the read models use of an opportunity's full
// state (opportunity.created, updated, won, lost, deleted, restored;
// stage_changed's opportunity). Its contacts are its contact roles'.
type opportunityPayload struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	PipelineID       string         `json:"pipelineId"`
	StageID          string         `json:"stageId"`
	Status           string         `json:"status"`
	Amount           *amountPayload `json:"amount"`
	Probability      int            `json:"probability"`
	ForecastCategory string         `json:"forecastCategory"`
	OwnerID          string         `json:"ownerId"`
	TeamID           string         `json:"teamId"`
	AccountID        string         `json:"accountId"`
	PrimaryContactID string         `json:"primaryContactId"`
	ContactRoles     []struct {
		ContactID string `json:"contactId"`
	} `json:"contactRoles"`
	CloseDate string     `json:"closeDate"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	ClosedAt  *time.Time `json:"closedAt"`
	DeletedAt *time.Time `json:"deletedAt"`
	Version   int64      `json:"version"`
}

// check is ErrBadPayload unless p names its opportunity, pipeline, stage
// and the records it names by uuid, has a status and a version.
func (p opportunityPayload) check(ev events.Event) error {
	if p.Status == "" {
		return ErrBadPayload.WithDetail("%s %s: status missing", ev.Type, ev.ID)
	}
	kv := []string{"id", p.ID, "pipelineId", p.PipelineID, "stageId", p.StageID, "accountId", p.AccountID,
		"primaryContactId", p.PrimaryContactID}
	for _, r := range p.ContactRoles {
		kv = append(kv, "contactRoles.contactId", r.ContactID)
	}
	return checkState(ev, p.Version, kv...)
}

// contacts returns the ids of the opportunity's contact roles, each once.
func (p opportunityPayload) contacts() pq.StringArray {
	out := pq.StringArray{}
	seen := map[string]bool{}
	for _, r := range p.ContactRoles {
		if r.ContactID != "" && !seen[r.ContactID] {
			seen[r.ContactID] = true
			out = append(out, r.ContactID)
		}
	}
	return out
}

// stagePayload is a stage an opportunity left or entered
// (stage_changed's from and to).
type stagePayload struct {
	PipelineID string `json:"pipelineId"`
	StageID    string `json:"stageId"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
}

// stageChangedPayload is opportunity.stage_changed: the opportunity after
// the move, the stage it left and the one it entered.
type stageChangedPayload struct {
	Opportunity opportunityPayload `json:"opportunity"`
	From        *stagePayload      `json:"from"`
	To          stagePayload       `json:"to"`
}

// check is ErrBadPayload unless the opportunity and the stages are whole.
func (p stageChangedPayload) check(ev events.Event) error {
	if err := p.Opportunity.check(ev); err != nil {
		return err
	}
	kv := []string{"to.stageId", p.To.StageID, "to.pipelineId", p.To.PipelineID}
	if p.From != nil {
		kv = append(kv, "from.stageId", p.From.StageID, "from.pipelineId", p.From.PipelineID)
	}
	return requireIDs(ev, kv...)
}

// pipelinePayload is what the read models use of a pipeline's full state
// (pipeline.created, updated): its stages in order.
type pipelinePayload struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Stages []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"stages"`
	Version int64 `json:"version"`
}

// check is ErrBadPayload unless p names its pipeline and stages by uuid
// and has a version.
func (p pipelinePayload) check(ev events.Event) error {
	kv := []string{"id", p.ID}
	for _, s := range p.Stages {
		kv = append(kv, "stages.id", s.ID)
	}
	if p.Version < 1 {
		return ErrBadPayload.WithDetail("%s %s: version missing", ev.Type, ev.ID)
	}
	return requireIDs(ev, kv...)
}

// forecastPayload is forecast.overridden: a manager's override of an
// owner's (or, without an owner, a team's) category in a period.
type forecastPayload struct {
	Period   string        `json:"period"`
	OwnerID  string        `json:"ownerId"`
	TeamID   string        `json:"teamId"`
	Category string        `json:"category"`
	Amount   amountPayload `json:"amount"`
	SetAt    time.Time     `json:"setAt"`
}

// check is ErrBadPayload unless p has a period, a category, an owner or a
// team, a currency and a time.
func (p forecastPayload) check(ev events.Event) error {
	switch {
	case p.Period == "", p.Category == "", p.Amount.Currency == "", p.SetAt.IsZero():
		return ErrBadPayload.WithDetail("%s %s: period, category, amount or setAt missing", ev.Type, ev.ID)
	case p.OwnerID == "" && p.TeamID == "":
		return ErrBadPayload.WithDetail("%s %s: neither ownerId nor teamId", ev.Type, ev.ID)
	}
	return nil
}
