package e2e

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
)

const (
	supportRead  = "support:read"
	supportWrite = "support:write"
	supportAdmin = "support:admin"
)

// supportProbes are the probes of the support service's operations on
// victim v's support records; m names the caller's own new records.
// Reads need support:read; working cases support:write; configuring
// (calendars, policies, queues, rules, mailboxes, the knowledge base's
// publishing, deletions) support:admin.
func supportProbes(v fixture, m string) []probe {
	s := v.Support
	ifMatch := map[string]string{"If-Match": `"1"`}
	q := url.QueryEscape
	day := []map[string]string{{"from": "09:00", "to": "17:00"}}
	mail := stack.Raw{ContentType: "message/rfc822", Data: fmt.Appendf(nil,
		"From: Probe <probe.%[1]s@example.com>\r\nTo: %[2]s\r\nSubject: [#%[3]d-0000000000] probe\r\nMessage-ID: <%[1]s@example.com>\r\n\r\nprobe\r\n",
		m, s.Mailbox, s.CaseNumber)}
	return []probe{
		// Cases and their thread.
		{name: "list cases", method: "GET", path: "/v1/cases?limit=200", gate: supportRead, want: 200},
		{name: "the victim queue's view", method: "GET", path: "/v1/cases?view=queue&queueId=" + s.QueueID, gate: supportRead, want: 200, echoes: true},
		{name: "cases of the victim's account", method: "GET", path: "/v1/cases?accountId=" + v.AccountID, gate: supportRead, want: 200, echoes: true},
		{name: "get case", method: "GET", path: "/v1/cases/" + s.CaseID, gate: supportRead, want: 404, echoes: true},
		// The caller's own tenant numbers its cases from 1 too: the case
		// found is its own.
		{name: "get case by the victim's number", method: "GET", path: "/v1/cases/by-number?number=" + strconv.FormatInt(s.CaseNumber, 10), gate: supportRead, want: 200},
		{name: "create case", method: "POST", path: "/v1/cases", body: map[string]any{"subject": "Probe " + m}, gate: supportWrite, want: 201},
		{name: "patch case", method: "PATCH", path: "/v1/cases/" + s.CaseID, body: map[string]any{"subject": "pwned"}, header: ifMatch, gate: supportWrite, want: 404, echoes: true},
		{name: "delete case", method: "DELETE", path: "/v1/cases/" + s.CaseID, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "case entries", method: "GET", path: "/v1/cases/" + s.CaseID + "/entries", gate: supportRead, want: 404, echoes: true},
		{name: "get case entry", method: "GET", path: "/v1/cases/" + s.CaseID + "/entries/" + s.EntryID, gate: supportRead, want: 404, echoes: true},
		{name: "reply to case", method: "POST", path: "/v1/cases/" + s.CaseID + "/replies", body: map[string]any{"bodyText": "pwned"}, gate: supportWrite, want: 404, echoes: true},
		{name: "note on case", method: "POST", path: "/v1/cases/" + s.CaseID + "/notes", body: map[string]any{"bodyText": "pwned"}, gate: supportWrite, want: 404, echoes: true},
		{name: "merge case", method: "POST", path: "/v1/cases/" + s.CaseID + "/merge", body: map[string]any{"intoCaseId": ids.New()}, gate: supportWrite, want: 404, echoes: true},
		{name: "split entry", method: "POST", path: "/v1/cases/" + s.CaseID + "/entries/" + s.EntryID + "/split", body: map[string]any{}, gate: supportWrite, want: 404, echoes: true},
		{name: "case SLA clocks", method: "GET", path: "/v1/cases/" + s.CaseID + "/sla", gate: supportRead, want: 404, echoes: true},
		{name: "case entitlement", method: "GET", path: "/v1/cases/" + s.CaseID + "/entitlement", gate: supportRead, want: 404, echoes: true},
		{name: "upload attachment", method: "POST", path: "/v1/cases/" + s.CaseID + "/attachments", body: attachmentUpload("probe.txt", "pwned"), gate: supportWrite, want: 404, echoes: true},
		{name: "get attachment", method: "GET", path: "/v1/cases/" + s.CaseID + "/attachments/" + s.AttachmentID, gate: supportRead, want: 404, echoes: true},
		{name: "get case settings", method: "GET", path: "/v1/case-settings", gate: supportRead, want: 200},
		{name: "set case settings", method: "PUT", path: "/v1/case-settings", body: map[string]any{"reopenDays": 7, "autoCloseDays": 3}, gate: supportWrite, svc: supportAdmin, want: 200},
		{name: "list case custom fields", method: "GET", path: "/v1/case-custom-fields", gate: supportRead, want: 200},
		{name: "create case custom field", method: "POST", path: "/v1/case-custom-fields", body: map[string]any{"key": "probe_" + m, "label": "Probe", "type": "text"},
			gate: supportWrite, svc: supportAdmin, want: 201},
		{name: "patch case custom field", method: "PATCH", path: "/v1/case-custom-fields/" + s.CaseFieldID, body: map[string]any{"label": "pwned"}, header: ifMatch,
			gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "delete case custom field", method: "DELETE", path: "/v1/case-custom-fields/" + s.CaseFieldID, header: ifMatch, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		// SLA: calendars and policies.
		{name: "list business calendars", method: "GET", path: "/v1/business-calendars", gate: supportRead, want: 200},
		{name: "get business calendar", method: "GET", path: "/v1/business-calendars/" + s.CalendarID, gate: supportRead, want: 404, echoes: true},
		{name: "create business calendar", method: "POST", path: "/v1/business-calendars", body: map[string]any{"name": "Probe " + m, "timeZone": "UTC",
			"hours": map[string]any{"monday": day}}, gate: supportWrite, svc: supportAdmin, want: 201},
		{name: "patch business calendar", method: "PATCH", path: "/v1/business-calendars/" + s.CalendarID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "delete business calendar", method: "DELETE", path: "/v1/business-calendars/" + s.CalendarID, header: ifMatch, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "list SLA policies", method: "GET", path: "/v1/sla-policies", gate: supportRead, want: 200},
		{name: "get SLA policy", method: "GET", path: "/v1/sla-policies/" + s.PolicyID, gate: supportRead, want: 404, echoes: true},
		{name: "create SLA policy on the victim's calendar", method: "POST", path: "/v1/sla-policies", body: map[string]any{"name": "Probe " + m, "calendarId": s.CalendarID,
			"targets": map[string]any{"resolution": map[string]int{"normal": 60}}}, gate: supportWrite, svc: supportAdmin, want: 400, echoes: true},
		{name: "patch SLA policy", method: "PATCH", path: "/v1/sla-policies/" + s.PolicyID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "delete SLA policy", method: "DELETE", path: "/v1/sla-policies/" + s.PolicyID, header: ifMatch, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		// Queues, agents and routing.
		{name: "list support queues", method: "GET", path: "/v1/support-queues", gate: supportRead, want: 200},
		{name: "get support queue", method: "GET", path: "/v1/support-queues/" + s.QueueID, gate: supportRead, want: 404, echoes: true},
		{name: "create support queue", method: "POST", path: "/v1/support-queues", body: map[string]any{"name": "Probe " + m}, gate: supportWrite, svc: supportAdmin, want: 201},
		{name: "patch support queue", method: "PATCH", path: "/v1/support-queues/" + s.QueueID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "delete support queue", method: "DELETE", path: "/v1/support-queues/" + s.QueueID, header: ifMatch, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "list support agents", method: "GET", path: "/v1/support-agents", gate: supportRead, want: 200},
		{name: "get an agent's presence", method: "GET", path: "/v1/support-agents/" + ids.New() + "/presence", gate: supportRead, want: 200},
		// Another agent's presence is set only by support:admin.
		{name: "set an agent's presence", method: "PUT", path: "/v1/support-agents/" + ids.New() + "/presence", body: map[string]any{"status": "online"},
			gate: supportWrite, svc: supportAdmin, want: 200},
		{name: "list routing rules", method: "GET", path: "/v1/routing-rules", gate: supportRead, want: 200},
		{name: "get routing rule", method: "GET", path: "/v1/routing-rules/" + s.RuleID, gate: supportRead, want: 404, echoes: true},
		{name: "create routing rule to the victim's queue", method: "POST", path: "/v1/routing-rules", body: map[string]any{"name": "Probe " + m, "queueId": s.QueueID,
			"condition": map[string]any{"field": "priority", "op": "eq", "value": "urgent"}}, gate: supportWrite, svc: supportAdmin, want: 400, echoes: true},
		{name: "preview routing", method: "POST", path: "/v1/routing-rules/preview", body: map[string]any{"subject": "Probe " + m}, gate: supportWrite, want: 200},
		{name: "patch routing rule", method: "PATCH", path: "/v1/routing-rules/" + s.RuleID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "delete routing rule", method: "DELETE", path: "/v1/routing-rules/" + s.RuleID, header: ifMatch, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		// The knowledge base.
		{name: "list articles", method: "GET", path: "/v1/kb/articles?limit=200", gate: supportRead, want: 200},
		{name: "get article", method: "GET", path: "/v1/kb/articles/" + s.ArticleID, gate: supportRead, want: 404, echoes: true},
		{name: "create article", method: "POST", path: "/v1/kb/articles", body: map[string]any{"locale": "en", "title": "Probe " + m}, gate: supportWrite, want: 201},
		{name: "patch article", method: "PATCH", path: "/v1/kb/articles/" + s.ArticleID, body: map[string]any{"title": "pwned"}, header: ifMatch, gate: supportWrite, want: 404, echoes: true},
		{name: "delete article", method: "DELETE", path: "/v1/kb/articles/" + s.ArticleID, header: ifMatch, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "publish article", method: "POST", path: "/v1/kb/articles/" + s.ArticleID + "/publish", gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "archive article", method: "POST", path: "/v1/kb/articles/" + s.ArticleID + "/archive", gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "article versions", method: "GET", path: "/v1/kb/articles/" + s.ArticleID + "/versions", gate: supportRead, want: 404, echoes: true},
		{name: "article version", method: "GET", path: "/v1/kb/articles/" + s.ArticleID + "/versions/1", gate: supportRead, want: 404, echoes: true},
		{name: "article translations", method: "GET", path: "/v1/kb/articles/" + s.ArticleID + "/translations", gate: supportRead, want: 404, echoes: true},
		{name: "translate article", method: "POST", path: "/v1/kb/articles/" + s.ArticleID + "/translations", body: map[string]any{"locale": "zh-CN", "title": "探针"},
			gate: supportWrite, want: 404, echoes: true},
		{name: "article feedback", method: "POST", path: "/v1/kb/articles/" + s.ArticleID + "/feedback", body: map[string]any{"helpful": false}, gate: supportWrite, want: 404, echoes: true},
		{name: "search the victim's article", method: "GET", path: "/v1/kb/search?q=" + q(v.Markers[0]), gate: supportRead, want: 200, echoes: true},
		{name: "suggest the victim's article", method: "GET", path: "/v1/kb/suggestions?text=" + q(v.Markers[0]), gate: supportRead, want: 200, echoes: true},
		{name: "list KB categories", method: "GET", path: "/v1/kb/categories", gate: supportRead, want: 200},
		{name: "get KB category", method: "GET", path: "/v1/kb/categories/" + s.CategoryID, gate: supportRead, want: 404, echoes: true},
		{name: "create KB category", method: "POST", path: "/v1/kb/categories", body: map[string]any{"names": map[string]string{"en": "Probe " + m}},
			gate: supportWrite, svc: supportAdmin, want: 201},
		{name: "patch KB category", method: "PATCH", path: "/v1/kb/categories/" + s.CategoryID, body: map[string]any{"position": 9}, header: ifMatch,
			gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "delete KB category", method: "DELETE", path: "/v1/kb/categories/" + s.CategoryID, header: ifMatch, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		// Contracts and work orders.
		{name: "list service contracts", method: "GET", path: "/v1/service-contracts", gate: supportRead, want: 200},
		{name: "get service contract", method: "GET", path: "/v1/service-contracts/" + s.ContractID, gate: supportRead, want: 404, echoes: true},
		{name: "service contract usage", method: "GET", path: "/v1/service-contracts/" + s.ContractID + "/usage", gate: supportRead, want: 404, echoes: true},
		{name: "create service contract", method: "POST", path: "/v1/service-contracts", body: map[string]any{"accountId": ids.New(), "name": "Probe " + m,
			"startDate": "2026-01-01", "endDate": "2026-12-31", "entitlement": map[string]any{"kind": "hours", "total": 5}}, gate: supportWrite, svc: supportAdmin, want: 201},
		{name: "patch service contract", method: "PATCH", path: "/v1/service-contracts/" + s.ContractID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "delete service contract", method: "DELETE", path: "/v1/service-contracts/" + s.ContractID, header: ifMatch, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "list work orders", method: "GET", path: "/v1/work-orders", gate: supportRead, want: 200},
		{name: "get work order", method: "GET", path: "/v1/work-orders/" + s.WorkOrderID, gate: supportRead, want: 404, echoes: true},
		{name: "create work order on the victim's case", method: "POST", path: "/v1/work-orders", body: map[string]any{"caseId": s.CaseID, "productId": ids.New()}, gate: supportWrite, want: 400, echoes: true},
		{name: "patch work order", method: "PATCH", path: "/v1/work-orders/" + s.WorkOrderID, body: map[string]any{"address": "pwned"}, header: ifMatch, gate: supportWrite, want: 404, echoes: true},
		{name: "sign off work order", method: "POST", path: "/v1/work-orders/" + s.WorkOrderID + "/sign-off", body: map[string]any{"name": "pwned", "typedName": "pwned"},
			gate: supportWrite, want: 404, echoes: true},
		// Surveys and the chat desk (chats are found by id only: another
		// tenant's is not found).
		{name: "list surveys", method: "GET", path: "/v1/surveys?caseId=" + s.CaseID, gate: supportRead, want: 200, echoes: true},
		{name: "survey results", method: "GET", path: "/v1/surveys/results?kind=csat&groupBy=agent", gate: supportRead, want: 200},
		{name: "get survey settings", method: "GET", path: "/v1/surveys/settings", gate: supportRead, want: 200},
		{name: "set survey settings", method: "PUT", path: "/v1/surveys/settings", body: map[string]any{"csatEnabled": true, "csatDelayMinutes": 60,
			"expiryDays": 14, "lowThreshold": 2, "lowAction": "alert", "npsEnabled": false, "npsEveryDays": 90}, gate: supportWrite, svc: supportAdmin, want: 200},
		{name: "list chats", method: "GET", path: "/v1/chats", gate: supportRead, want: 200},
		{name: "accept a chat", method: "POST", path: "/v1/chats/" + ids.New() + "/accept", gate: supportWrite, want: 404, echoes: true},
		{name: "a chat's socket", method: "GET", path: "/v1/chats/" + ids.New() + "/ws", gate: supportRead, svc: supportWrite, want: 404, echoes: true},
		{name: "end a chat", method: "POST", path: "/v1/chats/" + ids.New() + "/end", gate: supportWrite, want: 404, echoes: true},
		// The email channel: an address is one tenant's; a mail sent into
		// the caller's tenant naming the victim's mailbox and case number
		// lands in no case of the victim.
		{name: "list support mailboxes", method: "GET", path: "/v1/support-mailboxes", gate: supportRead, svc: supportAdmin, want: 200},
		{name: "get support mailbox", method: "GET", path: "/v1/support-mailboxes/" + s.MailboxID, gate: supportRead, svc: supportAdmin, want: 404, echoes: true},
		{name: "create support mailbox with the victim's address", method: "POST", path: "/v1/support-mailboxes", body: map[string]any{"address": s.Mailbox},
			gate: supportWrite, svc: supportAdmin, want: 409, echoes: true},
		{name: "patch support mailbox", method: "PATCH", path: "/v1/support-mailboxes/" + s.MailboxID, body: map[string]any{"fromName": "pwned"}, header: ifMatch,
			gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "delete support mailbox", method: "DELETE", path: "/v1/support-mailboxes/" + s.MailboxID, header: ifMatch, gate: supportWrite, svc: supportAdmin, want: 404, echoes: true},
		{name: "mail to the victim's mailbox", method: "POST", path: "/v1/inbound-email", body: mail, gate: supportWrite, want: 422, echoes: true},
		// Macros: the victim's shared macro is not the caller's to list,
		// read, change, delete or render, nor is their case to render for
		// (support:admin, asked of a shared macro's writes, comes after
		// finding it: another tenant's is not found).
		{name: "list macros", method: "GET", path: "/v1/support-macros", gate: supportRead, want: 200},
		{name: "get macro", method: "GET", path: "/v1/support-macros/" + s.MacroID, gate: supportRead, want: 404, echoes: true},
		{name: "create macro", method: "POST", path: "/v1/support-macros", body: map[string]any{"name": "Probe " + m, "body": "{{case.subject}}"},
			gate: supportWrite, want: 201},
		{name: "patch macro", method: "PATCH", path: "/v1/support-macros/" + s.MacroID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: supportWrite, want: 404, echoes: true},
		{name: "delete macro", method: "DELETE", path: "/v1/support-macros/" + s.MacroID, header: ifMatch, gate: supportWrite, want: 404, echoes: true},
		{name: "render the victim's macro for their case", method: "POST", path: "/v1/support-macros/" + s.MacroID + "/render",
			body: map[string]any{"caseId": s.CaseID}, gate: supportWrite, want: 404, echoes: true},
	}
}
