package journeys

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
)

// ConsumerGroup is the consumer group of the Handler.
const ConsumerGroup = "marketing-journeys"

// Contexts are the contexts whose topics the Handler reads: the service's
// own.
var Contexts = []string{registry.Marketing}

// typePrefix and typeSuffix frame the name of an event of the service
// ("segment.entered") in its type.
const (
	typePrefix = "dev.rapport.marketing."
	typeSuffix = ".v1"
)

// named is what the Handler reads of an event: the contact it names and
// the segment, form or campaign.
type named struct {
	ContactID  string `json:"contactId"`
	SegmentID  string `json:"segmentId"`
	FormID     string `json:"formId"`
	CampaignID string `json:"campaignId"`
}

// Handler enrols contacts on the events of the service's topic that
// trigger active journeys (segment.entered, form.submitted, an event
// trigger's event), and converts the active enrolments of the contact an
// event names that reached their journey's goal. Journeys' own events
// and events naming no contact are passed over; one that does not parse
// is skipped with a log line.
type Handler struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
}

// NewHandler returns the Handler writing through db.
func NewHandler(db *outbox.DB, logger *slog.Logger) *Handler {
	return &Handler{db: db, logger: logger, now: time.Now}
}

// Consumer is the Handler's consumer.
func (h *Handler) Consumer() starter.Consumer {
	return starter.Consumer{Group: ConsumerGroup, Contexts: Contexts, Handler: h.Handle}
}

// Handle is the events.Handler of ConsumerGroup: it applies ev in tx, the
// consumer's transaction of ev's tenant.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	name, ok := strings.CutPrefix(ev.Type, typePrefix)
	name, suffixed := strings.CutSuffix(name, typeSuffix)
	if !ok || !suffixed || strings.HasPrefix(name, "journey.") {
		return nil
	}
	var d named
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		h.logger.WarnContext(ctx, "marketing journeys: event skipped: the data does not parse", "event", ev.ID, "type", ev.Type,
			"error", err.Error())
		return nil
	}
	if !ids.Valid(d.ContactID) {
		return nil
	}
	ptx, now := h.db.With(tx, ev.TenantID), h.now()
	if err := h.goals(ctx, ptx, d.ContactID, now); err != nil {
		return err
	}
	js, err := h.triggered(ctx, ptx, name, d)
	if err != nil {
		return err
	}
	for _, j := range js {
		if err := enrol(ctx, ptx, j, d.ContactID, now); err != nil {
			return err
		}
	}
	return nil
}

// triggered is the active journeys the event name with data d triggers.
func (h *Handler) triggered(ctx context.Context, tx *outbox.Tx, name string, d named) ([]Journey, error) {
	var out []Journey
	switch {
	case name == "segment.entered" && ids.Valid(d.SegmentID):
		js, err := triggered(ctx, tx, TriggerSegmentEntered, "segmentId", d.SegmentID)
		if err != nil {
			return nil, err
		}
		out = append(out, js...)
	case name == "form.submitted" && ids.Valid(d.FormID):
		js, err := triggered(ctx, tx, TriggerFormSubmitted, "formId", d.FormID)
		if err != nil {
			return nil, err
		}
		out = append(out, js...)
	}
	js, err := triggered(ctx, tx, TriggerEvent, "event", name)
	if err != nil {
		return nil, err
	}
	for _, j := range js {
		if j.Trigger.CampaignID == "" || j.Trigger.CampaignID == d.CampaignID {
			out = append(out, j)
		}
	}
	return out, nil
}

// goals converts the contact's active enrolments whose journey's goal it
// has reached.
func (h *Handler) goals(ctx context.Context, tx *outbox.Tx, contact string, now time.Time) error {
	es, err := activeEnrolments(ctx, tx, "", contact)
	if err != nil {
		return err
	}
	for _, e := range es {
		j, err := getJourney(ctx, tx, e.JourneyID, false)
		if err != nil {
			return err
		}
		met, err := goalMet(ctx, tx, j, contact)
		if err != nil {
			return err
		}
		if met {
			if err := end(ctx, tx, e, EnrolmentConverted, "goal", now); err != nil {
				return err
			}
		}
	}
	return nil
}
