package e2e

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// fixture is what a tenant's administrator creates: a tag, a custom field,
// a sales pipeline with an opportunity in it, a product priced in a price
// book, a lead (with the first contact's phone number), an account, two contacts (the first with a phone
// number) and a shared saved view finding the first, a task with a reminder
// on the first contact, every text field carrying a unique marker; a
// duplicate scan of contacts, and a CSV import whose one row fails (its
// error report holds a marker). Its first request to the sales service
// made the tenant's default pipeline.
type fixture struct {
	TagID, FieldID, AccountID, ContactID, Contact2ID, ViewID string
	ActivityID                                               string
	PipelineID, DefaultPipelineID, OpportunityID             string
	ProductID, PriceBookID                                   string
	QuotedOpportunityID, QuoteID                             string
	LeadID, LeadEmail, LeadFieldID, LeadTag                  string
	OpportunityFieldID, OpportunityTag                       string
	LeadRuleID, ScoringRuleID                                string
	StageName                                                string
	ScanID, ImportID, LeadImportID                           string
	FirstName, Email, AccountName, Domain, Phone, Team       string
	SKU                                                      string
	// Support, Marketing and Reporting hold the records of those services.
	Support   supportFixture
	Marketing marketingFixture
	Reporting reportingFixture
	// Markers are strings only this tenant's records contain; no response
	// to another tenant may contain any of them.
	Markers []string
}

// IDs are the fixture's record ids, each created by a POST answered 201.
func (f fixture) IDs() []string {
	return append(slices.Concat(f.Support.IDs(), f.Marketing.IDs(), f.Reporting.IDs()), f.TagID, f.FieldID, f.PipelineID, f.OpportunityID, f.ProductID, f.PriceBookID, f.QuotedOpportunityID, f.QuoteID, f.LeadID, f.LeadFieldID, f.OpportunityFieldID, f.LeadRuleID, f.ScoringRuleID, f.AccountID, f.ContactID, f.Contact2ID, f.ViewID, f.ActivityID)
}

