package sales_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/sales/leads"
)

// leadPage is the body of GET /v1/leads and of a lead's duplicates.
type leadPage struct {
	Items      []leads.Lead `json:"items"`
	NextCursor string       `json:"nextCursor"`
}

// createLead creates a lead as u and returns it with its duplicates.
func createLead(e *env, u user, body map[string]any) leads.Created {
	e.t.Helper()
	return contracttest.Decode[leads.Created](e.want(e.do(u, "POST", "/v1/leads", body), http.StatusCreated))
}

// patchLead patches the lead id as u at version, wanting status.
func patchLead(e *env, u user, id string, version int64, patch map[string]any, status int) reply {
	e.t.Helper()
	return e.want(e.do(u, "PATCH", "/v1/leads/"+id, patch, "If-Match", kitx.ETag(version)), status)
}

// leadIDs returns the ids of list.
func leadIDs(list []leads.Lead) []string {
	var out []string
	for _, l := range list {
		out = append(out, l.ID)
	}
	return out
}

// listLeads returns the ids of the leads u lists with query.
func listLeads(e *env, u user, query string) []string {
	e.t.Helper()
	return leadIDs(contracttest.Decode[leadPage](e.want(e.do(u, "GET", "/v1/leads"+query, nil), http.StatusOK)).Items)
}

