package webhooks

import (
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/events"
)

// cloudEvent is the structured CloudEvent JSON a delivery POSTs.
type cloudEvent struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Subject         string          `json:"subject,omitempty"`
	Time            string          `json:"time"`
	DataContentType string          `json:"datacontenttype"`
	TenantID        string          `json:"tenantid"`
	Data            json.RawMessage `json:"data"`
}

// payload renders ev as the structured CloudEvent JSON of its deliveries.
func payload(ev events.Event) ([]byte, error) {
	data := ev.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	return json.Marshal(cloudEvent{
		SpecVersion: events.SpecVersion, ID: ev.ID, Source: ev.Source, Type: ev.Type, Subject: ev.Subject,
		Time: ev.Time.UTC().Format(time.RFC3339Nano), DataContentType: "application/json", TenantID: ev.TenantID, Data: data,
	})
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
