package records

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// UnsubscribesGroup is the consumer group of marketing's unsubscribes.
const UnsubscribesGroup = "contacts-marketing-unsubscribes"

// UnsubscribesContexts are the contexts whose topics Unsubscribes reads.
var UnsubscribesContexts = []string{registry.Marketing}

// TypeUnsubscribed is marketing's event of a contact unsubscribing from a
// channel (a one-click unsubscribe, the unsubscribe or preference page, a
// complaint).
const TypeUnsubscribed = "dev.rapport.marketing.contact.unsubscribed.v1"

// ConsentUnsubscribed is the cause of the consent history's entries an
// unsubscribe makes; SourceUnsubscribe the consent's source.
const (
	ConsentUnsubscribed = "unsubscribed"
	SourceUnsubscribe   = "unsubscribe"
)

// marketingUser is who changes a contact's consent on an unsubscribe
// (updatedBy of the history's entry).
const marketingUser = "marketing"

// unsubscribedData is what Unsubscribes reads of contact.unsubscribed.
type unsubscribedData struct {
	ContactID string    `json:"contactId"`
	Channel   string    `json:"channel"`
	At        time.Time `json:"at"`
}

// Unsubscribes turns marketing's contact.unsubscribed into the contact's
// consent on the channel denied (source unsubscribe, at the unsubscribe's
// time), written as every update of a contact is: contact.updated
// published and the consent history's entry recorded (cause
// unsubscribed). The consumer's inbox makes it once per event; a contact
// whose consent is denied already is left as it is. A merged contact's
// unsubscribe goes to the contact it was merged into.
type Unsubscribes struct {
	db     *pgstore.DB
	logger *slog.Logger
	now    func() time.Time
}

// NewUnsubscribes returns the handler of marketing's unsubscribes on db.
func NewUnsubscribes(db *pgstore.DB, logger *slog.Logger) *Unsubscribes {
	return &Unsubscribes{db: db, logger: logger, now: time.Now}
}

// Handle is the events.Handler of UnsubscribesGroup, in tx (the
// consumer's transaction of the event's tenant with its inbox insert).
// Other events, and one that does not parse or names no live contact, are
// skipped with a log line.
func (u *Unsubscribes) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	if ev.Type != TypeUnsubscribed {
		return nil
	}
	var d unsubscribedData
	if err := json.Unmarshal(ev.Data, &d); err != nil || !ids.Valid(d.ContactID) || !slices.Contains([]string{"email", "sms"}, d.Channel) {
		u.logger.WarnContext(ctx, "skipped a contact.unsubscribed that does not parse", "event", ev.ID)
		return nil
	}
	if d.At.IsZero() {
		d.At = ev.Time
	}
	ptx := u.db.With(tx, ev.TenantID)
	id, err := contactOf(ctx, ptx, d.ContactID)
	if err != nil {
		return err
	}
	old, err := pgstore.GetRecord(ctx, ptx, pgstore.Contacts, id, true, pgstore.Live)
	if errors.Is(err, customer.ErrContactNotFound) {
		u.logger.InfoContext(ctx, "skipped an unsubscribe of no live contact", "event", ev.ID, "contact", d.ContactID)
		return nil
	}
	if err != nil {
		return err
	}
	if err := catalog.Present(ctx, ptx, pgstore.Contacts.Entity, old); err != nil {
		return err
	}
	c := old.(*customer.Contact)
	if c.ErasedAt != nil || consentOf(c, d.Channel) != nil && consentOf(c, d.Channel).Status == "denied" {
		return nil
	}
	next := *c
	consent := customer.Consent{}
	if c.Consent != nil {
		consent = *c.Consent
	}
	at := d.At.UTC()
	denied := &customer.ChannelConsent{Status: "denied", At: &at, Source: SourceUnsubscribe}
	if d.Channel == "email" {
		consent.Email = denied
	} else {
		consent.SMS = denied
	}
	next.Consent, next.UpdatedAt, next.Version = &consent, pg.Timestamp(u.now()), c.Version+1
	rec, change, err := pgstore.Updated[customer.Record](old, &next)
	if err != nil || change.Verb == "" {
		return err
	}
	if err := pgstore.UpdateRecord(ctx, ptx, pgstore.Contacts, rec); err != nil {
		return err
	}
	if err := ptx.Emit(ctx, pgstore.Contacts.Entity, change.Verb, id, rec, change.Fields); err != nil {
		return err
	}
	return RecordConsent(ctx, ptx, auth.Principal{TenantID: ev.TenantID, UserID: marketingUser}, old, rec, ConsentUnsubscribed)
}

// contactOf returns the contact id was merged into (following later
// merges), or id itself when it was not merged.
func contactOf(ctx context.Context, tx *pgstore.Tx, id string) (string, error) {
	winner, err := pgstore.FinalWinner(ctx, tx, pgstore.Contacts, id, nil)
	if err != nil || winner == "" {
		return id, err
	}
	return winner, nil
}

// consentOf is c's consent on channel (email or sms), nil for none.
func consentOf(c *customer.Contact, channel string) *customer.ChannelConsent {
	if c.Consent == nil {
		return nil
	}
	if channel == "email" {
		return c.Consent.Email
	}
	return c.Consent.SMS
}
