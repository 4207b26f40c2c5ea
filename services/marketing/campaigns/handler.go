package campaigns

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
)

// ConsumerGroup is the consumer group of the Handler.
const ConsumerGroup = "marketing-campaigns"

// Contexts are the contexts whose topics the Handler reads: the service's
// own (messages and forms) and sales' (opportunities won).
var Contexts = []string{registry.Marketing, registry.Sales}

// The types of the events that move members; the Handler skips others.
const (
	TypeMessageSent    = "dev.rapport.marketing.message.sent.v1"
	TypeMessageOpened  = "dev.rapport.marketing.message.opened.v1"
	TypeMessageClicked = "dev.rapport.marketing.message.clicked.v1"
	TypeFormSubmitted  = "dev.rapport.marketing.form.submitted.v1"
	TypeOpportunityWon = "dev.rapport.sales.opportunity.won.v1"
)

// moves are the status and source each followed marketing event gives
// the member it names.
var moves = map[string]struct{ status, source string }{
	TypeMessageSent:    {StatusSent, SourceMessageSent},
	TypeMessageOpened:  {StatusOpened, SourceMessageOpened},
	TypeMessageClicked: {StatusClicked, SourceMessageClicked},
	TypeFormSubmitted:  {StatusResponded, SourceFormSubmitted},
}

// touch is what the Handler reads of a message's or a form submission's
// event: the campaign and contact, and when (sentAt, at or submittedAt).
type touch struct {
	CampaignID  string    `json:"campaignId"`
	ContactID   string    `json:"contactId"`
	SentAt      time.Time `json:"sentAt"`
	At          time.Time `json:"at"`
	SubmittedAt time.Time `json:"submittedAt"`
}

// won is what the Handler reads of an opportunity won: its contacts.
type won struct {
	PrimaryContactID string `json:"primaryContactId"`
	ContactRoles     []struct {
		ContactID string `json:"contactId"`
	} `json:"contactRoles"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Handler moves campaigns' members from events: a message sent for a
// campaign makes its contact a member (sent), its open and click raise it
// (opened, clicked), a form submitted for a campaign raises its contact
// to responded, and an opportunity won converts its contacts in every
// campaign they are members of. Events are read tolerantly: one that does
// not parse, or names no campaign or contact the service has, is skipped
// with a log line.
type Handler struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewHandler returns the Handler writing through db.
func NewHandler(db *outbox.DB, logger *slog.Logger) *Handler {
	return &Handler{db: db, logger: logger}
}

// Consumer is the Handler's consumer.
func (h *Handler) Consumer() starter.Consumer {
	return starter.Consumer{Group: ConsumerGroup, Contexts: Contexts, Handler: h.Handle}
}

// Handle is the events.Handler of ConsumerGroup: it applies ev in tx, the
// consumer's transaction of ev's tenant.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	ptx := h.db.With(tx, ev.TenantID)
	if ev.Type == TypeOpportunityWon {
		return h.converted(ctx, ptx, ev)
	}
	move, ok := moves[ev.Type]
	if !ok {
		return nil
	}
	var t touch
	if err := json.Unmarshal(ev.Data, &t); err != nil {
		h.skip(ctx, ev, "the data does not parse", err)
		return nil
	}
	if t.CampaignID == "" {
		return nil
	}
	if !ids.Valid(t.CampaignID) || !ids.Valid(t.ContactID) {
		h.skip(ctx, ev, "no campaign or contact id", nil)
		return nil
	}
	exists, err := campaignExists(ctx, ptx, t.CampaignID)
	if err != nil || !exists {
		if err == nil {
			h.skip(ctx, ev, "no such campaign", nil)
		}
		return err
	}
	_, err = raise(ctx, ptx, t.CampaignID, t.ContactID, move.status, move.source, firstTime(t.SentAt, t.At, t.SubmittedAt, ev.Time))
	return err
}

// converted raises the won opportunity's contacts to converted in every
// campaign they are members of.
func (h *Handler) converted(ctx context.Context, tx *outbox.Tx, ev events.Event) error {
	var w won
	if err := json.Unmarshal(ev.Data, &w); err != nil {
		h.skip(ctx, ev, "the data does not parse", err)
		return nil
	}
	contacts := []string{w.PrimaryContactID}
	for _, r := range w.ContactRoles {
		contacts = append(contacts, r.ContactID)
	}
	at := firstTime(w.UpdatedAt, ev.Time)
	seen := map[string]bool{}
	for _, c := range contacts {
		if !ids.Valid(c) || seen[c] {
			continue
		}
		seen[c] = true
		campaigns, err := memberCampaigns(ctx, tx, c, StatusConverted)
		if err != nil {
			return err
		}
		for _, id := range campaigns {
			if _, err := raise(ctx, tx, id, c, StatusConverted, SourceOpportunityWon, at); err != nil {
				return err
			}
		}
	}
	return nil
}

// skip logs an event the Handler cannot apply.
func (h *Handler) skip(ctx context.Context, ev events.Event, why string, err error) {
	h.logger.WarnContext(ctx, "campaigns: event skipped", "why", why, "error", err, "type", ev.Type, "event_id", ev.ID,
		"tenant", ev.TenantID)
}

// firstTime is the first of times that is set.
func firstTime(times ...time.Time) time.Time {
	for _, t := range times {
		if !t.IsZero() {
			return t
		}
	}
	return time.Now()
}
