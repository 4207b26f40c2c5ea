package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// auditEntry is the part of an audit entry the tests read.
type auditEntry struct {
	TenantID      string   `json:"tenantId"`
	Kind          string   `json:"kind"`
	UserID        string   `json:"userId"`
	Method        string   `json:"method"`
	Path          string   `json:"path"`
	Status        int      `json:"status"`
	ResourceID    string   `json:"resourceId"`
	ChangedFields []string `json:"changedFields"`
}

// testAuditReads works in a tenant of its own, so its audit log holds only
// this test's calls: an export, a contact's personal data (an export too),
// a read of a contact and a large list page each leave an entry, small
// list pages do not, an update names the fields it changed, as the contacts
// service reported them, and nothing a client sent, and an erasure is a
// request.
func testAuditReads(t *testing.T, st *stack.Stack) {
	tn := st.CreateTenant(t, "e2e-audit-"+letters(6))
	gw, token := st.GatewayURL, tn.Admin.Token
	var c struct {
		ID string `json:"id"`
	}
	stack.Must(t, stack.Request{Method: "POST", URL: gw + "/v1/contacts", Token: token,
		Body: map[string]any{"firstName": "Ada", "lastName": "Lovelace"}}, http.StatusCreated, &c)
	contact := "/v1/contacts/" + c.ID
	forged := map[string]string{"Rapport-Changed-Fields": "ssn,salary"}
	for _, r := range []stack.Request{
		{Method: "GET", URL: gw + contact},
		{Method: "GET", URL: gw + "/v1/contacts?limit=150"},
		{Method: "GET", URL: gw + "/v1/contacts?limit=20", Header: forged},
		{Method: "GET", URL: gw + "/v1/contacts"},
		{Method: "GET", URL: gw + "/v1/contacts/export"},
		{Method: "GET", URL: gw + contact + "/personal-data"},
	} {
		r.Token = token
		stack.Must(t, r, http.StatusOK, nil)
	}
	res := stack.Must(t, stack.Request{Method: "PATCH", URL: gw + contact, Token: token, Header: map[string]string{"If-Match": `"1"`, "Rapport-Changed-Fields": "ssn"},
		Body: map[string]any{"firstName": "Augusta", "jobTitle": "Analyst"}}, http.StatusOK, nil)
	if v, ok := res.Header["Rapport-Changed-Fields"]; ok {
		t.Errorf("the client received Rapport-Changed-Fields %q", v)
	}
	stack.Must(t, stack.Request{Method: "POST", URL: gw + contact + "/erase", Token: token, Body: map[string]any{"reason": "request 1"}}, http.StatusOK, nil)

	var log []auditEntry
	testkit.Eventually(t, 10*time.Second, "the update in the audit log", func() (bool, string) {
		log = readAudit(t, st, token)
		return slices.ContainsFunc(log, func(e auditEntry) bool { return e.Path == contact+"/erase" }), fmt.Sprintf("%+v", log)
	})
	type seen struct{ kind, method, path string }
	var got []seen
	for _, e := range log {
		got = append(got, seen{e.Kind, e.Method, e.Path})
		if e.Method == "PATCH" && !slices.Equal(e.ChangedFields, []string{"displayName", "firstName", "jobTitle"}) {
			t.Errorf("update's changed fields %q, want [displayName firstName jobTitle]", e.ChangedFields)
		}
		if e.Method != "PATCH" && e.ChangedFields != nil {
			t.Errorf("%s %s: changed fields %q, want none", e.Method, e.Path, e.ChangedFields)
		}
	}
	want := []seen{ // newest first
		{"request", "POST", contact + "/erase"},
		{"request", "PATCH", contact},
		{"export", "GET", contact + "/personal-data"},
		{"export", "GET", "/v1/contacts/export"},
		{"bulk_read", "GET", "/v1/contacts"},
		{"read", "GET", contact},
		{"request", "POST", "/v1/contacts"},
		{"login_success", "POST", "/v1/auth/login"}, // the administrator's, by CreateTenant
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit log\n got %v\nwant %v", got, want)
	}
}

// testAudit reads each tenant's audit log as its administrator: it lists
// the tenant's own mutations (the fixture's creates; the attempts on the
// other tenant's ids, refused) and nothing of the other tenant.
func testAudit(t *testing.T, w *world) {
	for _, tt := range []struct{ own, other *side }{{w.a, w.b}, {w.b, w.a}} {
		t.Run(tt.own.name, func(t *testing.T) {
			var log []auditEntry
			// The writer batches: wait for the last fixture create.
			testkit.Eventually(t, 10*time.Second, fmt.Sprintf("the create of contact %s in the audit of %s", tt.own.fixture.Contact2ID, tt.own.name), func() (bool, string) {
				log = readAudit(t, w.st, tt.own.tenant.Admin.Token)
				return slices.ContainsFunc(log, func(e auditEntry) bool { return e.ResourceID == tt.own.fixture.Contact2ID }), fmt.Sprintf("%d entries", len(log))
			})
			for _, id := range tt.own.fixture.IDs() {
				if !slices.ContainsFunc(log, func(e auditEntry) bool { return e.ResourceID == id && e.Method == "POST" && e.Status == 201 }) {
					t.Errorf("audit lists no 201 POST creating %s", id)
				}
			}
			refused := slices.ContainsFunc(log, func(e auditEntry) bool {
				return e.ResourceID == tt.other.fixture.ContactID && e.Method == "PATCH" && e.Status == 404
			})
			if !refused {
				t.Errorf("audit lists no refused PATCH of the other tenant's contact %s", tt.other.fixture.ContactID)
			}
			for _, e := range log {
				if e.TenantID != tt.own.tenant.ID || slices.Contains(tt.other.userIDs, e.UserID) {
					t.Errorf("entry of another tenant: %+v", e)
				}
			}
		})
	}
}

// readAudit returns the whole audit log token's tenant may read.
func readAudit(t *testing.T, st *stack.Stack, token string) []auditEntry {
	t.Helper()
	var all []auditEntry
	cursor := ""
	for {
		var page struct {
			Items      []auditEntry `json:"items"`
			NextCursor string       `json:"nextCursor"`
		}
		u := st.GatewayURL + "/v1/audit?limit=200"
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		stack.Must(t, stack.Request{Method: "GET", URL: u, Token: token}, http.StatusOK, &page)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}
