package cases

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
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
	"github.com/rapport-crm/rapport/libs/registry"
)

// ContactsGroup is the consumer group of the Contacts handler; it reads
// ContactsContexts' topics.
const ContactsGroup = "support-cases-contacts"

// ContactsContexts are the contexts whose events Contacts follows.
var ContactsContexts = []string{registry.Contacts}

// The types of the contacts service's events Contacts applies; it skips
// others.
const (
	TypeContactMerged = "dev.rapport.contacts.contact.merged.v1"
	TypeAccountMerged = "dev.rapport.contacts.account.merged.v1"
	TypeContactErased = "dev.rapport.contacts.contact.erased.v1"
)

// errMalformed is an event Contacts applies whose payload is not what
// contacts' schema says: it fails every attempt and goes to the
// dead-letter topic rather than being dropped.
var errMalformed = errors.New("malformed payload")

// Contacts follows the contacts service's records that cases name: a
// merged contact's or account's cases name the survivor; an erased
// contact's cases lose their contactId, and the customer's entries of
// their threads their author's email and name (the bodies stay: they are
// the case's record). Each change is the case's case.updated, in the
// consumer's transaction with its inbox row.
type Contacts struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewContacts returns the Contacts handler writing through db.
func NewContacts(db *outbox.DB, logger *slog.Logger) *Contacts {
	return &Contacts{db: db, logger: logger}
}

// Handle is the events.Handler of ContactsGroup.
func (h *Contacts) Handle(ctx context.Context, sqlTx *sqlx.Tx, ev events.Event) error {
	tx := h.db.With(sqlTx, ev.TenantID)
	var err error
	switch ev.Type {
	case TypeContactMerged, TypeAccountMerged:
		var m struct {
			Winner struct {
				ID string `json:"id"`
			} `json:"winner"`
			LoserID string `json:"loserId"`
		}
		if err = json.Unmarshal(ev.Data, &m); err != nil || !ids.Valid(m.Winner.ID) || !ids.Valid(m.LoserID) || m.Winner.ID == m.LoserID {
			return fmt.Errorf("%s %s: %w: winner.id and loserId must be two UUIDs", ev.Type, ev.ID, errMalformed)
		}
		column := "contact_id"
		if ev.Type == TypeAccountMerged {
			column = "account_id"
		}
		err = repoint(ctx, tx, column, m.LoserID, m.Winner.ID)
	case TypeContactErased:
		var e struct {
			ID string `json:"id"`
		}
		if err = json.Unmarshal(ev.Data, &e); err != nil || !ids.Valid(e.ID) {
			return fmt.Errorf("%s %s: %w: id must be a UUID", ev.Type, ev.ID, errMalformed)
		}
		if err = eraseAuthors(ctx, tx, e.ID); err == nil {
			err = repoint(ctx, tx, "contact_id", e.ID, "")
		}
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", ev.Type, ev.ID, err)
	}
	h.logger.InfoContext(ctx, "contacts event applied to cases", "event_id", ev.ID, "type", ev.Type, "tenant", ev.TenantID)
	return nil
}

// repoint makes every case whose column (contact_id or account_id) names
// from name to instead ("" for none): a live case through ChangeIn, a
// deleted one silently.
func repoint(ctx context.Context, tx *outbox.Tx, column, from, to string) error {
	var live []string
	if err := tx.SQL().SelectContext(ctx, &live, "SELECT id FROM cases WHERE "+column+" = $1 AND deleted_at IS NULL ORDER BY id", from); err != nil {
		return fmt.Errorf("find cases of %s: %w", column, pg.MapError(err))
	}
	for _, id := range live {
		if _, err := ChangeIn(ctx, tx, id, func(c *Case) error {
			if column == "contact_id" {
				c.ContactID = to
			} else {
				c.AccountID = to
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE cases SET "+column+" = $2 WHERE "+column+" = $1 AND deleted_at IS NOT NULL",
		from, pgrecord.OrNull(to)); err != nil {
		return fmt.Errorf("repoint deleted cases: %w", pg.MapError(err))
	}
	return nil
}
