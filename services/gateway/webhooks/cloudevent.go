package webhooks

import (
	"encoding/json"

	"github.com/rapport-crm/rapport/libs/events"
)

// payload renders ev as the structured CloudEvent JSON of its deliveries.
func payload(ev events.Event) ([]byte, error) {
	return json.Marshal(events.ToStructured(ev))
}

// asMap returns v's JSON object as a map.
func asMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}
