package pgstore

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/rapport-crm/rapport/libs/events"
)

// EventSource is the CloudEvents source of every event this service publishes.
const EventSource = "/rapport/sales"

// The verbs of the events this service publishes.
const (
	VerbCreated = "created"
	VerbUpdated = "updated"
	VerbDeleted = "deleted"
)

// The entities of the events this service publishes.
const (
	// EntityPipeline is a pipeline with its stages (package deals).
	EntityPipeline = "pipeline"
)

// eventVerbs are the verbs of the events this service publishes, per
// entity: the catalogue that api/asyncapi.yaml and the schemas in
// api/events/ document. NewEvent makes no other event.
var eventVerbs = map[string][]string{
	EntityPipeline: {VerbCreated, VerbUpdated, VerbDeleted},
}

// EventType returns the CloudEvents type of entity and verb:
// "dev.rapport.sales.pipeline.created.v1".
func EventType(entity, verb string) string {
	return "dev.rapport.sales." + entity + "." + verb + ".v1"
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
// change (before it, for a delete), plus "changed" (the top-level fields
// that changed) on updates. An event missing from eventVerbs is an error.
func NewEvent(tenant, entity, verb, subject string, state any, changed []string) (events.Event, error) {
	if !slices.Contains(eventVerbs[entity], verb) {
		return events.Event{}, fmt.Errorf("sales: event %s is not in the catalogue (eventVerbs, api/asyncapi.yaml)", EventType(entity, verb))
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

// bookkeeping are the fields every change moves, which ChangedFields leaves
// out.
var bookkeeping = []string{"updatedAt", "version"}

// ChangedFields names the top-level JSON fields that differ between before
// and after, sorted, leaving out updatedAt and version.
func ChangedFields(before, after any) ([]string, error) {
	b, err := toMap(before)
	if err != nil {
		return nil, err
	}
	a, err := toMap(after)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if !slices.Contains(bookkeeping, k) && !reflect.DeepEqual(a[k], b[k]) {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok && !slices.Contains(bookkeeping, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

// toMap returns v's JSON object as a map.
func toMap(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}
