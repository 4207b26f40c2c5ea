package audience

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
)

// ProjectionGroup is the consumer group of the Projection on contacts'
// topic.
const ProjectionGroup = "marketing-audience"

// ProjectionContexts are the contexts whose topics the Projection reads.
var ProjectionContexts = []string{registry.Contacts}

// errMalformed is a followed event whose payload is not what contacts'
// schema says: it fails every attempt and goes to the dead-letter topic.
var errMalformed = errors.New("malformed payload")

// contactState is what the Projection reads of a contact's full state
// (contacts' contact.* schemas).
type contactState struct {
	ID             string `json:"id"`
	Version        int64  `json:"version"`
	FirstName      string `json:"firstName"`
	LastName       string `json:"lastName"`
	DisplayName    string `json:"displayName"`
	JobTitle       string `json:"jobTitle"`
	AccountID      string `json:"accountId"`
	OwnerID        string `json:"ownerId"`
	LifecycleStage string `json:"lifecycleStage"`
	Source         string `json:"source"`
	Emails         []struct {
		Address string `json:"address"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
	Phones []struct {
		E164    string `json:"e164"`
		Primary bool   `json:"primary"`
	} `json:"phones"`
	Address struct {
		City    string `json:"city"`
		Country string `json:"country"`
	} `json:"address"`
	Consent struct {
		Email consentState `json:"email"`
		SMS   consentState `json:"sms"`
	} `json:"consent"`
	Tags           []string        `json:"tags"`
	CustomFields   json.RawMessage `json:"customFields"`
	LastActivityAt *time.Time      `json:"lastActivityAt"`
	CreatedAt      time.Time       `json:"createdAt"`
	UpdatedAt      time.Time       `json:"updatedAt"`
	DeletedAt      *time.Time      `json:"deletedAt"`
	ErasedAt       *time.Time      `json:"erasedAt"`
}

// consentState is a contact's consent on one channel.
type consentState struct {
	Status string `json:"status"`
}

// email is the contact's primary address (else its first), lower-cased.
func (c contactState) email() string {
	out := ""
	for i, e := range c.Emails {
		if e.Primary || i == 0 {
			out = strings.ToLower(strings.TrimSpace(e.Address))
		}
		if e.Primary {
			break
		}
	}
	return out
}

// phone is the contact's primary E.164 number (else its first).
func (c contactState) phone() string {
	out := ""
	for i, p := range c.Phones {
		if p.Primary || i == 0 {
			out = p.E164
		}
		if p.Primary {
			break
		}
	}
	return out
}

// mergedState is the payload of contact.merged: the winner's full state
// and the loser's id.
type mergedState struct {
	Winner  contactState `json:"winner"`
	LoserID string       `json:"loserId"`
}

// erasedState is the payload of contact.erased.
type erasedState struct {
	ID string `json:"id"`
}

// Projection keeps audience_contacts from contacts' events, and with it
// the membership of the tenant's dynamic segments.
type Projection struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
}

// NewProjection returns the Projection writing through db.
func NewProjection(db *outbox.DB, logger *slog.Logger) *Projection {
	return &Projection{db: db, logger: logger, now: time.Now}
}

// Handle is the events.Handler of ProjectionGroup: it applies ev in tx,
// skips an event of another type, and fails on a malformed payload.
func (p *Projection) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	return p.apply(ctx, p.db.With(tx, ev.TenantID), ev, false)
}

// apply applies ev to the projection in tx. A rebuild also rewrites a row
// at the event's version (so a damaged row is put right); the consumer
// only applies later versions.
func (p *Projection) apply(ctx context.Context, tx *outbox.Tx, ev events.Event, rebuild bool) error {
	switch ev.Type {
	case contactevents.TypeContactCreated, contactevents.TypeContactUpdated, contactevents.TypeContactDeleted, contactevents.TypeContactRestored:
		var c contactState
		if err := decode(ev, &c); err != nil {
			return err
		}
		return p.keep(ctx, tx, ev, c, rebuild)
	case contactevents.TypeContactMerged:
		var m mergedState
		if err := decode(ev, &m); err != nil {
			return err
		}
		if !ids.Valid(m.LoserID) || m.LoserID == m.Winner.ID {
			return fmt.Errorf("%s %s: %w: loserId must be another UUID", ev.Type, ev.ID, errMalformed)
		}
		if err := p.keep(ctx, tx, ev, m.Winner, rebuild); err != nil {
			return err
		}
		return p.retire(ctx, tx, m.LoserID, m.Winner.ID)
	case contactevents.TypeContactErased:
		var e erasedState
		if err := decode(ev, &e); err != nil {
			return err
		}
		if !ids.Valid(e.ID) {
			return fmt.Errorf("%s %s: %w: id must be a UUID", ev.Type, ev.ID, errMalformed)
		}
		return p.retire(ctx, tx, e.ID, "")
	}
	return nil
}

// keep stores c's state from ev (or removes the contact, deleted or
// erased) unless a later version is kept already, then re-evaluates the
// tenant's dynamic segments for it.
func (p *Projection) keep(ctx context.Context, tx *outbox.Tx, ev events.Event, c contactState, rebuild bool) error {
	if !ids.Valid(c.ID) || c.Version < 1 || (c.AccountID != "" && !ids.Valid(c.AccountID)) {
		return fmt.Errorf("%s %s: %w: a contact needs a UUID id, a version and a UUID accountId if any", ev.Type, ev.ID, errMalformed)
	}
	if c.ErasedAt != nil {
		return p.retire(ctx, tx, c.ID, "")
	}
	now := p.now().UTC()
	if c.DeletedAt != nil {
		removed, err := removeContact(ctx, tx, c.ID, c.Version)
		if err != nil || !removed {
			return err
		}
		return leaveAll(ctx, tx, c.ID, now)
	}
	kept, err := upsertContact(ctx, tx, c, rebuild)
	if err != nil {
		return err
	}
	if !kept {
		p.logger.DebugContext(ctx, "audience: an earlier version of a contact skipped", "event_id", ev.ID, "contact", c.ID)
		return nil
	}
	return reevaluate(ctx, tx, c.ID, now)
}

// retire removes the contact id for good (erased, or merged into winner
// when winner is set): its row, its memberships (a static list's move to
// winner), and a tombstone keeps events delivered late from bringing it
// back.
func (p *Projection) retire(ctx context.Context, tx *outbox.Tx, id, winner string) error {
	if err := retireContact(ctx, tx, id); err != nil {
		return err
	}
	now := p.now().UTC()
	if winner != "" {
		if err := moveStatic(ctx, tx, id, winner, now); err != nil {
			return err
		}
	}
	return leaveAll(ctx, tx, id, now)
}

// decode reads ev's payload into v.
func decode(ev events.Event, v any) error {
	if err := json.Unmarshal(ev.Data, v); err != nil {
		return fmt.Errorf("%s %s: %w: %v", ev.Type, ev.ID, errMalformed, err)
	}
	return nil
}
