package notify

import (
	"encoding/json"
	"math/big"
	"strings"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
)

// The sales events the rules read.
const (
	TypeLeadAssigned       = "dev.rapport.sales.lead.assigned.v1"
	TypeOpportunityUpdated = "dev.rapport.sales.opportunity.updated.v1"
	TypeQuoteSubmitted     = "dev.rapport.sales.quote.submitted.v1"
	TypeQuoteApproved      = "dev.rapport.sales.quote.approved.v1"
	TypeQuoteRejected      = "dev.rapport.sales.quote.rejected.v1"
)

// lead is what the rules read of a lead event.
type lead struct {
	ID              string `json:"id"`
	FirstName       string `json:"firstName"`
	LastName        string `json:"lastName"`
	Company         string `json:"company"`
	OwnerID         string `json:"ownerId"`
	PreviousOwnerID string `json:"previousOwnerId"`
}

// name is the lead's name, or its company without one.
func (l lead) name() string {
	if n := strings.TrimSpace(l.FirstName + " " + l.LastName); n != "" {
		return n
	}
	return l.Company
}

// leadAssigned tells a lead's new owner.
func leadAssigned(ev events.Event) ([]Draft, error) {
	var l lead
	if err := decode(ev, &l); err != nil {
		return nil, err
	}
	if !ids.Valid(l.OwnerID) || l.OwnerID == l.PreviousOwnerID {
		return nil, nil
	}
	return []Draft{{UserID: l.OwnerID, Kind: KindLeadAssigned, Link: "/leads/" + l.ID,
		Params: map[string]string{"name": l.name(), "company": l.Company, "id": l.ID}}}, nil
}

// quoteMove is the payload of a quote's workflow events: the quote after
// the move and the step that made it.
type quoteMove struct {
	Quote struct {
		ID        string   `json:"id"`
		Number    string   `json:"number"`
		Name      string   `json:"name"`
		OwnerID   string   `json:"ownerId"`
		State     string   `json:"state"`
		Approvers []string `json:"approvers"`
		Total     struct {
			Minor    int64  `json:"minor"`
			Currency string `json:"currency"`
			Exponent int    `json:"exponent"`
		} `json:"total"`
	} `json:"quote"`
	Step struct {
		By      string `json:"by"`
		Comment string `json:"comment"`
	} `json:"step"`
}

// params are the params of every quote notification.
func (m quoteMove) params() map[string]string {
	q := m.Quote
	total := new(big.Rat).SetFrac(big.NewInt(q.Total.Minor), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(q.Total.Exponent)), nil))
	return map[string]string{"id": q.ID, "number": q.Number, "name": q.Name, "comment": m.Step.Comment,
		"total": total.FloatString(q.Total.Exponent) + " " + q.Total.Currency}
}

// quoteMoved tells a pending level's approvers a quote waits for them, and
// its owner that it was approved or rejected.
func quoteMoved(ev events.Event) ([]Draft, error) {
	var m quoteMove
	if err := decode(ev, &m); err != nil {
		return nil, err
	}
	link := "/quotes/" + m.Quote.ID
	switch {
	case m.Quote.State == "pendingApproval":
		out := make([]Draft, 0, len(m.Quote.Approvers))
		for _, a := range m.Quote.Approvers {
			out = append(out, Draft{UserID: a, Kind: KindApprovalRequired, Link: link, ActorID: m.Step.By, Params: m.params()})
		}
		return out, nil
	case ev.Type == TypeQuoteApproved && m.Quote.State == "approved":
		return []Draft{{UserID: m.Quote.OwnerID, Kind: KindQuoteApproved, Link: link, ActorID: m.Step.By, Params: m.params()}}, nil
	case ev.Type == TypeQuoteRejected:
		return []Draft{{UserID: m.Quote.OwnerID, Kind: KindQuoteRejected, Link: link, ActorID: m.Step.By, Params: m.params()}}, nil
	}
	return nil, nil
}

// opportunityName is an opportunity's name in its event.
func opportunityName(data json.RawMessage) string { return field(data, "name") }

func init() {
	On(TypeLeadAssigned, leadAssigned)
	On(TypeOpportunityUpdated, assignedRule("opportunity", "/opportunities/", opportunityName))
	for _, t := range []string{TypeQuoteSubmitted, TypeQuoteApproved, TypeQuoteRejected} {
		On(t, quoteMoved)
	}
}