func TestLeadLifecycle(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	r := e.want(e.do(u, "POST", "/v1/leads", map[string]any{"firstName": " Ada ", "lastName": "Lovelace", "company": "Analytical Engines",
		"email": "Ada@Example.com", "phone": "+44 20 7946 0958", "source": "web", "rating": "hot", "campaignId": uuid.NewString()}), http.StatusCreated)
	l := contracttest.Decode[leads.Created](r)
	if l.FirstName != "Ada" || l.Status != leads.StatusNew || l.OwnerID != u.id || l.PhoneE164 != "+442079460958" || l.Email != "Ada@Example.com" ||
		l.Version != 1 || l.Score != 0 || len(l.Duplicates) != 0 || r.Header.Get("Location") != "/v1/leads/"+l.ID {
		t.Fatalf("created %+v", l)
	}
	if got := contracttest.Decode[leads.Lead](e.want(e.do(u, "GET", "/v1/leads/"+l.ID, nil), http.StatusOK)); got.ID != l.ID || got.Company != "Analytical Engines" {
		t.Errorf("read back %+v", got)
	}

	// A PATCH needs If-Match, and the current one.
	e.want(e.do(u, "PATCH", "/v1/leads/"+l.ID, map[string]any{"status": "working"}), http.StatusPreconditionRequired)
	patchLead(e, u, l.ID, 9, map[string]any{"status": "working"}, http.StatusPreconditionFailed)
	r = patchLead(e, u, l.ID, 1, map[string]any{"status": "working", "title": "Countess"}, http.StatusOK)
	if got := contracttest.Decode[leads.Lead](r); got.Status != "working" || got.Version != 2 ||
		!slices.Equal(kitx.ChangedFields(r.Header), []string{"status", "title"}) {
		t.Errorf("patched %+v, changed %v", got, kitx.ChangedFields(r.Header))
	}
	// Nothing changed: the same version, no event.
	if got := contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, 2, map[string]any{"title": "Countess"}, http.StatusOK)); got.Version != 2 {
		t.Errorf("a patch changing nothing made version %d", got.Version)
	}

	// Status: disqualified needs its reason; converted is conversion's;
	// nothing goes back to new.
	if got := patchLead(e, u, l.ID, 2, map[string]any{"status": "disqualified"}, http.StatusBadRequest).fields(); !slices.Equal(got, []string{"disqualifiedReason"}) {
		t.Errorf("disqualified without a reason names %v", got)
	}
	if got := patchLead(e, u, l.ID, 2, map[string]any{"status": "converted"}, http.StatusUnprocessableEntity).fields(); !slices.Equal(got, []string{"status"}) {
		t.Errorf("converted by PATCH names %v", got)
	}
	if got := patchLead(e, u, l.ID, 2, map[string]any{"status": "new"}, http.StatusUnprocessableEntity).fields(); !slices.Equal(got, []string{"status"}) {
		t.Errorf("back to new names %v", got)
	}
	d := contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, 2, map[string]any{"status": "disqualified", "disqualifiedReason": "No budget"}, http.StatusOK))
	if d.Status != "disqualified" || d.DisqualifiedReason != "No budget" {
		t.Errorf("disqualified %+v", d)
	}
	// Taken up again, the reason goes.
	d = contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, 3, map[string]any{"status": "nurturing"}, http.StatusOK))
	if d.Status != "nurturing" || d.DisqualifiedReason != "" || d.Version != 4 {
		t.Errorf("taken up again %+v", d)
	}

	// Delete and restore.
	e.want(e.do(u, "DELETE", "/v1/leads/"+l.ID, nil, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	e.want(e.do(u, "DELETE", "/v1/leads/"+l.ID, nil, "If-Match", kitx.ETag(4)), http.StatusNoContent)
	if got := contracttest.Decode[leads.Lead](e.want(e.do(u, "GET", "/v1/leads/"+l.ID, nil), http.StatusOK)); got.DeletedAt == nil {
		t.Errorf("a deleted lead reads %+v, want deletedAt", got)
	}
	if live := listLeads(e, u, ""); len(live) != 0 {
		t.Errorf("live list after the delete: %v", live)
	}
	if deleted := listLeads(e, u, "?deleted=true"); !slices.Equal(deleted, []string{l.ID}) {
		t.Errorf("deleted list: %v", deleted)
	}
	patchLead(e, u, l.ID, 5, map[string]any{"title": "x"}, http.StatusNotFound)
	e.want(e.do(u, "DELETE", "/v1/leads/"+l.ID, nil), http.StatusNotFound)
	restored := contracttest.Decode[leads.Lead](e.want(e.do(u, "POST", "/v1/leads/"+l.ID+"/restore", nil), http.StatusOK))
	if restored.DeletedAt != nil || restored.Version != 6 {
		t.Errorf("restored %+v", restored)
	}
	e.want(e.do(u, "POST", "/v1/leads/"+l.ID+"/restore", nil), http.StatusConflict)

	// A converted lead (conversion writes it) is kept as it was.
	if _, err := e.admin.Exec("UPDATE leads SET status = 'converted', converted_at = now(), converted_contact_id = $2, version = 7 WHERE id = $1",
		l.ID, uuid.NewString()); err != nil {
		t.Fatal(err)
	}
	converted := contracttest.Decode[leads.Lead](e.want(e.do(u, "GET", "/v1/leads/"+l.ID, nil), http.StatusOK))
	if converted.Status != "converted" || converted.ConvertedAt == nil || converted.ConvertedContactID == "" {
		t.Errorf("converted %+v", converted)
	}
	patchLead(e, u, l.ID, 7, map[string]any{"title": "Engineer"}, http.StatusUnprocessableEntity)

	want := []string{"dev.rapport.sales.lead.created.v1", "dev.rapport.sales.lead.updated.v1", "dev.rapport.sales.lead.updated.v1",
		"dev.rapport.sales.lead.updated.v1", "dev.rapport.sales.lead.deleted.v1", "dev.rapport.sales.lead.restored.v1"}
	if got := eventTypes(e, l.ID); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	validateEvents(t, e)
}

// TestLeadList: newest first, a page at a time, filtered by status,
// owner, team, source, rating and a prefix of the names, the company or
// the email.
func TestLeadList(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	other := uuid.NewString()
	a := createLead(e, u, map[string]any{"lastName": "Lovelace", "company": "Engines", "source": "web", "rating": "hot", "teamId": "emea"})
	b := createLead(e, u, map[string]any{"firstName": "Grace", "company": "Navy", "email": "grace@navy.example", "source": "referral", "ownerId": other})
	c := createLead(e, u, map[string]any{"company": "Enigma_Works", "status": "qualified", "rating": "cold"})
	if got := listLeads(e, u, ""); !slices.Equal(got, []string{c.ID, b.ID, a.ID}) {
		t.Errorf("all: %v", got)
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"?status=qualified", []string{c.ID}}, {"?status=new", []string{b.ID, a.ID}}, {"?ownerId=" + other, []string{b.ID}},
		{"?teamId=emea", []string{a.ID}}, {"?source=web", []string{a.ID}}, {"?rating=cold", []string{c.ID}},
		{"?q=LOVE", []string{a.ID}}, {"?q=gra", []string{b.ID}}, {"?q=grace%40navy", []string{b.ID}}, {"?q=en", []string{c.ID, a.ID}},
		{"?q=enigma_", []string{c.ID}}, {"?q=enigma%25", nil}, {"?status=converted", nil},
	} {
		if got := listLeads(e, u, tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.query, got, tt.want)
		}
	}
	page := contracttest.Decode[leadPage](e.want(e.do(u, "GET", "/v1/leads?limit=2", nil), http.StatusOK))
	if !slices.Equal(leadIDs(page.Items), []string{c.ID, b.ID}) || page.NextCursor == "" {
		t.Fatalf("first page %v", leadIDs(page.Items))
	}
	if got := listLeads(e, u, "?limit=2&cursor="+page.NextCursor); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("second page %v", got)
	}
}

