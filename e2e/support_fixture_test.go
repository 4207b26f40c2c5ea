package e2e

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
)

// supportFixture is what a tenant's administrator makes in the support
// service, every text carrying the tenant's marker: a case with a public
// reply, an internal note and an attachment; a custom field of cases; a
// business calendar and an SLA policy on it; a queue and a routing rule to
// it; a knowledge-base category with a public article in it, published; a
// service contract on the fixture's account and a work order on the case;
// a support mailbox; a shared macro.
type supportFixture struct {
	CaseID, EntryID, AttachmentID, CaseFieldID string
	CalendarID, PolicyID, QueueID, RuleID      string
	CategoryID, ArticleID                      string
	ContractID, WorkOrderID, MailboxID         string
	MacroID                                    string
	// Mailbox is the mailbox's address; CaseNumber the case's number.
	Mailbox    string
	CaseNumber int64
}

// IDs are the support fixture's record ids.
func (s supportFixture) IDs() []string {
	return []string{s.CaseID, s.EntryID, s.AttachmentID, s.CaseFieldID, s.CalendarID, s.PolicyID, s.QueueID, s.RuleID,
		s.CategoryID, s.ArticleID, s.ContractID, s.WorkOrderID, s.MailboxID, s.MacroID}
}

// newSupportFixture makes the support records through the gateway with
// token, marked with m, the case on the fixture's account.
func newSupportFixture(t *testing.T, base, token, m, accountID string) supportFixture {
	t.Helper()
	post := func(path string, body any) (rec struct {
		ID     string `json:"id"`
		Number int64  `json:"number"`
	}) {
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + path, Token: token, Body: body}, http.StatusCreated, &rec)
		return rec
	}
	var s supportFixture
	s.CaseFieldID = post("/v1/case-custom-fields", map[string]any{"key": "cf_" + m, "label": "Label" + m, "type": "text"}).ID
	day := []map[string]string{{"from": "09:00", "to": "18:00"}}
	s.CalendarID = post("/v1/business-calendars", map[string]any{"name": "Cal" + m, "timeZone": "Asia/Shanghai",
		"hours": map[string]any{"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day}}).ID
	s.PolicyID = post("/v1/sla-policies", map[string]any{"name": "Pol" + m, "calendarId": s.CalendarID,
		"targets": map[string]any{"resolution": map[string]int{"normal": 480}}}).ID
	s.QueueID = post("/v1/support-queues", map[string]any{"name": "Queue" + m, "description": "Desc" + m}).ID
	s.RuleID = post("/v1/routing-rules", map[string]any{"name": "Rule" + m, "queueId": s.QueueID,
		"condition": map[string]any{"field": "keywords", "op": "contains", "value": "kw" + m}}).ID
	c := post("/v1/cases", map[string]any{"subject": "Case" + m, "description": "Desc" + m, "accountId": accountID,
		"queueId": s.QueueID, "customFields": map[string]any{"cf_" + m: "cfv" + m}})
	s.CaseID, s.CaseNumber = c.ID, c.Number
	s.AttachmentID = post("/v1/cases/"+s.CaseID+"/attachments", attachmentUpload("file"+m+".txt", "Attached"+m)).ID
	s.EntryID = post("/v1/cases/"+s.CaseID+"/replies", map[string]any{"bodyText": "Reply" + m, "attachmentIds": []string{s.AttachmentID}}).ID
	post("/v1/cases/"+s.CaseID+"/notes", map[string]any{"bodyText": "Note" + m})
	s.CategoryID = post("/v1/kb/categories", map[string]any{"names": map[string]string{"en": "Cat" + m}}).ID
	s.ArticleID = post("/v1/kb/articles", map[string]any{"locale": "en", "title": "Art" + m, "body": "Body" + m,
		"visibility": "public", "categoryId": s.CategoryID}).ID
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/kb/articles/" + s.ArticleID + "/publish", Token: token}, http.StatusOK, nil)
	s.ContractID = post("/v1/service-contracts", map[string]any{"accountId": accountID, "name": "Con" + m, "startDate": "2026-01-01",
		"endDate": "2099-12-31", "entitlement": map[string]any{"kind": "cases", "total": 10}, "status": "active"}).ID
	s.WorkOrderID = post("/v1/work-orders", map[string]any{"caseId": s.CaseID, "productId": ids.New(), "serialNumber": "SN" + m, "address": "Addr" + m}).ID
	s.Mailbox = "support." + m + "@" + m + ".example"
	s.MailboxID = post("/v1/support-mailboxes", map[string]any{"address": s.Mailbox, "fromName": "Desk" + m}).ID
	s.MacroID = post("/v1/support-macros", map[string]any{"name": "Mac" + m, "body": "Macro" + m + " {{case.number}}", "shared": true}).ID
	return s
}

// placeholderSupport is a support fixture of made-up ids.
func placeholderSupport() supportFixture {
	return supportFixture{CaseID: ids.New(), EntryID: ids.New(), AttachmentID: ids.New(), CaseFieldID: ids.New(), CalendarID: ids.New(),
		PolicyID: ids.New(), QueueID: ids.New(), RuleID: ids.New(), CategoryID: ids.New(), ArticleID: ids.New(), ContractID: ids.New(),
		WorkOrderID: ids.New(), MailboxID: ids.New(), MacroID: ids.New(), Mailbox: "support@example.com", CaseNumber: 1}
}

// attachmentUpload is the multipart body of a case attachment named name
// holding text.
func attachmentUpload(name, text string) stack.Raw {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	file, _ := w.CreateFormFile("file", name)
	_, _ = file.Write([]byte(text))
	_ = w.Close()
	return stack.Raw{ContentType: w.FormDataContentType(), Data: b.Bytes()}
}