// newFixture creates the records through the gateway with token, in the
// tenant of slug tenant.
func newFixture(t *testing.T, base, token, tenant string) fixture {
	t.Helper()
	m := letters(10)
	f := fixture{
		FirstName:   "Fn" + m,
		Email:       "mail." + m + "@" + m + ".example",
		AccountName: "Acct" + m,
		Domain:      "dom" + m + ".example",
		Phone:       phoneNumber(),
		Team:        "team" + m,
	}
	tagName, fieldKey, fieldValue := "tag"+m, "cf_"+m, "cfvalue"+m
	lastName, lastName2, jobTitle, industry := "Ln"+m, "Other"+m, "Job"+m, "Industry"+m
	consentSource, viewName, subject := "Src"+m, "View"+m, "Subj"+m
	pipelineName, stageName := "Pipe"+m, "Stage"+m
	opportunityName, nextStep, competitor := "Opp"+m, "Step"+m, "Comp"+m
	productName, priceBookName, forecastNote := "Prod"+m, "Book"+m, "Fcst"+m
	leadName, leadCompany, leadFieldKey, leadFieldValue := "Lead"+m, "Co"+m, "lf_"+m, "Lfv"+m
	f.LeadTag = "Tag" + m
	f.OpportunityTag = "OppTag" + m
	oppFieldKey, oppFieldValue := "of_"+m, "Ofv"+m
	f.LeadEmail = "lead." + m + "@" + m + ".example"
	f.SKU = "Sku" + m
	f.StageName = stageName
	f.Markers = []string{m, f.FirstName, f.Email, f.AccountName, f.Domain, tagName, fieldKey, fieldValue, lastName, lastName2, jobTitle, industry, consentSource, viewName, subject,
		pipelineName, stageName, opportunityName, nextStep, competitor, f.SKU, productName, priceBookName, leadName, leadCompany, f.LeadEmail, leadFieldKey, leadFieldValue, f.OpportunityTag, oppFieldKey, oppFieldValue, forecastNote}

	post := func(path string, body any) string {
		var rec struct {
			ID string `json:"id"`
		}
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + path, Token: token, Body: body}, http.StatusCreated, &rec)
		return rec.ID
	}
	f.TagID = post("/v1/tags", map[string]any{"name": tagName, "colour": "#123456", "description": "Desc" + m})
	f.FieldID = post("/v1/custom-fields", map[string]any{"entity": "contact", "key": fieldKey, "label": "Label" + m, "type": "text"})
	f.PipelineID = post("/v1/pipelines", map[string]any{"name": pipelineName, "stages": []map[string]any{
		{"name": stageName, "kind": "open", "probability": 50, "requiredFields": []string{"amount"}},
		{"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}}})
	var pipelines struct {
		Items []struct {
			ID        string `json:"id"`
			IsDefault bool   `json:"isDefault"`
		} `json:"items"`
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: base + "/v1/pipelines", Token: token}, http.StatusOK, &pipelines)
	for _, p := range pipelines.Items {
		if p.IsDefault {
			f.DefaultPipelineID = p.ID
		}
	}
	if f.DefaultPipelineID == "" {
		t.Fatal("the tenant has no default pipeline")
	}
	f.OpportunityFieldID = post("/v1/opportunity-custom-fields", map[string]any{"key": oppFieldKey, "label": "Label" + m, "type": "text"})
	f.OpportunityID = post("/v1/opportunities", map[string]any{"name": opportunityName, "pipelineId": f.PipelineID, "nextStep": nextStep,
		"competitors": []string{competitor}, "amount": map[string]any{"minor": 123456, "currency": "EUR"}, "closeDate": "2099-02-15",
		"tags": []string{f.OpportunityTag}, "customFields": map[string]any{oppFieldKey: oppFieldValue}})
	stack.Must(t, stack.Request{Method: http.MethodPut, URL: base + "/v1/forecasts/rates", Token: token,
		Body: map[string]any{"baseCurrency": "EUR", "rates": map[string]string{"USD": "0.9"}}}, http.StatusOK, nil)
	stack.Must(t, stack.Request{Method: http.MethodPut, URL: base + "/v1/forecasts/overrides", Token: token,
		Body: map[string]any{"period": "2099-Q1", "teamId": f.Team, "category": "commit", "amount": map[string]any{"minor": 1, "currency": "EUR"}, "note": forecastNote}},
		http.StatusOK, nil)
	f.ProductID = post("/v1/products", map[string]any{"sku": f.SKU, "name": productName, "family": "Fam" + m, "unit": "each"})
	f.PriceBookID = post("/v1/price-books", map[string]any{"name": priceBookName, "currency": "EUR", "segment": "Seg" + m})
	stack.Must(t, stack.Request{Method: http.MethodPut, URL: base + "/v1/price-books/" + f.PriceBookID + "/entries/" + f.ProductID, Token: token,
		Body: map[string]any{"unitPrice": map[string]any{"minor": 9900}}}, http.StatusCreated, nil)
	f.QuotedOpportunityID = post("/v1/opportunities", map[string]any{"name": "Quoted" + m})
	stack.Must(t, stack.Request{Method: http.MethodPut, URL: base + "/v1/opportunities/" + f.QuotedOpportunityID + "/line-items", Token: token,
		Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"priceBookId": f.PriceBookID,
			"lineItems": []map[string]any{{"productId": f.ProductID, "quantity": "2"}}}}, http.StatusOK, nil)
	f.QuoteID = post("/v1/quotes", map[string]any{"opportunityId": f.QuotedOpportunityID})
	f.LeadFieldID = post("/v1/lead-custom-fields", map[string]any{"key": leadFieldKey, "label": "Label" + m, "type": "text"})
	// A scoring rule the lead matches, made before it so that the lead
	// has its score and reasons at version 1.
	f.ScoringRuleID = post("/v1/lead-scoring-rules", map[string]any{"name": "Score" + m, "kind": "field", "points": 7,
		"condition": map[string]any{"field": "company", "op": "eq", "value": leadCompany}})
	f.LeadID = post("/v1/leads", map[string]any{"lastName": leadName, "company": leadCompany, "email": f.LeadEmail, "phone": f.Phone,
		"source": "Src" + m, "teamId": f.Team, "tags": []string{f.LeadTag}, "customFields": map[string]any{leadFieldKey: leadFieldValue}})
	// An assignment rule matching none of the probes' leads.
	f.LeadRuleID = post("/v1/lead-assignment-rules", map[string]any{"name": "Rule" + m, "condition": map[string]any{"field": "source", "op": "eq", "value": "Never" + m},
		"target": map[string]any{"type": "user", "userId": "rep" + m}})
	f.AccountID = post("/v1/accounts", map[string]any{"name": f.AccountName, "domain": f.Domain, "industry": industry, "tags": []string{tagName}})
	f.ContactID = post("/v1/contacts", map[string]any{
		"firstName": f.FirstName, "lastName": lastName, "jobTitle": jobTitle, "accountId": f.AccountID,
		"emails": []map[string]any{{"address": f.Email, "primary": true}}, "tags": []string{tagName},
		"phones":       []map[string]any{{"number": f.Phone}},
		"customFields": map[string]any{fieldKey: fieldValue}, "lifecycleStage": "lead",
		"consent": map[string]any{"email": map[string]any{"status": "granted", "source": consentSource}},
	})
	f.Contact2ID = post("/v1/contacts", map[string]any{
		"firstName": "Second" + strings.ToUpper(m[:1]) + m[1:], "lastName": lastName2,
		"emails": []map[string]any{{"address": "second." + m + "@other" + m + ".example"}},
	})
	f.ViewID = post("/v1/saved-views", map[string]any{"entity": "contact", "name": viewName, "visibility": "shared",
		"filter": map[string]any{"field": "emails", "op": "eq", "value": f.Email}})
	f.ActivityID = post("/v1/activities", map[string]any{"type": "task", "subject": subject, "body": "Body" + m, "contactId": f.ContactID,
		"teamId": f.Team, "reminderAt": "2099-01-01T08:00:00Z", "task": map[string]any{"dueAt": "2099-01-01T09:00:00Z"}})
	var scan struct {
		ID string `json:"id"`
	}
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/duplicate-scans", Token: token, Body: map[string]any{"entity": "contact"}}, http.StatusAccepted, &scan)
	f.ScanID = scan.ID
	f.ImportID = importCSV(t, base, token, "Name,Email\nBad"+m+",not-an-email-"+m+"\n")
	f.LeadImportID = importFile(t, base+"/v1/lead-imports", token, leadCSVUpload("Email\nnot-an-email-"+m+"\n"))
	f.Support = newSupportFixture(t, base, token, m, f.AccountID)
	f.Marketing = newMarketingFixture(t, base, token, tenant, m, f.ContactID)
	f.Reporting = newReportingFixture(t, base, token, m)
	return f
}

// phoneNumber returns a random San Francisco number (one of 8 million, so
// that two tenants' fixtures in one stack do not share one), written with
// spaces, as people type them.
func phoneNumber() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	n := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	return fmt.Sprintf("+1 415 %03d %04d", 200+n%800, n/800%10000)
}