// TestLeadDuplicates: a lead sharing an email (regardless of case) or a
// phone (E.164, however written) with live leads the caller may see is
// created, with their ids; GET duplicates lists them.
func TestLeadDuplicates(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	alice := admin.scoped(auth.ScopeOwn)
	a := createLead(e, admin, map[string]any{"lastName": "Lovelace", "email": "ada@example.com"})
	b := createLead(e, admin, map[string]any{"lastName": "Byron", "phone": "+44 (20) 7946-0958"})
	gone := createLead(e, admin, map[string]any{"lastName": "Gone", "email": "ADA@example.com"})
	e.want(e.do(admin, "DELETE", "/v1/leads/"+gone.ID, nil), http.StatusNoContent)
	c := createLead(e, admin, map[string]any{"lastName": "Lovelace", "email": " Ada@Example.COM ", "phone": "+442079460958"})
	if !slices.Equal(c.Duplicates, []string{b.ID, a.ID}) {
		t.Errorf("duplicates %v, want %v", c.Duplicates, []string{b.ID, a.ID})
	}
	if got := leadIDs(contracttest.Decode[leadPage](e.want(e.do(admin, "GET", "/v1/leads/"+a.ID+"/duplicates", nil), http.StatusOK)).Items); !slices.Equal(got, []string{c.ID}) {
		t.Errorf("a's duplicates %v", got)
	}
	// Alice sees none of them: nothing of theirs is told her.
	mine := createLead(e, alice, map[string]any{"email": "ada@example.com"})
	if len(mine.Duplicates) != 0 {
		t.Errorf("alice is told of %v", mine.Duplicates)
	}
	if other := createLead(e, admin, map[string]any{"lastName": "Other", "email": "other@example.com"}); len(other.Duplicates) != 0 {
		t.Errorf("an unrelated lead has duplicates %v", other.Duplicates)
	}
	e.want(e.do(alice, "GET", "/v1/leads/"+a.ID+"/duplicates", nil), http.StatusNotFound)
	// Another tenant's lead with the same email is no duplicate.
	if x := createLead(e, newUser(uuid.NewString()), map[string]any{"email": "ada@example.com"}); len(x.Duplicates) != 0 {
		t.Errorf("another tenant's lead has duplicates %v", x.Duplicates)
	}
}

