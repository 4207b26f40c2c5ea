package contactevents

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// Activity is what the Handler reads of an activity event of contacts:
// the activity's id, its type (call, email, meeting, note, task), the
// records it is related to, its assignee and when it occurred.
type Activity struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Related    []Ref     `json:"related"`
	AssigneeID string    `json:"assigneeId"`
	OccurredAt time.Time `json:"occurredAt"`
}

// Ref is a record an activity is related to: its service, type and id.
type Ref struct {
	Service string `json:"service"`
	Type    string `json:"type"`
	ID      string `json:"id"`
}

// The verbs of the activity events an ActivityObserver is given.
const (
	ActivityCreated   = "created"
	ActivityUpdated   = "updated"
	ActivityCompleted = "completed"
	ActivityDeleted   = "deleted"
)

// ActivityObserver is a context of a service that follows contacts'
// activities (sales: leads' scoring and first-touch deadlines). It
// runs in tx, a transaction of the event's tenant, and publishes its
// changes through tx's outbox; an error rolls back the whole event, which
// is then retried.
type ActivityObserver interface {
	// Activity is given each activity created, updated, completed or
	// deleted (verb: ActivityCreated …) with its state in the event.
	Activity(ctx context.Context, tx *outbox.Tx, verb string, a Activity) error
}

// RelatedIDs are the ids of the records of type typ of the service a is
// related to (registry.Sales, "lead"), once each, in its order.
func (a Activity) RelatedIDs(service, typ string) []string {
	var out []string
	for _, r := range a.Related {
		if r.Service == service && r.Type == typ && ids.Valid(r.ID) && !slices.Contains(out, r.ID) {
			out = append(out, r.ID)
		}
	}
	return out
}

// activity hands the activity of ev to every ActivityObserver in tx; a
// payload without an id and a type is malformed.
func (h *Handler) activity(ctx context.Context, tx *outbox.Tx, ev events.Event) error {
	var a Activity
	if err := decode(ev, &a); err != nil {
		return err
	}
	if !ids.Valid(a.ID) || a.Type == "" {
		return fmt.Errorf("%s %s: %w: id must be a UUID and type set", ev.Type, ev.ID, errMalformed)
	}
	verb := strings.TrimSuffix(strings.TrimPrefix(ev.Type, "dev.rapport.contacts.activity."), ".v1")
	for _, o := range h.observers {
		if err := o.Activity(ctx, tx, verb, a); err != nil {
			return fmt.Errorf("%s %s: %w", ev.Type, ev.ID, err)
		}
	}
	return nil
}
