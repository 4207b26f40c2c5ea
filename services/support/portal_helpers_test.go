package support_test

import (
	"bytes"
	"mime/multipart"
	"net/textproto"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/services/support/portal"
)

// portalKey signs the portal's links in these tests: the service reads it
// from SUPPORT_PORTAL_KEY, the tests sign with it (as the mailed link
// would hold).
var portalKey = bytes.Repeat([]byte("p"), 32)

// newPortalEnv starts the service with portalKey and at most perHour
// cases an hour from one address.
func newPortalEnv(t *testing.T, perHour string) *env {
	t.Helper()
	t.Setenv("SUPPORT_PORTAL_KEY", string(portalKey))
	t.Setenv("SUPPORT_PORTAL_CASES_PER_HOUR", perHour)
	return newEnv(t)
}

// portalUser is the principal the gateway mints for tenant's portal.
func portalUser(tenant string) user {
	return user{tenant: tenant, id: "portal", perms: []string{portal.PermPortal}}
}

// portalLink is the token of a link to the tenant's case caseID for email,
// expiring at expires, signed with key.
func portalLink(t *testing.T, key []byte, tenant, caseID, email string, expires time.Time) string {
	t.Helper()
	l, err := portal.NewLinks(key)
	if err != nil {
		t.Fatal(err)
	}
	return l.Sign(tenant, caseID, email, expires)
}

// portalCase is a case as the portal shows it.
type portalCase struct {
	ID      string        `json:"id"`
	Number  int64         `json:"number"`
	Subject string        `json:"subject"`
	Status  string        `json:"status"`
	Entries []portalEntry `json:"entries"`
}

// portalEntry is an entry of a case's public thread.
type portalEntry struct {
	ID          string `json:"id"`
	CaseID      string `json:"caseId"`
	AuthorType  string `json:"authorType"`
	BodyText    string `json:"bodyText"`
	Attachments []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		ContentType string `json:"contentType"`
	} `json:"attachments"`
}

// submittedCases returns the ids of the cases the portal of tenant opened
// for email, oldest first.
func (e *env) submittedCases(tenant, email string) []string {
	e.t.Helper()
	var out []string
	if err := e.admin.Select(&out, `SELECT case_id FROM portal_submissions WHERE tenant_id = $1 AND email = $2 ORDER BY created_at, id`,
		tenant, email); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// submitCase submits a case to tenant's portal from email and returns its
// id.
func (e *env) submitCase(tenant, email, subject string) string {
	e.t.Helper()
	before := len(e.submittedCases(tenant, email))
	e.want(e.do(portalUser(tenant), "POST", "/portal/v1/cases", map[string]any{"name": "Ada", "email": email, "subject": subject,
		"description": "It does not start."}), 202)
	got := e.submittedCases(tenant, email)
	if len(got) != before+1 {
		e.t.Fatalf("%d cases submitted from %s, want %d", len(got), email, before+1)
	}
	return got[len(got)-1]
}

// portalForm is a multipart form of fields (name, value pairs) and one
// file, and its Content-Type.
func portalForm(t *testing.T, file string, data []byte, fields ...string) (string, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := w.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if file != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", multipart.FileContentDisposition("attachments", file))
		h.Set("Content-Type", "application/octet-stream")
		p, err := w.CreatePart(h)
		if err == nil {
			_, err = p.Write(data)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return body.String(), w.FormDataContentType()
}

// newTenant is a fresh tenant id.
func newTenant() string { return uuid.NewString() }
