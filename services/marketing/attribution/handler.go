package attribution

import (
	"context"
	"log/slog"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/attribution"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
)

// The consumer groups of the Handler: touches from the service's own
// topic, opportunities and leads from sales'.
const (
	TouchesGroup = "marketing-attribution-touches"
	SalesGroup   = "marketing-attribution-sales"
)

// The contexts whose topics each group reads.
var (
	TouchesContexts = []string{registry.Marketing}
	SalesContexts   = []string{registry.Sales}
)

// Handler keeps touches, sales' opportunities and leads, and the credits
// of each won opportunity under every model, in the consumer's
// transaction (with its inbox insert: a redelivered event is skipped).
// Events are read tolerantly: one that does not parse is skipped with a
// log line, never retried.
type Handler struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewHandler returns the Handler writing through db.
func NewHandler(db *outbox.DB, logger *slog.Logger) *Handler {
	return &Handler{db: db, logger: logger}
}

// HandleTouch is the events.Handler of TouchesGroup: a message of a
// campaign sent, opened or clicked, or a form of a campaign submitted, by
// a contact, is a touch; the wins it counts for are credited again.
func (h *Handler) HandleTouch(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	t, ok, err := touchOf(ev)
	if err != nil {
		h.skip(ctx, ev, err)
		return nil
	}
	if !ok {
		return nil
	}
	return h.touch(ctx, h.db.With(tx, ev.TenantID), t)
}

// HandleSales is the events.Handler of SalesGroup: an opportunity's
// events keep its state, and its credits when it is won (removed when it
// is reopened, lost or deleted); a lead's keep its campaign, and its
// conversion into a contact is a touch of that campaign.
func (h *Handler) HandleSales(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	ptx := h.db.With(tx, ev.TenantID)
	o, ok, err := opportunityOf(ev)
	if ok {
		return h.opportunity(ctx, ptx, o)
	}
	if err != nil {
		h.skip(ctx, ev, err)
		return nil
	}
	l, ok, err := leadOf(ev)
	if err != nil {
		h.skip(ctx, ev, err)
		return nil
	}
	if !ok {
		return nil
	}
	if err := saveLead(ctx, ptx, l); err != nil {
		return err
	}
	if t, ok := conversionTouch(ev, l); ok {
		return h.touch(ctx, ptx, t)
	}
	return nil
}

// touch stores t and credits again the wins it counts for.
func (h *Handler) touch(ctx context.Context, tx *outbox.Tx, t Touch) error {
	if err := lockTenant(ctx, tx); err != nil {
		return err
	}
	added, err := addTouch(ctx, tx, t)
	if err != nil || !added {
		return err
	}
	won, err := wonAfter(ctx, tx, t.ContactID, t.At)
	if err != nil {
		return err
	}
	if len(won) > 0 {
		h.logger.DebugContext(ctx, "a late touch: its won opportunities credited again", "opportunities", won, "touch", t.ID)
	}
	return recredit(ctx, tx, won)
}

// opportunity stores o, unless a later version is stored, and credits it
// again.
func (h *Handler) opportunity(ctx context.Context, tx *outbox.Tx, o Opportunity) error {
	if err := lockTenant(ctx, tx); err != nil {
		return err
	}
	saved, err := saveOpportunity(ctx, tx, o)
	if err != nil || !saved {
		return err
	}
	return credit(ctx, tx, o)
}

// credit writes the credits of o under every model: its amount split over
// the campaigns of its contacts' touches in the attribution.Lookback before its close;
// none unless it is won.
func credit(ctx context.Context, tx *outbox.Tx, o Opportunity) error {
	var credits []attribution.Credit
	if o.won() && len(o.ContactIDs) > 0 {
		campaigns, err := campaignsTouched(ctx, tx, o.ContactIDs, o.Closed.Add(-attribution.Lookback), *o.Closed)
		if err != nil {
			return err
		}
		if credits, err = attribution.Credits(campaigns, *o.Minor); err != nil {
			return err
		}
	}
	return saveCredits(ctx, tx, o, credits)
}

// recredit credits the opportunities ids again.
func recredit(ctx context.Context, tx *outbox.Tx, ids []string) error {
	for _, id := range ids {
		o, err := loadOpportunity(ctx, tx, id)
		if err == nil {
			err = credit(ctx, tx, o)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// skip logs ev, whose data could not be read, as skipped.
func (h *Handler) skip(ctx context.Context, ev events.Event, err error) {
	h.logger.WarnContext(ctx, "attribution: event skipped, its data unreadable", "type", ev.Type, "id", ev.ID, "error", err)
}
