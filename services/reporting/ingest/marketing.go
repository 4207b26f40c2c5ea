package ingest

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// marketingHandlers apply the events of rapport.marketing.v1, by type:
// campaigns' states and contacts' touches of campaigns.
var marketingHandlers = map[string]apply{
	typeCampaignCreated:   applyCampaign,
	typeCampaignUpdated:   applyCampaign,
	typeCampaignDeleted:   applyCampaign,
	typeMessageSent:       applyTouch("sent", func(p touchPayload) time.Time { return p.SentAt }),
	typeMessageOpened:     applyTouch("opened", func(p touchPayload) time.Time { return p.At }),
	typeMessageClicked:    applyTouch("clicked", func(p touchPayload) time.Time { return p.At }),
	typeFormSubmitted:     applyTouch("form", func(p touchPayload) time.Time { return p.SubmittedAt }),
	typeCampaignResponded: applyTouch("responded", func(p touchPayload) time.Time { return p.RespondedAt }),
}

// applyCampaign upserts the campaign a campaign.* event carries, unless a
// newer version is stored; campaign.deleted marks it deleted.
func applyCampaign(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p campaignPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := requireIDs(ev, "id", p.ID); err != nil {
		return err
	}
	return saveCampaign(ctx, tx, gen, p, ev.Type == typeCampaignDeleted)
}

// applyTouch returns the handler of a touch event of kind, at the time
// at reads from its payload: an event that names no contact or no
// campaign is no touch and changes nothing.
func applyTouch(kind string, at func(touchPayload) time.Time) apply {
	return func(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
		var p touchPayload
		if err := decodePayload(ev, &p); err != nil {
			return err
		}
		if p.ContactID == "" || p.CampaignID == "" {
			return nil
		}
		if err := requireIDs(ev, "event id", ev.ID, "contactId", p.ContactID, "campaignId", p.CampaignID); err != nil {
			return err
		}
		t := at(p)
		if t.IsZero() {
			return ErrBadPayload.WithDetail("%s %s: no time of the touch", ev.Type, ev.ID)
		}
		return saveTouch(ctx, tx, gen, ev.ID, p.ContactID, p.CampaignID, kind, p.Channel, t)
	}
}
