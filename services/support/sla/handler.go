package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
)

// ConsumerGroup is the consumer group of the Handler.
const ConsumerGroup = "support-sla"

// Contexts are the contexts whose topics the Handler reads: the service's
// own, where package cases publishes.
var Contexts = []string{registry.Support}

// The types of the cases' events the Handler follows; it skips others.
const (
	TypeCaseCreated       = "dev.rapport.support.case.created.v1"
	TypeCaseUpdated       = "dev.rapport.support.case.updated.v1"
	TypeCaseStatusChanged = "dev.rapport.support.case.status_changed.v1"
	TypeCaseMerged        = "dev.rapport.support.case.merged.v1"
	TypeCaseDeleted       = "dev.rapport.support.case.deleted.v1"
	TypeEntryCreated      = "dev.rapport.support.case_entry.created.v1"
)

// errMalformed is a followed event whose payload is not what the cases'
// schema says: it fails every attempt and goes to the dead-letter topic.
var errMalformed = errors.New("malformed payload")

// casePayload is what the Handler reads of a case's event.
type casePayload struct {
	ID         string    `json:"id"`
	Priority   string    `json:"priority"`
	Status     string    `json:"status"`
	FromStatus string    `json:"fromStatus"`
	AccountID  string    `json:"accountId"`
	CreatedAt  time.Time `json:"createdAt"`
	Changed    []string  `json:"changed"`
}

// entryPayload is what the Handler reads of a thread entry's event.
type entryPayload struct {
	CaseID     string    `json:"caseId"`
	Kind       string    `json:"kind"`
	Public     bool      `json:"public"`
	AuthorType string    `json:"authorType"`
	CreatedAt  time.Time `json:"createdAt"`
}

// Handler keeps the cases' clocks from the cases' events, in the
// consumer's transaction (with its inbox insert: a redelivered event is
// skipped).
type Handler struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewHandler returns the Handler writing through db.
func NewHandler(db *outbox.DB, logger *slog.Logger) *Handler {
	return &Handler{db: db, logger: logger}
}

// Handle is the events.Handler of ConsumerGroup.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	ptx := h.db.With(tx, ev.TenantID)
	switch ev.Type {
	case TypeEntryCreated:
		var e entryPayload
		if err := decode(ev, &e, &e.CaseID); err != nil {
			return err
		}
		return h.apply(ctx, ptx, e.CaseID, func(c *caseClocks) { c.entry(e) })
	case TypeCaseCreated, TypeCaseUpdated, TypeCaseStatusChanged, TypeCaseMerged, TypeCaseDeleted:
		var p casePayload
		if err := decode(ev, &p, &p.ID); err != nil {
			return err
		}
		return h.apply(ctx, ptx, p.ID, func(c *caseClocks) { c.caseEvent(ev.Type, p, ev.Time) })
	}
	return nil
}

// apply runs change on the clocks of the case id and writes those it
// changed; a case gone since (deleted for good) has none to change.
func (h *Handler) apply(ctx context.Context, tx *outbox.Tx, id string, change func(*caseClocks)) error {
	c, err := loadCaseClocks(ctx, tx, id)
	if errors.Is(err, ErrCaseNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	change(c)
	return c.save(ctx, tx)
}

// decode reads ev's payload into v, whose id must be a UUID.
func decode(ev events.Event, v any, id *string) error {
	if err := json.Unmarshal(ev.Data, v); err != nil {
		return fmt.Errorf("%s %s: %w: %v", ev.Type, ev.ID, errMalformed, err)
	}
	if !ids.Valid(*id) {
		return fmt.Errorf("%s %s: %w: no case id", ev.Type, ev.ID, errMalformed)
	}
	return nil
}
