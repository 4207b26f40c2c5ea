package customer

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/rapport-crm/rapport/libs/events"
)

// EventSource is the CloudEvents source of every event this service publishes.
const EventSource = "/rapport/contacts"

// The verbs of the events this service publishes.
const (
	VerbCreated  = "created"
	VerbUpdated  = "updated"
	VerbDeleted  = "deleted"
	VerbRestored = "restored"
	// VerbMerged is the verb of a merge's event. It alone carries the
	// winner's full state: a merge emits no updated event for the winner and
	// no deleted event for the loser.
	VerbMerged = "merged"
	// VerbCompleted is a task's completion; VerbReminderDue a task's or a
	// meeting's reminder firing.
	VerbCompleted   = "completed"
	VerbReminderDue = "reminder_due"
	// VerbErased is a contact's erasure (package privacy): its payload
	// names the contact, the tenant, when and by whom, and nothing of the
	// person, so that other services erase their copies.
	VerbErased = "erased"
)

// The event entities of the tenant's catalogue — its tags, custom field
// definitions and saved views; records' are EntityContact and EntityAccount.
const (
	EventTag         = "tag"
	EventCustomField = "custom_field"
	EventSavedView   = "saved_view"
	// EventActivity is the entity of activities' events: calls, emails,
	// meetings, notes and tasks.
	EventActivity = "activity"
	// EventImport is the entity of a CSV import's event: import.completed,
	// published once when the import ends, however it ends.
	EventImport = "import"
)

// EventType returns the CloudEvents type of entity ("contact", "account",
// "tag", "custom_field", "saved_view") and verb:
// "dev.rapport.contacts.contact.created.v1".
func EventType(entity, verb string) string {
	return "dev.rapport.contacts." + entity + "." + verb + ".v1"
}

// eventVerbs are the verbs of the events this service publishes, per
// entity: the catalogue that api/asyncapi.yaml and the schemas in
// api/events/ document. NewEvent makes no other event.
var eventVerbs = map[string][]string{
	EntityContact:    {VerbCreated, VerbUpdated, VerbDeleted, VerbRestored, VerbMerged, VerbErased},
	EntityAccount:    {VerbCreated, VerbUpdated, VerbDeleted, VerbRestored, VerbMerged},
	EventTag:         {VerbCreated, VerbUpdated, VerbDeleted},
	EventCustomField: {VerbCreated, VerbUpdated, VerbDeleted},
	EventSavedView:   {VerbCreated, VerbUpdated, VerbDeleted},
	EventActivity:    {VerbCreated, VerbUpdated, VerbDeleted, VerbCompleted, VerbReminderDue},
	EventImport:      {VerbCompleted},
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

// NewEvent returns the event of a change: the entity's full state after the
// change, plus "changed" (the top-level fields that changed) on updates. An
// event missing from eventVerbs is an error.
func NewEvent(tenant, entity, verb, subject string, state any, changed []string) (events.Event, error) {
	if !slices.Contains(eventVerbs[entity], verb) {
		return events.Event{}, fmt.Errorf("contacts: event %s is not in the catalogue (eventVerbs, api/asyncapi.yaml)", EventType(entity, verb))
	}
	data := state
	if verb == VerbUpdated {
		m, err := ToMap(state)
		if err != nil {
			return events.Event{}, err
		}
		m["changed"] = changed
		data = m
	}
	return events.New(EventSource, EventType(entity, verb), subject, tenant, data)
}

// ChangedFields names the top-level JSON fields that differ between before
// and after, leaving out the bookkeeping fields updatedAt and version.
func ChangedFields(before, after any) ([]string, error) {
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
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if k != "updatedAt" && k != "version" && string(b[k]) != string(a[k]) {
			changed = append(changed, k)
		}
	}
	slices.Sort(changed)
	return changed, nil
}

// ToMap returns v's JSON object as a map, its numbers as json.Number so
// that they encode again exactly as they were.
func ToMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	var m map[string]any
	if err := DecodeNumbers(b, &m); err != nil {
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
