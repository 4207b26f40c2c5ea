// Package marketingevents creates leads from the marketing service's
// events on rapport.marketing.v1 (issue 15, point 1): a form submitted
// and a response to a campaign. Marketing does not exist yet, so its
// events are read tolerantly, in the shape Submission documents: an event
// that does not parse, that names no one, or whose values cannot make a
// lead is skipped with a log line, never retried or dead-lettered. A lead
// is created through the leads' own create path (leads.CreateKnownIn:
// its checks, custom fields, score and assignment rules, lead.created) in
// the consumer's transaction, which also records the event in the inbox,
// so a redelivered event creates nothing; a person already a live lead of
// the tenant (the same email or phone) gets no second one. The Handler is
// the service's one consumer of marketing's topic, in the consumer group
// leads.MarketingGroup: what else reads marketing's events (leads' behaviour scoring,
// Behaviours.HandleMarketing) observes every event after it, in the same
// transaction, and so sees the lead it made.
package marketingevents

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/sales/leads"
)

// The types of marketing's events the Handler makes leads of; it skips
// others.
const (
	TypeFormSubmitted     = "dev.rapport.marketing.form.submitted.v1"
	TypeCampaignResponded = "dev.rapport.marketing.campaign.responded.v1"
)

// The sources of the leads made of each type when the event names none.
const (
	SourceForm     = "web form"
	SourceCampaign = "campaign"
)

// Submission is what the Handler reads of either event's data: the
// person's names, company, title, email and phone, the campaign (a UUID)
// and the form, and the lead's source; a leadId (a UUID) says the person
// is that lead already, and nothing is created. Other fields are ignored
// (leads' scoring reads submittedAt and openedAt). A field
// whose value a lead cannot take (an email that is no address, a national
// phone number, a campaignId that is no UUID…) is left out rather than
// losing the lead; one without a name, a company, an email or a phone
// makes none.
type Submission struct {
	LeadID     string `json:"leadId"`
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	Company    string `json:"company"`
	Title      string `json:"title"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	CampaignID string `json:"campaignId"`
	FormID     string `json:"formId"`
	Source     string `json:"source"`
}

// Handler makes leads of marketing's events, then hands every event to
// its observers.
type Handler struct {
	db        *outbox.DB
	logger    *slog.Logger
	now       func() time.Time
	observers []events.Handler
}

// NewHandler returns the Handler writing through db, handing each event
// after its own work to observers, in the order given, in the same
// transaction.
func NewHandler(db *outbox.DB, logger *slog.Logger, observers ...events.Handler) *Handler {
	return &Handler{db: db, logger: logger, now: time.Now, observers: observers}
}

// Handle is the events.Handler of marketing's topic: in tx, the consumer's
// transaction of ev's tenant, it creates the lead ev submits (leads), then
// runs the observers. An error is the database's or an observer's, and
// the event is then retried.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	if err := h.leads(ctx, tx, ev); err != nil {
		return err
	}
	for _, o := range h.observers {
		if err := o(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// leads creates the lead ev submits, if it is of a type that makes leads
// and names someone no live lead of the tenant is yet.
func (h *Handler) leads(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	source := map[string]string{TypeFormSubmitted: SourceForm, TypeCampaignResponded: SourceCampaign}[ev.Type]
	if source == "" {
		return nil
	}
	s, err := decode(ev.Data)
	if err != nil {
		h.skip(ctx, ev, "the data is no JSON object", err)
		return nil
	}
	if ids.Valid(s.LeadID) {
		return nil
	}
	if s.Source == "" {
		s.Source = source
	}
	id, created, err := h.create(ctx, h.db.With(tx, ev.TenantID), ev, s)
	var bad *errs.Error
	switch {
	case errors.As(err, &bad) && bad.Kind == errs.Invalid:
		h.skip(ctx, ev, "the submission makes no lead", err)
		return nil
	case err != nil:
		return err
	}
	h.logger.InfoContext(ctx, "marketing event applied", "event_id", ev.ID, "type", ev.Type, "tenant", ev.TenantID,
		"lead_id", id, "created", created, "form_id", s.FormID)
	return nil
}

// create creates the lead of s, leaving out once the fields a first try
// names as invalid (fieldsOf) when they are the submission's own.
func (h *Handler) create(ctx context.Context, tx *outbox.Tx, ev events.Event, s Submission) (string, bool, error) {
	id, created, err := leads.CreateKnownIn(ctx, tx, ev.TenantID, s.lead(), h.now())
	var bad *errs.Error
	if !errors.As(err, &bad) || bad.Kind != errs.Invalid || len(bad.Fields) == 0 {
		return id, created, err
	}
	fields := fieldsOf(&s)
	for _, f := range bad.Fields {
		p, ok := fields[f.Field]
		if !ok {
			return id, created, err
		}
		*p = ""
	}
	h.logger.InfoContext(ctx, "marketing event's invalid fields left out", "event_id", ev.ID, "type", ev.Type, "error", err.Error())
	return leads.CreateKnownIn(ctx, tx, ev.TenantID, s.lead(), h.now())
}

// decode reads a Submission from data, a JSON object; a field that is not
// a string is left out, as one whose value a lead cannot take is.
func decode(data []byte) (Submission, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return Submission{}, err
	}
	var s Submission
	fields := fieldsOf(&s)
	fields["leadId"], fields["formId"] = &s.LeadID, &s.FormID
	for key, raw := range obj {
		if p, ok := fields[key]; ok {
			_ = json.Unmarshal(raw, p) // not a string: left out
		}
	}
	return s, nil
}

// fieldsOf maps the lead's fields a submission fills to s's.
func fieldsOf(s *Submission) map[string]*string {
	return map[string]*string{"firstName": &s.FirstName, "lastName": &s.LastName, "company": &s.Company, "title": &s.Title,
		"email": &s.Email, "phone": &s.Phone, "campaignId": &s.CampaignID, "source": &s.Source}
}

// lead is the Lead s submits; a campaignId that is no UUID is left out.
func (s Submission) lead() *leads.Lead {
	l := &leads.Lead{FirstName: s.FirstName, LastName: s.LastName, Company: s.Company, Title: s.Title,
		Email: strings.TrimSpace(s.Email), Phone: s.Phone, Source: s.Source}
	if ids.Valid(s.CampaignID) {
		l.CampaignID = s.CampaignID
	}
	return l
}

// skip logs ev as skipped, and why.
func (h *Handler) skip(ctx context.Context, ev events.Event, why string, err error) {
	attrs := []any{"event_id", ev.ID, "type", ev.Type, "tenant", ev.TenantID, "reason", why}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	h.logger.WarnContext(ctx, "marketing event skipped", attrs...)
}