// csvUpload is the multipart body of a CSV import of contacts from text,
// Name and Email mapped.
func csvUpload(text string) stack.Raw {
	return upload(`{"mapping":{"Name":"displayName","Email":"emails"}}`, "contacts.csv", text)
}

// leadCSVUpload is the multipart body of a CSV import of leads from text,
// Email mapped.
func leadCSVUpload(text string) stack.Raw {
	return upload(`{"mapping":{"Email":"email"}}`, "leads.csv", text)
}

// upload is the multipart body of an import: options (JSON), then text as
// the file name.
func upload(opts, name, text string) stack.Raw {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	options, _ := w.CreateFormField("options")
	_, _ = options.Write([]byte(opts))
	file, _ := w.CreateFormFile("file", name)
	_, _ = file.Write([]byte(text))
	_ = w.Close()
	return stack.Raw{ContentType: w.FormDataContentType(), Data: b.Bytes()}
}

// importCSV imports contacts from text through the gateway with token and
// waits until the import has ended.
func importCSV(t *testing.T, base, token, text string) string {
	t.Helper()
	return importFile(t, base+"/v1/imports", token, csvUpload(text))
}

// importFile starts an import of body at url, contacts' or sales' lead
// imports through the gateway, with token and waits until it has ended.
func importFile(t *testing.T, url, token string, body stack.Raw) string {
	t.Helper()
	var im struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: url, Token: token, Body: body}, http.StatusAccepted, &im)
	testkit.Eventually(t, 30*time.Second, "the fixture's import ends", func() (bool, string) {
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: url + "/" + im.ID, Token: token}, http.StatusOK, &im)
		return im.State == "completed", im.State
	})
	return im.ID
}
