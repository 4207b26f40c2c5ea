package events

import (
	"fmt"
	"slices"
)

// VerbUpdated is the verb of an update: its event's payload carries, beside
// the entity's state, "changed", the top-level fields the update changed.
const VerbUpdated = "updated"

// VerbDeleted is the verb of a deletion (libs/pgrecord's Update deletes
// the record on it).
const VerbDeleted = "deleted"

// Catalogue is the events one service publishes (DESIGN §5): their source,
// the bounded context that names their types, and the verbs of each entity.
// It is what the service's api/asyncapi.yaml and the schemas in api/events
// document; New makes no other event.
type Catalogue struct {
	// Source is the CloudEvents source of every event ("/rapport/sales").
	Source string
	// Context is the bounded context in the types ("sales":
	// "dev.rapport.sales.pipeline.created.v1").
	Context string
	// Verbs are the verbs of each entity's events.
	Verbs map[string][]string
}

// Type returns the CloudEvents type of entity and verb:
// "dev.rapport.<context>.<entity>.<verb>.v1".
func (c Catalogue) Type(entity, verb string) string {
	return "dev.rapport." + c.Context + "." + entity + "." + verb + ".v1"
}

// Types returns the type of every event of the catalogue, sorted.
func (c Catalogue) Types() []string {
	var types []string
	for entity, verbs := range c.Verbs {
		for _, verb := range verbs {
			types = append(types, c.Type(entity, verb))
		}
	}
	slices.Sort(types)
	return types
}

// New returns the event of a change of tenant's: the entity's full state
// after the change (before it, for a delete), plus "changed" (the
// top-level fields that changed) on updates (VerbUpdated). An event
// missing from the catalogue is an error naming its type.
func (c Catalogue) New(tenant, entity, verb, subject string, state any, changed []string) (Event, error) {
	if !slices.Contains(c.Verbs[entity], verb) {
		return Event{}, fmt.Errorf("%s: event %s is not in the catalogue (api/asyncapi.yaml)", c.Context, c.Type(entity, verb))
	}
	data := state
	if verb == VerbUpdated {
		m, err := ToMap(state)
		if err != nil {
			return Event{}, err
		}
		m["changed"] = changed
		data = m
	}
	return New(c.Source, c.Type(entity, verb), subject, tenant, data)
}
