package sales_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/importjob"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/leads"
)

// uploadBody is a multipart body of an options part (JSON, none when nil)
// and a file part, and its Content-Type.
func uploadBody(t *testing.T, options any, file string) (string, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if options != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="options"`)
		h.Set("Content-Type", "application/json")
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.NewEncoder(part).Encode(options); err != nil {
			t.Fatal(err)
		}
	}
	part, err := w.CreateFormFile("file", "leads.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(part, file)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return body.String(), w.FormDataContentType()
}

// importLeads uploads file with options as u, wants it queued, waits until
// it has ended and returns it.
func importLeads(e *env, u user, options any, file string) importjob.Import {
	e.t.Helper()
	body, ct := uploadBody(e.t, options, file)
	r := e.want(e.do(u, "POST", "/v1/lead-imports", body, "Content-Type", ct), http.StatusAccepted)
	im := contracttest.Decode[importjob.Import](r)
	if loc := r.Header.Get("Location"); loc != "/v1/lead-imports/"+im.ID || im.State != importjob.StateQueued {
		e.t.Fatalf("started import %+v at %q, want one queued at its own Location", im, loc)
	}
	testkit.Eventually(e.t, time.Minute, "the import ends", func() (bool, string) {
		im = contracttest.Decode[importjob.Import](e.want(e.do(u, "GET", "/v1/lead-imports/"+im.ID, nil), http.StatusOK))
		return importjob.Final(im.State), fmt.Sprintf("%s, %d rows read", im.State, im.RowsRead)
	})
	return im
}

// leadImportErrors downloads the error report of import id as u: its lines
// after the header, as "row|column|value|reason".
func leadImportErrors(e *env, u user, id string) []string {
	e.t.Helper()
	r := e.want(e.do(u, "GET", "/v1/lead-imports/"+id+"/errors", nil), http.StatusOK)
	text, ok := strings.CutPrefix(string(r.Raw), "\uFEFF")
	lines, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if !ok || err != nil || len(lines) == 0 || strings.Join(lines[0], ",") != "row,column,value,reason" {
		e.t.Fatalf("error report %q: %v", text, err)
	}
	var out []string
	for _, l := range lines[1:] {
		out = append(out, strings.Join(l, "|"))
	}
	return out
}

// importFigures are an import's counts: rows read, created, updated, skipped,
// failed.
func importFigures(im importjob.Import) [5]int64 {
	return [5]int64{im.RowsRead, im.Created, im.Updated, im.Skipped, im.Failed}
}

// leadsBy returns the live leads u sees, by email in lower case.
func leadsBy(e *env, u user) map[string]leads.Lead {
	e.t.Helper()
	out := map[string]leads.Lead{}
	for _, l := range contracttest.Decode[leadPage](e.want(e.do(u, "GET", "/v1/leads?limit=200", nil), http.StatusOK)).Items {
		out[strings.ToLower(l.Email)] = l
	}
	return out
}

// TestLeadImport imports a file of leads with policy skip: the preview
// suggests the mapping from the header, each good row becomes a lead as
// POST /v1/leads makes it (phone normalised, tags kept once, custom field
// read for its type, lead.created), duplicates of a lead or of an earlier
// row are skipped, and each bad row fails alone at its column; the events
// match their schemas.
func TestLeadImport(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.want(e.do(u, "POST", "/v1/lead-custom-fields", map[string]any{"entity": "lead", "key": "budget", "label": "Budget", "type": "number"}),
		http.StatusCreated)
	existing := createLead(e, u, map[string]any{"lastName": "Known", "phone": "+49 30 1234567"})
	file := "First Name,Last Name,Company,E-mail,Mobile,Tags,Budget,Status\n" +
		"Ada,Lovelace,Analytical Engines,ada@example.com,+44 20 7946 0958,vip; VIP;early,1200.50,\n" +
		"Grace,Hopper,Navy,grace at navy,,,,\n" +
		"Ada,Again,,ADA@example.com,,,,\n" +
		"Kurt,Known,,kurt@example.com,+49 30 1234567,,,\n" +
		"Alan,Turing,Bletchley,alan@example.com,,,lots,\n" +
		"Barbara,Liskov,MIT,barbara@example.com,,,,converted\n" +
		"张,伟,华为,zhang.wei@example.cn,,客户,,Working\n"

	body, ct := uploadBody(t, map[string]any{}, file)
	preview := contracttest.Decode[importjob.Preview](e.want(e.do(u, "POST", "/v1/lead-imports/preview", body, "Content-Type", ct), http.StatusOK))
	want := importjob.Mapping{"First Name": "firstName", "Last Name": "lastName", "Company": "company", "E-mail": "email", "Mobile": "phone",
		"Tags": "tags", "Budget": "customFields.budget", "Status": "status"}
	if len(preview.SuggestedMapping) != len(want) || len(preview.Rows) != 7 || !slices.Contains(preview.Fields, "customFields.budget") {
		t.Fatalf("preview %+v", preview)
	}
	for h, f := range want {
		if preview.SuggestedMapping[h] != f {
			t.Errorf("%q suggested %q, want %q", h, preview.SuggestedMapping[h], f)
		}
	}

	im := importLeads(e, u, map[string]any{"mapping": want}, file)
	got := leadImportErrors(e, u, im.ID)
	if im.State != importjob.StateCompleted || importFigures(im) != [5]int64{7, 2, 0, 2, 3} {
		t.Fatalf("import %+v, want completed: 7 read, 2 created, 2 skipped, 3 failed; errors:\n%s", im, strings.Join(got, "\n"))
	}
	wantErrors := []string{"3|E-mail|grace at navy|email must be an email address, like ada@example.com",
		"6|Budget|lots|customFields/budget must be a number", "7|Status|converted|status converted is set by conversion"}
	if len(got) != len(wantErrors) {
		t.Fatalf("error report:\n%s", strings.Join(got, "\n"))
	}
	for i := range got {
		if !strings.HasPrefix(got[i], wantErrors[i][:strings.LastIndex(wantErrors[i], "|")]) {
			t.Errorf("error report line %d: %q, want %q", i, got[i], wantErrors[i])
		}
	}
	byEmail := leadsBy(e, u)
	ada, zhang := byEmail["ada@example.com"], byEmail["zhang.wei@example.cn"]
	if ada.FirstName != "Ada" || ada.PhoneE164 != "+442079460958" || !slices.Equal(ada.Tags, []string{"vip", "early"}) || ada.OwnerID != u.id ||
		fmt.Sprint(ada.CustomFields["budget"]) != "1200.5" || ada.Status != leads.StatusNew || ada.Version != 1 {
		t.Errorf("Ada imported as %+v", ada)
	}
	if zhang.Company != "华为" || zhang.Status != leads.StatusWorking || !slices.Equal(zhang.Tags, []string{"客户"}) {
		t.Errorf("张伟 imported as %+v", zhang)
	}
	if _, ok := byEmail["kurt@example.com"]; ok || len(byEmail) != 3 {
		t.Errorf("leads after the import: %v; the duplicate of %s was created", byEmail, existing.ID)
	}

	var created, completed int
	for _, ev := range e.published() {
		switch ev.Type {
		case "dev.rapport.sales.lead.created.v1":
			created++
		case "dev.rapport.sales.import.completed.v1":
			completed++
			if ev.Subject != im.ID {
				t.Errorf("import.completed of %s, want %s", ev.Subject, im.ID)
			}
		}
	}
	if created != 3 || completed != 1 {
		t.Errorf("%d lead.created and %d import.completed, want 3 and 1", created, completed)
	}
	validateEvents(t, e)
}

// TestLeadImportPolicies checks update and create: update writes the
// filled cells of a lead's rows over it through the lead's update path
// (tags added regardless of case, one lead.updated naming the changed
// fields, a new version), merges a later row into the lead an earlier one
// creates, skips a row that changes nothing, and fails one matching two
// leads or moving a status where it cannot go; create makes duplicates all
// the same.
func TestLeadImportPolicies(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ada := createLead(e, u, map[string]any{"lastName": "Lovelace", "email": "ada@example.com", "tags": []string{"vip"}, "status": "working"})
	bob := createLead(e, u, map[string]any{"lastName": "Builder", "phone": "+49 30 1234567"})
	mapping := map[string]any{"Email": "email", "Phone": "phone", "Company": "company", "Tag": "tags", "Status": "status"}
	file := "Email,Phone,Company,Tag,Status\n" +
		"ADA@example.com,,Analytical Engines,early,\n" +
		"ada@example.com,,,early,\n" +
		"ada@example.com,+49 30 1234567,Both,,\n" +
		"new@example.com,,First,,\n" +
		"new@example.com,,Second,late,\n" +
		"ada@example.com,,,,new\n"
	im := importLeads(e, u, map[string]any{"mapping": mapping, "duplicatePolicy": "update"}, file)
	if im.State != importjob.StateCompleted || importFigures(im) != [5]int64{6, 1, 3, 0, 2} {
		t.Fatalf("import %+v, want completed: 6 read, 1 created, 3 updated, 2 failed", im)
	}
	got := leadImportErrors(e, u, im.ID)
	if len(got) != 2 || !strings.HasPrefix(got[0], "4|||its email and phone are those of 2 leads") || !strings.HasPrefix(got[1], "7|Status|new|status") {
		t.Errorf("error report:\n%s", strings.Join(got, "\n"))
	}
	byEmail := leadsBy(e, u)
	if a := byEmail["ada@example.com"]; a.ID != ada.ID || a.Company != "Analytical Engines" || !slices.Equal(a.Tags, []string{"vip", "early"}) ||
		a.Version != 2 || a.Status != "working" {
		t.Errorf("Ada updated as %+v", a)
	}
	if n := byEmail["new@example.com"]; n.Company != "Second" || !slices.Equal(n.Tags, []string{"late"}) || n.Version != 1 {
		t.Errorf("the new lead merged as %+v", n)
	}
	if b := contracttest.Decode[leads.Lead](e.want(e.do(u, "GET", "/v1/leads/"+bob.ID, nil), http.StatusOK)); b.Version != 1 {
		t.Errorf("Bob changed: %+v", b)
	}
	var updated []string
	for _, ev := range e.published() {
		if ev.Type == "dev.rapport.sales.lead.updated.v1" && ev.Subject == ada.ID {
			var p struct{ Changed []string }
			if err := json.Unmarshal(ev.Data, &p); err != nil {
				t.Fatal(err)
			}
			updated = append(updated, strings.Join(p.Changed, ","))
		}
	}
	if !slices.Equal(updated, []string{"company,tags"}) {
		t.Errorf("Ada's lead.updated changed %v, want one naming company and tags", updated)
	}

	same := importLeads(e, u, map[string]any{"mapping": mapping, "duplicatePolicy": "update"}, "Email,Phone,Company,Tag,Status\nada@example.com,,Analytical Engines,VIP,\n")
	if importFigures(same) != [5]int64{1, 0, 0, 1, 0} {
		t.Errorf("policy update, a row changing nothing: %+v", same)
	}
	again := importLeads(e, u, map[string]any{"mapping": mapping, "duplicatePolicy": "create"}, "Email,Phone,Company,Tag,Status\nada@example.com,,Copy,,\n")
	if importFigures(again) != [5]int64{1, 1, 0, 0, 0} {
		t.Errorf("policy create: %+v", again)
	}
	validateEvents(t, e)
}

// TestLeadImportScopeAndAccess checks who imports what: duplicates are
// matched within the importer's record scope (a lead they cannot see is
// no duplicate of theirs, as for POST /v1/leads), an import is its
// creator's (another user of the tenant gets 404, an administrator lists
// and reads it, another tenant never), sales:read cannot import, and a
// mapping that cannot make leads is refused naming it before anything is
// stored.
func TestLeadImportScopeAndAccess(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	own := admin.scoped(auth.ScopeOwn).as("sales:read", "sales:write")
	createLead(e, admin, map[string]any{"lastName": "Hidden", "email": "hidden@example.com"})
	im := importLeads(e, own, map[string]any{"mapping": map[string]any{"Email": "email"}}, "Email\nhidden@example.com\n")
	if importFigures(im) != [5]int64{1, 1, 0, 0, 0} || im.CreatedBy != own.id {
		t.Errorf("a lead out of the importer's scope made the row a duplicate: %+v", im)
	}

	other := admin.scoped(auth.ScopeAll).as("sales:read", "sales:write")
	e.want(e.do(other, "GET", "/v1/lead-imports/"+im.ID, nil), http.StatusNotFound)
	e.want(e.do(other, "DELETE", "/v1/lead-imports/"+im.ID, nil), http.StatusNotFound)
	if list := contracttest.Decode[importjob.Page](e.want(e.do(other, "GET", "/v1/lead-imports", nil), http.StatusOK)); len(list.Items) != 0 {
		t.Errorf("another user lists %d imports", len(list.Items))
	}
	if list := contracttest.Decode[importjob.Page](e.want(e.do(admin, "GET", "/v1/lead-imports", nil), http.StatusOK)); len(list.Items) != 1 || list.Items[0].ID != im.ID {
		t.Errorf("the administrator lists %+v", list.Items)
	}
	e.want(e.do(admin, "GET", "/v1/lead-imports/"+im.ID+"/errors", nil), http.StatusOK)
	e.want(e.do(admin, "DELETE", "/v1/lead-imports/"+im.ID, nil), http.StatusConflict)
	stranger := newUser(uuid.NewString())
	e.want(e.do(stranger, "GET", "/v1/lead-imports/"+im.ID, nil), http.StatusNotFound)

	body, ct := uploadBody(t, map[string]any{"mapping": map[string]any{"Email": "email"}}, "Email\na@example.com\n")
	e.want(e.do(admin.as("sales:read"), "POST", "/v1/lead-imports", body, "Content-Type", ct), http.StatusForbidden)
	for _, tt := range []struct {
		options map[string]any
		field   string
	}{
		{map[string]any{"mapping": map[string]any{"Source": "source"}}, "mapping"},
		{map[string]any{"mapping": map[string]any{"Email": "emails"}}, "mapping/Email"},
		{map[string]any{"mapping": map[string]any{"Source": "source", "Email": "company"}}, "mapping"},
		{map[string]any{"mapping": map[string]any{"Email": "email"}, "duplicatePolicy": "merge"}, "duplicatePolicy"},
	} {
		body, ct := uploadBody(t, tt.options, "Email,Source\na@example.com,web\n")
		if got := e.want(e.do(admin, "POST", "/v1/lead-imports", body, "Content-Type", ct), http.StatusBadRequest).fields(); !slices.Contains(got, tt.field) {
			t.Errorf("options %v: fields %v, want %s", tt.options, got, tt.field)
		}
	}
	var n int
	if err := e.admin.Get(&n, `SELECT count(*) FROM imports`); err != nil || n != 1 {
		t.Errorf("%d imports stored (%v), want the first only", n, err)
	}
}

// TestLeadImportAssigns checks that an imported lead goes through the
// create path of the API: a row naming no owner is given one by the
// assignment rules (lead.assigned after lead.created), a row naming one
// keeps it.
func TestLeadImportAssigns(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	createRule(e, u, map[string]any{"name": "web", "condition": map[string]any{"field": "source", "op": "eq", "value": "web"},
		"target": map[string]any{"type": "user", "userId": "closer"}})
	im := importLeads(e, u, map[string]any{"mapping": map[string]any{"Email": "email", "Source": "source", "Owner": "ownerId"}},
		"Email,Source,Owner\nweb@example.com,web,\nmine@example.com,web,keeper\n")
	if importFigures(im) != [5]int64{2, 2, 0, 0, 0} {
		t.Fatalf("import %+v", im)
	}
	byEmail := leadsBy(e, u)
	if w, m := byEmail["web@example.com"], byEmail["mine@example.com"]; w.OwnerID != "closer" || w.AssignedByRuleID == "" || m.OwnerID != "keeper" {
		t.Errorf("owners: %q (rule %q) and %q, want closer by the rule and keeper", w.OwnerID, w.AssignedByRuleID, m.OwnerID)
	}
	var assigned int
	for _, ev := range e.published() {
		if ev.Type == "dev.rapport.sales.lead.assigned.v1" {
			assigned++
		}
	}
	if assigned != 1 {
		t.Errorf("%d lead.assigned, want 1", assigned)
	}
	validateEvents(t, e)
}
