package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
)

// Draft is a notification a Rule makes of an event, before the consumer
// learns whether its recipient exists and what they want of its kind.
type Draft struct {
	UserID string            // the recipient
	Kind   string            // a registered Kind's name
	Params map[string]string // what the kind's text shows
	Link   string            // the console path it opens
	// ActorID is the user whose act made it: never told of their own act;
	// their name fills the param actor.
	ActorID string
	// Once, when set, is what the recipient is told of once only: a later
	// draft of the same Once for them makes nothing (notification_once).
	Once string
}

// Rule makes the notifications of one event; an error says the event's
// payload is not what its schema promises.
type Rule func(ev events.Event) ([]Draft, error)

var (
	rulesMu sync.RWMutex
	rules   = map[string][]Rule{}
)

// On has the consumer apply r to every event of eventType
// ("dev.rapport.<context>.<entity>.<verb>.v1"); its context's topic is
// then read too. A later service registers its rules with On.
func On(eventType string, r Rule) {
	if contextOf(eventType) == "" {
		panic(fmt.Sprintf("notify: %q is not an event type", eventType))
	}
	rulesMu.Lock()
	defer rulesMu.Unlock()
	rules[eventType] = append(rules[eventType], r)
}

// rulesFor returns the rules of eventType.
func rulesFor(eventType string) []Rule {
	rulesMu.RLock()
	defer rulesMu.RUnlock()
	return rules[eventType]
}

// Topics are the topics (with prefix, as events.Topic) of the contexts
// whose events some rule reads.
func Topics(prefix string) []string {
	rulesMu.RLock()
	defer rulesMu.RUnlock()
	var out []string
	for t := range rules {
		if topic := events.Topic(prefix, contextOf(t)); !slices.Contains(out, topic) {
			out = append(out, topic)
		}
	}
	slices.Sort(out)
	return out
}

// contextOf returns the context of an event type, "" if it is none.
func contextOf(eventType string) string {
	parts := strings.Split(eventType, ".")
	if len(parts) != 6 || parts[0] != "dev" || parts[1] != "rapport" || parts[5] != "v1" {
		return ""
	}
	return parts[2]
}

// errMalformed is an event whose payload is not what its schema says: it
// fails every attempt and goes to the dead-letter topic.
var errMalformed = errors.New("malformed payload")

// decode reads ev's payload into v.
func decode(ev events.Event, v any) error {
	if err := json.Unmarshal(ev.Data, v); err != nil {
		return fmt.Errorf("%s %s: %w: %v", ev.Type, ev.ID, errMalformed, err)
	}
	return nil
}

// ownerChanged is the part of an update event of an owned record that says
// whether its owner changed.
type ownerChanged struct {
	ID      string   `json:"id"`
	OwnerID string   `json:"ownerId"`
	Changed []string `json:"changed"`
}

// assignedRule is the Rule of an update event of entity (contact, account,
// opportunity): when the owner changed, the new owner gets a
// KindRecordAssigned opening linkBase+id, with the name name reads.
func assignedRule(entity, linkBase string, name func(json.RawMessage) string) Rule {
	return func(ev events.Event) ([]Draft, error) {
		var r ownerChanged
		if err := decode(ev, &r); err != nil {
			return nil, err
		}
		if !slices.Contains(r.Changed, "ownerId") || !ids.Valid(r.OwnerID) {
			return nil, nil
		}
		return []Draft{{UserID: r.OwnerID, Kind: KindRecordAssigned, Link: linkBase + r.ID,
			Params: map[string]string{"entity": entity, "name": name(ev.Data), "id": r.ID}}}, nil
	}
}

// field returns the string field name of a JSON object ("" if none).
func field(data json.RawMessage, name string) string {
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	s, _ := m[name].(string)
	return s
}
