package contacts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// EventSource is the CloudEvents source of every event this service publishes.
const EventSource = "/rapport/contacts"

// The verbs of the events this service publishes.
const (
	VerbCreated  = "created"
	VerbUpdated  = "updated"
	VerbDeleted  = "deleted"
	VerbRestored = "restored"
)

// The event entities of the tenant's catalogue of custom field definitions
// and of its saved views (tags' is "tag", records' EntityContact and
// EntityAccount).
const (
	eventCustomField = "custom_field"
	eventSavedView   = "saved_view"
)

// EventType returns the CloudEvents type of entity ("contact", "account",
// "tag", "custom_field", "saved_view") and verb:
// "dev.rapport.contacts.contact.created.v1".
func EventType(entity, verb string) string {
	return "dev.rapport.contacts." + entity + "." + verb + ".v1"
}

// eventVerbs are the verbs of the events this service publishes, per
// entity: the catalogue that api/asyncapi.yaml and the schemas in
// api/events/ document. emit publishes no other event.
var eventVerbs = map[string][]string{
	EntityContact:    {VerbCreated, VerbUpdated, VerbDeleted, VerbRestored, VerbMerged},
	EntityAccount:    {VerbCreated, VerbUpdated, VerbDeleted, VerbRestored, VerbMerged},
	"tag":            {VerbCreated, VerbUpdated, VerbDeleted},
	eventCustomField: {VerbCreated, VerbUpdated, VerbDeleted},
	eventSavedView:   {VerbCreated, VerbUpdated, VerbDeleted},
}

// EventTypes returns the type of every event this service publishes, sorted.
func EventTypes() []string {
	var types []string
	for entity, verbs := range eventVerbs {
		for _, verb := range verbs {
			types = append(types, EventType(entity, verb))
		}
	}
	slices.Sort(types)
	return types
}

// emit adds the event of a change to the outbox in tx (newEvent).
func (s *service) emit(ctx context.Context, tx *sqlx.Tx, tenant, entity, verb, subject string, state any, changed []string) error {
	ev, err := newEvent(tenant, entity, verb, subject, state, changed)
	if err != nil {
		return err
	}
	return outbox.Add(ctx, s.store.prepared(tx), s.topic, ev)
}

// emitAll adds the events of verb on recs, all of entity, to the outbox of
// tx, with changed as each one's changed fields: one statement for many
// records (outbox.Add), where emit would take one each.
func (s *service) emitAll(ctx context.Context, tx *sqlx.Tx, tenant, entity, verb string, recs []record, changed []string) error {
	evs := make([]events.Event, len(recs))
	for i, rec := range recs {
		var err error
		if evs[i], err = newEvent(tenant, entity, verb, rec.meta().ID, rec, changed); err != nil {
			return err
		}
	}
	return outbox.Add(ctx, s.store.prepared(tx), s.topic, evs...)
}

// newEvent returns the event of a change: the entity's full state after the
// change, plus "changed" (the top-level fields that changed) on updates. An
// event missing from eventVerbs is an error.
func newEvent(tenant, entity, verb, subject string, state any, changed []string) (events.Event, error) {
	if !slices.Contains(eventVerbs[entity], verb) {
		return events.Event{}, fmt.Errorf("contacts: event %s is not in the catalogue (eventVerbs, api/asyncapi.yaml)", EventType(entity, verb))
	}
	data := state
	if verb == VerbUpdated {
		m, err := toMap(state)
		if err != nil {
			return events.Event{}, err
		}
		m["changed"] = changed
		data = m
	}
	return events.New(EventSource, EventType(entity, verb), subject, tenant, data)
}

// changedFields names the top-level JSON fields that differ between before
// and after, leaving out the bookkeeping fields updatedAt and version.
func changedFields(before, after any) ([]string, error) {
	b, err := toRawMap(before)
	if err != nil {
		return nil, err
	}
	a, err := toRawMap(after)
	if err != nil {
		return nil, err
	}
	changed := []string{}
	for k := range a {
		if _, ok := b[k]; !ok {
			b[k] = nil
		}
	}
	for _, k := range sortedKeys(b) {
		if k != "updatedAt" && k != "version" && string(b[k]) != string(a[k]) {
			changed = append(changed, k)
		}
	}
	slices.Sort(changed)
	return changed, nil
}

// toMap returns v's JSON object as a map, its numbers as json.Number so
// that they encode again exactly as they were.
func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	var m map[string]any
	if err := decodeNumbers(b, &m); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	return m, nil
}

// toRawMap returns v's JSON object with each field's encoding.
func toRawMap(v any) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	return m, nil
}
