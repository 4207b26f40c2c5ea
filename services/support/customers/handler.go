package customers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// errMalformed is a followed event whose payload is not what contacts'
// schema says: it fails every attempt and goes to the dead-letter topic,
// where an operator sees it, rather than being dropped.
var errMalformed = errors.New("malformed payload")

// contact is what the Handler reads of a contact's full state.
type contact struct {
	ID        string     `json:"id"`
	Version   int64      `json:"version"`
	AccountID string     `json:"accountId"`
	DeletedAt *time.Time `json:"deletedAt"`
	ErasedAt  *time.Time `json:"erasedAt"`
	Emails    []struct {
		Address string `json:"address"`
	} `json:"emails"`
}

// merged is the payload of contact.merged (the winner's full state) and
// of account.merged (only the winner's id read).
type merged struct {
	Winner  contact `json:"winner"`
	LoserID string  `json:"loserId"`
}

// erased is the payload of contact.erased.
type erased struct {
	ID string `json:"id"`
}

// Handler keeps the tenant's copy of contacts' addresses and accounts
// from contacts' events.
type Handler struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewHandler returns the Handler writing through db.
func NewHandler(db *outbox.DB, logger *slog.Logger) *Handler {
	return &Handler{db: db, logger: logger}
}

// Handle is the events.Handler of ConsumerGroup: it applies ev in tx,
// skips an event of another type, and fails on a malformed payload.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	ptx := h.db.With(tx, ev.TenantID)
	var err error
	switch ev.Type {
	case contactevents.TypeContactCreated, contactevents.TypeContactUpdated, contactevents.TypeContactDeleted, contactevents.TypeContactRestored:
		var c contact
		if err = decode(ev, &c); err == nil {
			err = h.keep(ctx, ptx, ev, c)
		}
	case contactevents.TypeContactMerged:
		var m merged
		if err = decode(ev, &m); err == nil && (!ids.Valid(m.LoserID) || m.LoserID == m.Winner.ID) {
			err = fmt.Errorf("%s %s: %w: loserId must be another UUID", ev.Type, ev.ID, errMalformed)
		}
		if err == nil {
			err = h.keep(ctx, ptx, ev, m.Winner)
		}
		if err == nil {
			err = retire(ctx, ptx, m.LoserID)
		}
	case contactevents.TypeContactErased:
		var e erased
		if err = decode(ev, &e); err == nil && !ids.Valid(e.ID) {
			err = fmt.Errorf("%s %s: %w: id must be a UUID", ev.Type, ev.ID, errMalformed)
		}
		if err == nil {
			err = retire(ctx, ptx, e.ID)
		}
	case contactevents.TypeAccountMerged:
		var m merged
		if err = decode(ev, &m); err == nil && (!ids.Valid(m.Winner.ID) || !ids.Valid(m.LoserID) || m.Winner.ID == m.LoserID) {
			err = fmt.Errorf("%s %s: %w: winner.id and loserId must be two UUIDs", ev.Type, ev.ID, errMalformed)
		}
		if err == nil {
			err = moveAccount(ctx, ptx, m.Winner.ID, m.LoserID)
		}
	default:
		return nil
	}
	return err
}

// keep stores c's state from ev unless a later version is kept already.
func (h *Handler) keep(ctx context.Context, tx *outbox.Tx, ev events.Event, c contact) error {
	if !ids.Valid(c.ID) || c.Version < 1 || (c.AccountID != "" && !ids.Valid(c.AccountID)) {
		return fmt.Errorf("%s %s: %w: a contact needs a UUID id, a version and a UUID accountId if any", ev.Type, ev.ID, errMalformed)
	}
	if c.ErasedAt != nil {
		return retire(ctx, tx, c.ID)
	}
	live := c.DeletedAt == nil
	var addresses []string
	if live {
		for _, e := range c.Emails {
			if a := normalize(e.Address); a != "" {
				addresses = append(addresses, a)
			}
		}
	}
	kept, err := upsert(ctx, tx, c.ID, c.AccountID, c.Version, live, addresses)
	if err == nil && !kept {
		h.logger.DebugContext(ctx, "customers: an earlier version of a contact skipped", "event_id", ev.ID, "contact", c.ID)
	}
	return err
}

// decode reads ev's payload into v.
func decode(ev events.Event, v any) error {
	if err := json.Unmarshal(ev.Data, v); err != nil {
		return fmt.Errorf("%s %s: %w: %v", ev.Type, ev.ID, errMalformed, err)
	}
	return nil
}
