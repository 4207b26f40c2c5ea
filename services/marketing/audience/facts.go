package audience

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
)

// FactsGroup is the consumer group of the Facts on the service's own topic.
const FactsGroup = "marketing-audience-facts"

// FactsContexts are the contexts whose topics the Facts read.
var FactsContexts = []string{registry.Marketing}

// The types of the service's events the Facts follow.
const (
	typeMessageSent         = "dev.rapport.marketing.message.sent.v1"
	typeMessageOpened       = "dev.rapport.marketing.message.opened.v1"
	typeMessageClicked      = "dev.rapport.marketing.message.clicked.v1"
	typeFormSubmitted       = "dev.rapport.marketing.form.submitted.v1"
	typeCampaignMemberAdded = "dev.rapport.marketing.campaign_member.added.v1"
)

// fact is what the Facts read of those events: the contact, the campaign
// and when it happened (at, or sentAt, or submittedAt).
type fact struct {
	ContactID   string     `json:"contactId"`
	CampaignID  string     `json:"campaignId"`
	At          *time.Time `json:"at"`
	SentAt      *time.Time `json:"sentAt"`
	SubmittedAt *time.Time `json:"submittedAt"`
}

// when is the time of f, else fallback.
func (f fact) when(fallback time.Time) time.Time {
	for _, t := range []*time.Time{f.At, f.SentAt, f.SubmittedAt} {
		if t != nil {
			return t.UTC()
		}
	}
	return fallback.UTC()
}

// Facts keep the marketing facts on the audience's contacts (last open,
// click and form submission, the campaigns they are in) from the
// service's own events, and re-evaluate the tenant's dynamic segments for
// a contact whose facts changed. Events it cannot read are skipped with a
// log line: they are the service's own, and the audience is not where
// they are checked.
type Facts struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
}

// NewFacts returns the Facts writing through db.
func NewFacts(db *outbox.DB, logger *slog.Logger) *Facts {
	return &Facts{db: db, logger: logger, now: time.Now}
}

// Handle is the events.Handler of FactsGroup.
func (h *Facts) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	var column string
	switch ev.Type {
	case typeMessageOpened:
		column = "last_opened_at"
	case typeMessageClicked:
		column = "last_clicked_at"
	case typeFormSubmitted:
		column = "last_submitted_at"
	case typeMessageSent, typeCampaignMemberAdded:
	default:
		return nil
	}
	var f fact
	if err := json.Unmarshal(ev.Data, &f); err != nil || !ids.Valid(f.ContactID) || (f.CampaignID != "" && !ids.Valid(f.CampaignID)) {
		h.logger.WarnContext(ctx, "audience: an event without a readable contact skipped", "event_id", ev.ID, "type", ev.Type)
		return nil
	}
	ptx := h.db.With(tx, ev.TenantID)
	changed := false
	if column != "" {
		c, err := setLatest(ctx, ptx, f.ContactID, column, f.when(ev.Time))
		if err != nil {
			return err
		}
		changed = c
	}
	if f.CampaignID != "" {
		c, err := addCampaign(ctx, ptx, f.ContactID, f.CampaignID)
		if err != nil {
			return err
		}
		changed = changed || c
	}
	if !changed {
		return nil
	}
	return reevaluate(ctx, ptx, f.ContactID, h.now().UTC())
}
