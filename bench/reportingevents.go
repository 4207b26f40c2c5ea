package main

import (
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
)

// reportingEvent is one source event the reporting part publishes, the
// read-model table whose row by id shows it applied, and that id.
type reportingEvent struct {
	msg   kafka.Message
	table string
	id    string
}

// The three kinds of event the event parts publish in turn, each its
// service's full state of a new record as it publishes it: a contact
// (rapport.contacts.v1 → rm_contacts), an opportunity (rapport.sales.v1 →
// rm_opportunities) and a case (rapport.support.v1 → rm_cases).
var reportingKinds = []struct {
	service, typ, table string
}{
	{registry.Contacts, "dev.rapport.contacts.contact.created.v1", "rm_contacts"},
	{registry.Sales, "dev.rapport.sales.opportunity.created.v1", "rm_opportunities"},
	{registry.Support, "dev.rapport.support.case.created.v1", "rm_cases"},
}

// reportingEvents makes n events of tenant, the kinds in turn, created
// over the last days before now.
func reportingEvents(tenant string, n int) ([]reportingEvent, error) {
	out := make([]reportingEvent, n)
	pipeline, stage := uuid.NewString(), uuid.NewString()
	now := time.Now().UTC()
	for i := range out {
		k := reportingKinds[i%len(reportingKinds)]
		id := uuid.NewString()
		at := now.Add(-time.Duration(i%(90*24)) * time.Hour)
		owner := "owner-" + string(rune('a'+i%20))
		var data map[string]any
		switch k.table {
		case "rm_contacts":
			data = map[string]any{"id": id, "ownerId": owner, "tags": []string{}, "customFields": map[string]any{},
				"createdAt": at, "updatedAt": at, "version": 1, "displayName": "Contact", "emails": []any{}, "phones": []any{},
				"source": "web", "lifecycleStage": "lead"}
		case "rm_opportunities":
			data = map[string]any{"id": id, "name": "Opportunity", "contactRoles": []any{}, "pipelineId": pipeline, "stageId": stage,
				"status": "open", "probability": 40, "forecastCategory": "pipeline", "ownerId": owner,
				"competitors": []string{}, "lineItems": []any{}, "tags": []string{}, "customFields": map[string]any{},
				"amount":    map[string]any{"minor": 100_000 + i, "currency": "EUR", "exponent": 2},
				"createdAt": at, "updatedAt": at, "version": 1}
		default:
			data = map[string]any{"id": id, "number": i + 1, "subject": "Printer on fire", "description": "", "channel": "email",
				"type": "", "priority": "normal", "status": "new", "tags": []string{}, "customFields": map[string]any{},
				"links": []any{}, "language": "en", "createdBy": "agent", "assigneeId": owner, "queueId": "queue-1",
				"createdAt": at, "updatedAt": at, "version": 1}
		}
		ev, err := events.New("/rapport/"+k.service, k.typ, id, tenant, data)
		if err != nil {
			return nil, err
		}
		out[i] = reportingEvent{msg: ev.Message(registry.MustTopic("", k.service)), table: k.table, id: id}
	}
	return out, nil
}
