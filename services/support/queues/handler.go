package queues

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// ConsumerGroup is the consumer group of the Handler.
const ConsumerGroup = "support-routing"

// Contexts are the contexts whose topics the Handler reads: the service's
// own, where package cases publishes.
var Contexts = []string{registry.Support}

// The types of the cases' events the Handler follows; it skips others.
const (
	TypeCaseCreated       = "dev.rapport.support.case.created.v1"
	TypeCaseUpdated       = "dev.rapport.support.case.updated.v1"
	TypeCaseStatusChanged = "dev.rapport.support.case.status_changed.v1"
	TypeCaseDeleted       = "dev.rapport.support.case.deleted.v1"
	TypeQueueUpdated      = "dev.rapport.support.support_queue.updated.v1"
)

// errMalformed is a followed event whose payload is not a case: it fails
// every attempt and goes to the dead-letter topic.
var errMalformed = errors.New("malformed payload")

// casePayload is a case's event: the case, and what a status change left.
type casePayload struct {
	cases.Case
	FromStatus string `json:"fromStatus"`
}

// Handler routes and assigns cases from the cases' events, in the
// consumer's transaction (with its inbox insert: a redelivered event is
// skipped): a new case without a queue goes to its routing rule's queue;
// a case in a queue without an assignee is assigned there; a case that
// stops counting against its assignee's capacity (solved, closed,
// deleted) lets its queue's waiting cases be assigned, and so does a
// change of the queue (its members, capacities, mode).
type Handler struct {
	db *outbox.DB
}

// NewHandler returns the Handler writing through db.
func NewHandler(db *outbox.DB) *Handler { return &Handler{db: db} }

// Handle is the events.Handler of ConsumerGroup.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	switch ev.Type {
	case TypeQueueUpdated:
		var q Queue
		if err := json.Unmarshal(ev.Data, &q); err != nil || !ids.Valid(q.ID) {
			return fmt.Errorf("%s %s: %w: %v", ev.Type, ev.ID, errMalformed, err)
		}
		_, err := assignQueue(ctx, h.db.With(tx, ev.TenantID), q.ID, retryBatch)
		return err
	case TypeCaseCreated, TypeCaseUpdated, TypeCaseStatusChanged, TypeCaseDeleted:
	default:
		return nil
	}
	var c casePayload
	if err := json.Unmarshal(ev.Data, &c); err != nil {
		return fmt.Errorf("%s %s: %w: %v", ev.Type, ev.ID, errMalformed, err)
	}
	if !ids.Valid(c.ID) {
		return fmt.Errorf("%s %s: %w: no case id", ev.Type, ev.ID, errMalformed)
	}
	ptx := h.db.With(tx, ev.TenantID)
	active := cases.Active(c.Status)
	freed := c.AssigneeID != "" && c.QueueID != "" &&
		(ev.Type == TypeCaseDeleted && active || ev.Type == TypeCaseStatusChanged && !active && cases.Active(c.FromStatus))
	switch {
	case freed:
		_, err := assignQueue(ctx, ptx, c.QueueID, retryBatch)
		return err
	case ev.Type == TypeCaseDeleted || !active || c.AssigneeID != "":
		return nil
	case c.QueueID != "":
		return placeIn(ctx, ptx, c.ID, c.QueueID, false)
	case ev.Type == TypeCaseCreated:
		return h.route(ctx, ptx, &c.Case)
	}
	return nil
}

// route puts the new case c in the queue of the first routing rule it
// meets, and assigns it there.
func (h *Handler) route(ctx context.Context, tx *outbox.Tx, c *cases.Case) error {
	rules, err := listRules(ctx, tx)
	if err != nil {
		return err
	}
	r, err := match(ctx, tx, rules, fieldsOf(c))
	if err != nil || r == nil {
		return err
	}
	return placeIn(ctx, tx, c.ID, r.QueueID, true)
}