// TestLeadScope: a caller sees its own leads (scope own), its teams' too
// (team) or all; one out of scope is not found to every operation; the
// permissions are sales:read and sales:write; another tenant sees
// nothing.
func TestLeadScope(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	alice, bob := admin.scoped(auth.ScopeOwn), admin.scoped(auth.ScopeOwn)
	manager := admin.scoped(auth.ScopeTeam, "emea")
	a := createLead(e, alice, map[string]any{"lastName": "Alice's", "teamId": "emea"})
	b := createLead(e, bob, map[string]any{"lastName": "Bob's"})
	for _, tt := range []struct {
		who  string
		u    user
		sees []string
	}{{"own", alice, []string{a.ID}}, {"other own", bob, []string{b.ID}}, {"team", manager, []string{a.ID}}, {"all", admin, []string{b.ID, a.ID}}} {
		if got := listLeads(e, tt.u, ""); !slices.Equal(got, tt.sees) {
			t.Errorf("%s lists %v, want %v", tt.who, got, tt.sees)
		}
	}
	for _, path := range []string{"/v1/leads/" + a.ID, "/v1/leads/" + a.ID + "/duplicates"} {
		e.want(e.do(bob, "GET", path, nil), http.StatusNotFound)
		e.want(e.do(manager, "GET", path, nil), http.StatusOK)
	}
	patchLead(e, bob, a.ID, 1, map[string]any{"lastName": "pwned"}, http.StatusNotFound)
	e.want(e.do(bob, "DELETE", "/v1/leads/"+a.ID, nil), http.StatusNotFound)
	e.want(e.do(bob, "POST", "/v1/leads/"+a.ID+"/restore", nil), http.StatusNotFound)
	patchLead(e, manager, a.ID, 1, map[string]any{"rating": "warm"}, http.StatusOK)

	reader := admin.as("sales:read")
	e.want(e.do(reader, "GET", "/v1/leads/"+a.ID, nil), http.StatusOK)
	e.want(e.do(reader, "POST", "/v1/leads", map[string]any{"lastName": "X"}), http.StatusForbidden)
	patchLead(e, reader, a.ID, 2, map[string]any{"lastName": "X"}, http.StatusForbidden)
	e.want(e.do(reader, "DELETE", "/v1/leads/"+a.ID, nil), http.StatusForbidden)
	e.want(e.do(admin.as("contacts:*"), "GET", "/v1/leads", nil), http.StatusForbidden)

	stranger := newUser(uuid.NewString())
	e.want(e.do(stranger, "GET", "/v1/leads/"+a.ID, nil), http.StatusNotFound)
	if got := listLeads(e, stranger, ""); len(got) != 0 {
		t.Errorf("another tenant lists %v", got)
	}
}

// TestLeadBadInput: every bad field is named; read-only fields are
// refused; a lead needs something to call it by.
func TestLeadBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, tt := range []struct {
		name   string
		body   map[string]any
		status int
		fields []string
	}{
		{"nothing to call it by", map[string]any{"source": "web"}, http.StatusBadRequest, []string{"lastName"}},
		{"bad email and phone", map[string]any{"lastName": "X", "email": "not an email", "phone": "020 7946 0958"}, http.StatusBadRequest, []string{"email", "phone"}},
		{"short phone", map[string]any{"lastName": "X", "phone": "+44 12"}, http.StatusBadRequest, []string{"phone"}},
		{"letters in the phone", map[string]any{"lastName": "X", "phone": "+44 20 CALL NOW"}, http.StatusBadRequest, []string{"phone"}},
		{"bad campaign", map[string]any{"lastName": "X", "campaignId": "camp-1"}, http.StatusBadRequest, []string{"campaignId"}},
		{"bad rating and status", map[string]any{"lastName": "X", "rating": "lukewarm", "status": "lost"}, http.StatusBadRequest, []string{"rating", "status"}},
		{"converted", map[string]any{"lastName": "X", "status": "converted"}, http.StatusUnprocessableEntity, []string{"status"}},
		{"disqualified without a reason", map[string]any{"lastName": "X", "status": "disqualified"}, http.StatusBadRequest, []string{"disqualifiedReason"}},
		{"read-only", map[string]any{"lastName": "X", "score": 90, "convertedAt": "2026-01-01T00:00:00Z"}, http.StatusBadRequest, []string{"convertedAt", "score"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(u, "POST", "/v1/leads", tt.body)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Raw)
			}
			if got := r.fields(); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
		})
	}
	l := createLead(e, u, map[string]any{"lastName": "X"})
	if got := patchLead(e, u, l.ID, 1, map[string]any{"assignedByRuleId": uuid.NewString()}, http.StatusBadRequest).fields(); !slices.Equal(got, []string{"assignedByRuleId"}) {
		t.Errorf("a read-only patch names %v", got)
	}
	if got := patchLead(e, u, l.ID, 1, map[string]any{"lastName": nil}, http.StatusBadRequest).fields(); !slices.Equal(got, []string{"lastName"}) {
		t.Errorf("removing its only name names %v", got)
	}
	for _, q := range []string{"status=lost", "rating=x", "limit=0", "deleted=maybe"} {
		e.want(e.do(u, "GET", "/v1/leads?"+q, nil), http.StatusBadRequest)
	}
	e.want(e.do(u, "GET", "/v1/leads/not-a-uuid", nil), http.StatusNotFound)
}
