package leads

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
)

// Behaviours records what leads do for behaviour rules, from other
// contexts' events, each in its consumer's transaction, and scores the
// leads concerned again (lead.updated when their score moves): contacts'
// activities related to a lead (a contactevents.ActivityObserver) and
// marketing's form submissions and email opens (HandleMarketing).
type Behaviours struct {
	store  *Store
	logger *slog.Logger
}

// NewBehaviours returns the Behaviours writing through store.
func NewBehaviours(store *Store, logger *slog.Logger) *Behaviours {
	return &Behaviours{store: store, logger: logger}
}

// Activity implements contactevents.ActivityObserver: an activity counts
// for the leads it is related to, by its type, once however often it
// changes; a deleted one counts no more, nor for a lead it is no longer
// related to.
func (b *Behaviours) Activity(ctx context.Context, tx *outbox.Tx, verb string, a contactevents.Activity) error {
	leadIDs := a.RelatedIDs(registry.Sales, "lead")
	if verb == contactevents.ActivityDeleted {
		leadIDs = nil
	}
	return recordBehaviour(ctx, tx, EventActivity, a.ID, a.Type, a.OccurredAt, leadIDs)
}

// MarketingGroup is the consumer group of HandleMarketing, and
// MarketingContexts the contexts whose topics it reads.
const MarketingGroup = "sales-marketing"

// MarketingContexts are the contexts whose topics HandleMarketing reads.
var MarketingContexts = []string{registry.Marketing}

// The types of marketing's events behaviour rules count.
const (
	TypeFormSubmitted = "dev.rapport.marketing.form.submitted.v1"
	TypeEmailOpened   = "dev.rapport.marketing.message.opened.v1"
)

// marketingEvent is what HandleMarketing reads of a form submission or a
// message's open (README, "Lead scoring"): the lead, by leadId or else by
// email (a form's) or address (an opened message's, on its channel); the
// form or the campaign; when it happened (a form's submittedAt, an open's
// at). Other fields are ignored.
type marketingEvent struct {
	LeadID      string    `json:"leadId"`
	Email       string    `json:"email"`
	Address     string    `json:"address"`
	Channel     string    `json:"channel"`
	FormID      string    `json:"formId"`
	CampaignID  string    `json:"campaignId"`
	SubmittedAt time.Time `json:"submittedAt"`
	At          time.Time `json:"at"`
}

// HandleMarketing is the events.Handler of MarketingGroup. It reads
// marketing's events tolerantly: a form.submitted or an email's
// message.opened naming a lead of the tenant by leadId, or the live
// leads having its email, counts for them once (by the event's id); one
// that does not parse or names no lead is skipped, as are other types.
func (b *Behaviours) HandleMarketing(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	var event, detail string
	var m marketingEvent
	if err := json.Unmarshal(ev.Data, &m); err != nil {
		b.logger.InfoContext(ctx, "marketing event skipped", "event_id", ev.ID, "type", ev.Type, "error", err)
		return nil
	}
	at := ev.Time
	switch ev.Type {
	case TypeFormSubmitted:
		event, detail = EventFormSubmitted, m.FormID
		if !m.SubmittedAt.IsZero() {
			at = m.SubmittedAt
		}
	case TypeEmailOpened:
		if m.Channel != "" && m.Channel != "email" {
			return nil
		}
		event, detail = EventEmailOpened, m.CampaignID
		if m.Email == "" {
			m.Email = m.Address
		}
		if !m.At.IsZero() {
			at = m.At
		}
	default:
		return nil
	}
	ptx := b.store.db.With(tx, ev.TenantID)
	leadIDs, err := marketingLeads(ctx, ptx, m)
	if err != nil || len(leadIDs) == 0 {
		return err
	}
	if at.IsZero() {
		at = time.Now()
	}
	return recordBehaviour(ctx, ptx, event, ev.ID, detail, at, leadIDs)
}

// marketingLeads are the leads m names: its leadId when a UUID, else the
// live, unconverted leads with its email (regardless of case).
func marketingLeads(ctx context.Context, tx *outbox.Tx, m marketingEvent) ([]string, error) {
	if ids.Valid(m.LeadID) {
		return []string{m.LeadID}, nil
	}
	email := strings.ToLower(strings.TrimSpace(m.Email))
	if email == "" {
		return nil, nil
	}
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT id FROM leads WHERE email_key = $1 AND deleted_at IS NULL AND status <> 'converted'
		ORDER BY id LIMIT $2`, email, maxDuplicates); err != nil {
		return nil, pg.MapError(err)
	}
	return out, nil
}
