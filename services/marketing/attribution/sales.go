package attribution

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
)

// The sales' event types the Handler reads by name or prefix: every event
// of an opportunity carries its full state (stage_changed in its
// "opportunity"), and so do those of a lead in leadTypes (lead.assigned
// and lead.sla_missed, which do not, are skipped).
const (
	typeOpportunity  = "dev.rapport.sales.opportunity."
	typeStageChanged = "dev.rapport.sales.opportunity.stage_changed.v1"
	typeConverted    = "dev.rapport.sales.lead.converted.v1"
)

// leadTypes are the types of sales' lead events the Handler follows.
var leadTypes = map[string]bool{
	"dev.rapport.sales.lead.created.v1": true, "dev.rapport.sales.lead.updated.v1": true, typeConverted: true,
	"dev.rapport.sales.lead.deleted.v1": true, "dev.rapport.sales.lead.restored.v1": true,
}

// statusWon is the status of a won opportunity.
const statusWon = "won"

// Opportunity is what attribution keeps of an opportunity of sales: its
// status, its contacts (the primary one and those of its roles), its
// amount, when it was created and closed, and whether it is deleted.
type Opportunity struct {
	ID         string
	Status     string
	ContactIDs []string
	// Minor is the amount in minor units of Currency (Exponent digits);
	// nil for none.
	Minor    *int64
	Currency string
	Exponent int
	Created  time.Time
	Closed   *time.Time
	Deleted  bool
	Version  int64
}

// won says whether o's amount is to be credited: won, not deleted, with
// an amount and a close.
func (o Opportunity) won() bool {
	return o.Status == statusWon && !o.Deleted && o.Minor != nil && o.Closed != nil
}

// opportunityState is what attribution reads of an opportunity's state in
// its events (services/sales/api/events/dev.rapport.sales.opportunity.*).
type opportunityState struct {
	ID               string `json:"id"`
	PrimaryContactID string `json:"primaryContactId"`
	ContactRoles     []struct {
		ContactID string `json:"contactId"`
	} `json:"contactRoles"`
	Amount *struct {
		Minor    int64  `json:"minor"`
		Currency string `json:"currency"`
		Exponent int    `json:"exponent"`
	} `json:"amount"`
	Status    string     `json:"status"`
	ClosedAt  *time.Time `json:"closedAt"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	DeletedAt *time.Time `json:"deletedAt"`
	Version   int64      `json:"version"`
}

// opportunityOf reads the opportunity an event of sales carries: ok false
// for another type; an error when its data does not parse or names no
// opportunity.
func opportunityOf(ev events.Event) (o Opportunity, ok bool, err error) {
	if !strings.HasPrefix(ev.Type, typeOpportunity) {
		return o, false, nil
	}
	var s opportunityState
	data := ev.Data
	if ev.Type == typeStageChanged {
		var moved struct {
			Opportunity json.RawMessage `json:"opportunity"`
		}
		if err := json.Unmarshal(data, &moved); err != nil {
			return o, false, err
		}
		data = moved.Opportunity
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return o, false, err
	}
	if !ids.Valid(s.ID) {
		return o, false, errNoID
	}
	// ContactIDs is never nil: an opportunity naming no contact yet is
	// stored with none (contact_ids is NOT NULL).
	o = Opportunity{ID: s.ID, Status: s.Status, ContactIDs: []string{}, Created: s.CreatedAt.UTC(), Deleted: s.DeletedAt != nil, Version: s.Version}
	for _, c := range append([]string{s.PrimaryContactID}, contactsOf(s)...) {
		if ids.Valid(c) && !slices.Contains(o.ContactIDs, c) {
			o.ContactIDs = append(o.ContactIDs, c)
		}
	}
	if s.Amount != nil {
		minor := s.Amount.Minor
		o.Minor, o.Currency, o.Exponent = &minor, s.Amount.Currency, s.Amount.Exponent
	}
	if s.Status == statusWon {
		closed := firstTime(s.UpdatedAt, s.ClosedAt)
		o.Closed = &closed
	}
	return o, true, nil
}

// contactsOf is the contacts of s's roles.
func contactsOf(s opportunityState) []string {
	out := make([]string, len(s.ContactRoles))
	for i, r := range s.ContactRoles {
		out[i] = r.ContactID
	}
	return out
}

// Lead is what attribution keeps of a lead of sales: its campaign ("" for
// none), when it was created, whether it is deleted; and, once converted,
// the contact and the opportunity it became.
type Lead struct {
	ID                     string     `json:"id"`
	CampaignID             string     `json:"campaignId"`
	CreatedAt              time.Time  `json:"createdAt"`
	DeletedAt              *time.Time `json:"deletedAt"`
	Version                int64      `json:"version"`
	ConvertedContactID     string     `json:"convertedContactId"`
	ConvertedOpportunityID string     `json:"convertedOpportunityId"`
	ConvertedAt            *time.Time `json:"convertedAt"`
}

// leadOf reads the lead an event of sales carries: ok false for another
// type; an error when its data does not parse or names no lead.
func leadOf(ev events.Event) (l Lead, ok bool, err error) {
	if !leadTypes[ev.Type] {
		return l, false, nil
	}
	if err := json.Unmarshal(ev.Data, &l); err != nil {
		return l, false, err
	}
	if !ids.Valid(l.ID) {
		return l, false, errNoID
	}
	if !ids.Valid(l.CampaignID) {
		l.CampaignID = ""
	}
	l.CreatedAt = l.CreatedAt.UTC()
	return l, true, nil
}

// conversionTouch is the touch a converted lead of a campaign is, read
// from lead.converted ev: ok false for another event, a lead of no
// campaign or one converted into no contact.
func conversionTouch(ev events.Event, l Lead) (Touch, bool) {
	if ev.Type != typeConverted || l.CampaignID == "" || !ids.Valid(l.ConvertedContactID) {
		return Touch{}, false
	}
	t := Touch{ID: ev.ID, ContactID: l.ConvertedContactID, CampaignID: l.CampaignID, Kind: KindLead,
		At: firstTime(ev.Time, l.ConvertedAt)}
	if ids.Valid(l.ConvertedOpportunityID) {
		t.OpportunityID = l.ConvertedOpportunityID
	}
	return t, true
}
