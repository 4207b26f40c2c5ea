// Package contactevents is what a service consumes of the contacts
// service's events on rapport.contacts.v1: a contact or an account merged
// into another, and a contact erased; and activities logged, changed,
// completed or deleted. It reads their payloads as contacts' api/events
// schemas give them and hands each to the service's contexts holding
// references to contacts' records (Referrer) or following activities
// (ActivityObserver), in the consumer's transaction, which also records
// the event in the inbox: a redelivered event is skipped, and one
// message's changes are all written or none. Each service runs the Handler
// in a consumer group of its own (sales: sales-contacts; support:
// support-cases-contacts).
package contactevents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
)

// Contexts are the contexts whose topics the Handler reads.
var Contexts = []string{registry.Contacts}

// The types of the contacts events the Handler applies; it skips others.
const (
	TypeContactMerged = "dev.rapport.contacts.contact.merged.v1"
	TypeAccountMerged = "dev.rapport.contacts.account.merged.v1"
	TypeContactErased = "dev.rapport.contacts.contact.erased.v1"
	// A contact's lifecycle events, each carrying its full state (support's
	// customers package follows them; the Handler does not).
	TypeContactCreated  = "dev.rapport.contacts.contact.created.v1"
	TypeContactUpdated  = "dev.rapport.contacts.contact.updated.v1"
	TypeContactDeleted  = "dev.rapport.contacts.contact.deleted.v1"
	TypeContactRestored = "dev.rapport.contacts.contact.restored.v1"
	// The activity events, each carrying the activity's full state.
	TypeActivityCreated   = "dev.rapport.contacts.activity.created.v1"
	TypeActivityUpdated   = "dev.rapport.contacts.activity.updated.v1"
	TypeActivityCompleted = "dev.rapport.contacts.activity.completed.v1"
	TypeActivityDeleted   = "dev.rapport.contacts.activity.deleted.v1"
)

// Referrer is a context of a service that names contacts' records (sales'
// deals.References and leads.References, support's cases.References),
// given to NewHandler. Each method runs in tx, a transaction of
// the event's tenant, and publishes its changes through tx's outbox; an
// error rolls back the whole event, which is then retried.
type Referrer interface {
	// MergeContact re-points what names the contact loser to winner.
	MergeContact(ctx context.Context, tx *outbox.Tx, winner, loser string) error
	// MergeAccount re-points what names the account loser to winner.
	MergeAccount(ctx context.Context, tx *outbox.Tx, winner, loser string) error
	// EraseContact erases what the context holds of the contact id.
	EraseContact(ctx context.Context, tx *outbox.Tx, id string) error
}

// errMalformed is an event of a type the Handler applies whose payload is
// not what contacts' schema says: it fails every attempt and goes to the
// dead-letter topic, where an operator sees it, rather than being dropped.
var errMalformed = errors.New("malformed payload")

// Handler applies contacts' merges and erasures to the Referrers and
// hands their activities to the ActivityObservers.
type Handler struct {
	db        *outbox.DB
	logger    *slog.Logger
	referrers []Referrer
	observers []ActivityObserver
}

// NewHandler returns the Handler writing through db, with the referrers
// in the order they are given.
func NewHandler(db *outbox.DB, logger *slog.Logger, referrers ...Referrer) *Handler {
	return &Handler{db: db, logger: logger, referrers: referrers}
}

// WithActivities has h hand every activity event to observers too, in
// the order they are given, and returns h.
func (h *Handler) WithActivities(observers ...ActivityObserver) *Handler {
	h.observers = append(h.observers, observers...)
	return h
}

// merged is the payload of contact.merged and account.merged: the
// winner's full state (only its id read here) and the loser's id.
type merged struct {
	Winner struct {
		ID string `json:"id"`
	} `json:"winner"`
	LoserID string `json:"loserId"`
}

// erased is the payload of contact.erased.
type erased struct {
	ID string `json:"id"`
}

// Handle is the events.Handler of the service's consumer group: it applies ev to every
// Referrer in tx, skips an event of another type, and fails on a
// malformed payload (errMalformed).
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	ptx := h.db.With(tx, ev.TenantID)
	var apply func(Referrer) error
	switch ev.Type {
	case TypeContactMerged, TypeAccountMerged:
		var m merged
		if err := decode(ev, &m); err != nil {
			return err
		}
		if !ids.Valid(m.Winner.ID) || !ids.Valid(m.LoserID) || m.Winner.ID == m.LoserID {
			return fmt.Errorf("%s %s: %w: winner.id and loserId must be two UUIDs", ev.Type, ev.ID, errMalformed)
		}
		apply = func(r Referrer) error { return r.MergeContact(ctx, ptx, m.Winner.ID, m.LoserID) }
		if ev.Type == TypeAccountMerged {
			apply = func(r Referrer) error { return r.MergeAccount(ctx, ptx, m.Winner.ID, m.LoserID) }
		}
	case TypeContactErased:
		var e erased
		if err := decode(ev, &e); err != nil {
			return err
		}
		if !ids.Valid(e.ID) {
			return fmt.Errorf("%s %s: %w: id must be a UUID", ev.Type, ev.ID, errMalformed)
		}
		apply = func(r Referrer) error { return r.EraseContact(ctx, ptx, e.ID) }
	case TypeActivityCreated, TypeActivityUpdated, TypeActivityCompleted, TypeActivityDeleted:
		return h.activity(ctx, ptx, ev)
	default:
		return nil
	}
	for _, r := range h.referrers {
		if err := apply(r); err != nil {
			return fmt.Errorf("%s %s: %w", ev.Type, ev.ID, err)
		}
	}
	h.logger.InfoContext(ctx, "contacts event applied", "event_id", ev.ID, "type", ev.Type, "tenant", ev.TenantID)
	return nil
}

// decode reads ev's payload into v.
func decode(ev events.Event, v any) error {
	if err := json.Unmarshal(ev.Data, v); err != nil {
		return fmt.Errorf("%s %s: %w: %v", ev.Type, ev.ID, errMalformed, err)
	}
	return nil
}
