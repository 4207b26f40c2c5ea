package notify

import (
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
)

// The payloads of the events the tests publish, as the contacts and sales
// schemas have them (publish validates each).

const stamp = "2026-12-06T10:00:00Z"

func activityPayload(typ, assignee, createdBy, contactID, body string) map[string]any {
	p := map[string]any{"id": ids.New(), "type": typ, "subject": "Call Li Wei back", "body": body,
		"related": []any{}, "assigneeId": assignee, "occurredAt": stamp, "createdBy": createdBy,
		"createdAt": stamp, "updatedAt": stamp, "version": 1}
	if contactID != "" {
		p["contactId"] = contactID
	}
	return p
}

func reminderPayload(assignee string, due time.Time) map[string]any {
	p := activityPayload("task", assignee, assignee, "", "")
	p["reminderAt"] = due.UTC().Format(time.RFC3339)
	p["task"] = map[string]any{"dueAt": due.UTC().Format(time.RFC3339), "priority": "normal", "status": "open"}
	return p
}

func contactUpdated(owner string, changed ...string) map[string]any {
	return map[string]any{"id": ids.New(), "ownerId": owner, "tags": []string{}, "customFields": map[string]any{},
		"createdAt": stamp, "updatedAt": stamp, "version": 2, "displayName": "王小明", "emails": []any{}, "phones": []any{},
		"changed": changed}
}

func accountUpdated(owner string, changed ...string) map[string]any {
	return map[string]any{"id": ids.New(), "ownerId": owner, "tags": []string{}, "customFields": map[string]any{},
		"createdAt": stamp, "updatedAt": stamp, "version": 2, "name": "Acme <b>Ltd</b>", "changed": changed}
}

func opportunityUpdated(owner string, changed ...string) map[string]any {
	return map[string]any{"id": ids.New(), "name": "Big deal", "contactRoles": []any{}, "pipelineId": ids.New(), "stageId": ids.New(),
		"status": "open", "probability": 10, "forecastCategory": "pipeline", "ownerId": owner, "competitors": []string{},
		"lineItems": []any{}, "tags": []string{}, "customFields": map[string]any{}, "createdAt": stamp, "updatedAt": stamp,
		"version": 2, "changed": changed}
}

func leadPayload(owner, previous string) map[string]any {
	return map[string]any{"id": ids.New(), "firstName": "Ada", "lastName": "Lovelace", "company": "Engines", "status": "new",
		"score": 10, "scoreReasons": []any{}, "ownerId": owner, "assignedByRuleId": ids.New(), "assignmentReason": "round robin",
		"tags": []string{}, "customFields": map[string]any{}, "createdAt": stamp, "updatedAt": stamp, "version": 1,
		"previousOwnerId": previous}
}

// quotePayload is a quote's workflow event: state after the move by by,
// waiting for approvers when pending.
func quotePayload(action, from, state, owner, by, comment string, approvers ...string) map[string]any {
	amount := map[string]any{"minor": 1234500, "currency": "EUR", "exponent": 2}
	step := map[string]any{"revision": 1, "action": action, "from": from, "to": state, "by": by, "at": stamp}
	if comment != "" {
		step["comment"] = comment
	}
	if approvers == nil {
		approvers = []string{}
	}
	return map[string]any{
		"quote": map[string]any{"id": ids.New(), "number": "Q-2026-000042", "revision": 1, "opportunityId": ids.New(),
			"name": "Rollout", "ownerId": owner, "priceBookId": ids.New(), "currency": "EUR",
			"lineItems": []any{map[string]any{"productId": ids.New(), "sku": "SKU-1", "productName": "Seat", "quantity": "1",
				"unitPrice": amount, "discountPercent": "0", "total": amount}},
			"total": amount, "state": state, "approvalLevels": 1, "approvedLevels": 0, "approvers": approvers,
			"history": []any{step}, "createdBy": owner, "createdAt": stamp, "updatedAt": stamp, "version": 2},
		"step": step,
	}
}
