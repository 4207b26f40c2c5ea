package support_test

import (
	"bytes"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// TestPortalSubmitsCases: a submitted case is opened on the portal's
// tenant (channel portal, the customer's description as its first public
// reply, with its files); the honeypot's forms are answered alike and
// dropped; an address over its cases an hour is 429; bad forms name
// their fields.
func TestPortalSubmitsCases(t *testing.T) {
	e := newPortalEnv(t, "3")
	a := newTenant()
	agent, pa := newUser(a), portalUser(a)

	sub := contracttest.Decode[map[string]string](e.want(e.do(pa, "POST", "/portal/v1/cases", map[string]any{"name": "Ada",
		"email": "ada@example.com", "subject": "Printer jammed", "description": "It blinks red.",
		"attachments": []map[string]any{{"name": "note.txt", "contentType": "text/plain", "data": []byte("paper stuck")}}}), 202))
	if !strings.Contains(sub["message"], "link") {
		t.Errorf("answer %q does not say a link was sent", sub["message"])
	}
	ids := e.submittedCases(a, "ada@example.com")
	if len(ids) != 1 {
		t.Fatalf("%d cases submitted, want 1", len(ids))
	}
	c := e.readCase(agent, ids[0])
	if c.Channel != "portal" || c.Subject != "Printer jammed" || c.Status != "new" || c.CreatedBy != "system:portal" {
		t.Errorf("case %+v, want a new portal case", c)
	}
	entries := e.entriesOf(agent, c.ID)
	if len(entries) != 1 || entries[0].AuthorType != "customer" || entries[0].AuthorEmail != "ada@example.com" || !entries[0].Public ||
		entries[0].BodyText != "It blinks red." || len(entries[0].Attachments) != 1 || entries[0].Attachments[0].Name != "note.txt" {
		t.Errorf("thread %+v, want the customer's description with the file", entries)
	}

	// multipart, with a file
	body, ct := portalForm(t, "photo.png", bytes.Repeat([]byte("x"), 100), "email", "Ada@Example.com", "subject", "Still jammed",
		"description", "Photo attached.")
	e.want(e.do(pa, "POST", "/portal/v1/cases", body, "Content-Type", ct), 202)
	if n := len(e.submittedCases(a, "ada@example.com")); n != 2 {
		t.Fatalf("%d cases after the multipart form, want 2", n)
	}

	// the honeypot: answered alike, nothing opened
	e.want(e.do(pa, "POST", "/portal/v1/cases", map[string]any{"email": "bot@example.com", "subject": "Cheap pills",
		"description": "Buy now", "website": "http://spam.example"}), 202)
	if n := len(e.submittedCases(a, "bot@example.com")); n != 0 {
		t.Errorf("the honeypot's form opened %d cases", n)
	}

	// the third case of the hour passes, the fourth is refused
	e.want(e.do(pa, "POST", "/portal/v1/cases", map[string]any{"email": "ada@example.com", "subject": "Three", "description": "3"}), 202)
	r := e.do(pa, "POST", "/portal/v1/cases", map[string]any{"email": "ada@example.com", "subject": "Four", "description": "4"})
	if r.Status != 429 || len(e.submittedCases(a, "ada@example.com")) != 3 {
		t.Errorf("the fourth case of the hour: %d, want 429 and 3 cases", r.Status)
	}

	// bad forms
	r = e.do(pa, "POST", "/portal/v1/cases", map[string]any{"email": "not an address", "subject": "", "description": "x"})
	if r.Status != 400 || !slices.Equal(r.fields(), []string{"email", "subject"}) {
		t.Errorf("bad form: %d %v, want 400 naming email and subject", r.Status, r.fields())
	}
	r = e.do(pa, "POST", "/portal/v1/cases", map[string]any{"email": "ada@example.com", "subject": "s", "description": "d", "admin": true})
	if r.Status != 400 || !slices.Equal(r.fields(), []string{"admin"}) {
		t.Errorf("unknown field: %d %v, want 400 naming admin", r.Status, r.fields())
	}
	body, ct = portalForm(t, "", nil, "email", "ada@example.com", "email", "eve@example.com", "subject", "s", "description", "d")
	if r = e.do(pa, "POST", "/portal/v1/cases", body, "Content-Type", ct); r.Status != 400 || !slices.Equal(r.fields(), []string{"email"}) {
		t.Errorf("a repeated field: %d %v, want 400 naming email", r.Status, r.fields())
	}
	if r = e.do(pa, "POST", "/portal/v1/cases", "email=a", "Content-Type", "application/x-www-form-urlencoded"); r.Status != 415 {
		t.Errorf("a urlencoded form: %d, want 415", r.Status)
	}
	prog := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 200)...)
	body, ct = portalForm(t, "setup.exe", prog, "email", "eve@example.com", "subject", "s", "description", "d")
	if r = e.do(pa, "POST", "/portal/v1/cases", body, "Content-Type", ct); r.Status != 422 || len(e.submittedCases(a, "eve@example.com")) != 0 {
		t.Errorf("a program attached: %d, want 422 and no case", r.Status)
	}
}

// TestPortalCaseLinks: the holder of a case's link reads its public
// thread (never the internal notes) and replies to it; a forged, expired,
// missing token, one of another case, or one of another tenant is 403
// with no detail, and another tenant's portal never shows the case.
func TestPortalCaseLinks(t *testing.T) {
	e := newPortalEnv(t, "5")
	a, b := newTenant(), newTenant()
	agent, pa, pb := newUser(a), portalUser(a), portalUser(b)
	id := e.submitCase(a, "ada@example.com", "Printer jammed")
	other := e.submitCase(a, "eve@example.com", "Scanner broken")
	e.want(e.do(agent, "POST", "/v1/cases/"+id+"/notes", map[string]any{"bodyText": "internal: customer is on the old plan"}), 201)
	e.want(e.do(agent, "POST", "/v1/cases/"+id+"/replies", map[string]any{"bodyText": "Please open the tray.", "status": "pending_customer"}), 201)

	week := time.Now().Add(7 * 24 * time.Hour)
	tok := portalLink(t, portalKey, a, id, "ada@example.com", week)
	c := contracttest.Decode[portalCase](e.want(e.do(pa, "GET", "/portal/v1/cases/"+id+"?token="+tok, nil), 200))
	if c.Subject != "Printer jammed" || c.Status != "pending_customer" || len(c.Entries) != 2 ||
		c.Entries[0].AuthorType != "customer" || c.Entries[1].BodyText != "Please open the tray." {
		t.Errorf("the portal shows %+v, want the two public replies", c)
	}
	if strings.Contains(string(e.do(pa, "GET", "/portal/v1/cases/"+id+"?token="+tok, nil).Raw), "internal:") {
		t.Error("the portal shows an internal note")
	}

	answer := contracttest.Decode[portalEntry](e.want(e.do(pa, "POST", "/portal/v1/cases/"+id+"/replies?token="+tok,
		map[string]any{"body": "Done, it works."}), 201))
	if answer.CaseID != id || answer.AuthorType != "customer" {
		t.Errorf("reply %+v", answer)
	}
	if got := e.readCase(agent, id); got.Status != "open" {
		t.Errorf("after the customer's reply the case is %s, want open", got.Status)
	}
	entries := e.entriesOf(agent, id)
	if last := entries[len(entries)-1]; last.AuthorEmail != "ada@example.com" || last.Channel != "portal" || last.BodyText != "Done, it works." {
		t.Errorf("the reply is stored as %+v", last)
	}
	body, ct := portalForm(t, "log.txt", []byte("error 42"), "body", "")
	e.want(e.do(pa, "POST", "/portal/v1/cases/"+id+"/replies?token="+tok, body, "Content-Type", ct), 201)
	// the files of the public thread download; an internal note's do not
	c = contracttest.Decode[portalCase](e.want(e.do(pa, "GET", "/portal/v1/cases/"+id+"?token="+tok, nil), 200))
	if last := c.Entries[len(c.Entries)-1]; len(last.Attachments) != 1 || last.Attachments[0].Name != "log.txt" {
		t.Fatalf("the reply's files: %+v", last.Attachments)
	}
	fileID := c.Entries[len(c.Entries)-1].Attachments[0].ID
	if r := e.want(e.do(pa, "GET", "/portal/v1/cases/"+id+"/attachments/"+fileID+"?token="+tok, nil), 200); string(r.Raw) != "error 42" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("download: %q, %q", r.Raw, r.Header.Get("Content-Disposition"))
	}
	up, upType := attachmentBody(t, "file", "secret.txt", "text/plain", []byte("internal only"))
	secret := contracttest.Decode[map[string]any](e.want(e.do(agent, "POST", "/v1/cases/"+id+"/attachments", up, "Content-Type", upType), 201))
	secretID, _ := secret["id"].(string)
	e.want(e.do(agent, "POST", "/v1/cases/"+id+"/notes", map[string]any{"bodyText": "see file", "attachmentIds": []string{secretID}}), 201)
	e.want(e.do(pa, "GET", "/portal/v1/cases/"+id+"/attachments/"+secretID+"?token="+tok, nil), 404)
	e.want(e.do(pa, "GET", "/portal/v1/cases/"+id+"/attachments/"+fileID+"?token="+forgedOf(tok), nil), 403)
	if r := e.do(pa, "POST", "/portal/v1/cases/"+id+"/replies?token="+tok, map[string]any{"body": " "}); r.Status != 400 ||
		!slices.Equal(r.fields(), []string{"body"}) {
		t.Errorf("an empty reply: %d %v, want 400 naming body", r.Status, r.fields())
	}

	forged := forgedOf(tok)
	refused := map[string]struct {
		u    user
		path string
	}{
		"forged":               {pa, id + "?token=" + forged},
		"expired":              {pa, id + "?token=" + portalLink(t, portalKey, a, id, "ada@example.com", time.Now().Add(-time.Minute))},
		"another case's":       {pa, other + "?token=" + tok},
		"missing":              {pa, id + "?token="},
		"another key's":        {pa, id + "?token=" + portalLink(t, bytes.Repeat([]byte("q"), 32), a, id, "ada@example.com", week)},
		"on another portal":    {pb, id + "?token=" + tok},
		"not a token":          {pa, id + "?token=abc"},
		"another tenant's key": {pb, id + "?token=" + portalLink(t, portalKey, a, id, "ada@example.com", week)},
	}
	for what, c := range refused {
		for _, r := range []reply{e.do(c.u, "GET", "/portal/v1/cases/"+c.path, nil),
			e.do(c.u, "POST", "/portal/v1/cases/"+strings.Replace(c.path, "?", "/replies?", 1), map[string]any{"body": "hi"})} {
			if p := contracttest.Decode[problemBody](r); r.Status != 403 || !strings.HasSuffix(p.Type, "portal-link-invalid") {
				t.Errorf("%s token: %d %s, want 403 portal-link-invalid", what, r.Status, r.Raw)
			}
		}
	}
	// Even a token signed for tenant B and A's case id finds nothing on
	// B's portal: the case is A's (row-level security).
	tokB := portalLink(t, portalKey, b, id, "ada@example.com", week)
	e.want(e.do(pb, "GET", "/portal/v1/cases/"+id+"?token="+tokB, nil), 404)
	e.want(e.do(pb, "POST", "/portal/v1/cases/"+id+"/replies?token="+tokB, map[string]any{"body": "hi"}), 404)
	if n := len(e.entriesOf(agent, id)); n != 6 {
		t.Errorf("%d entries after the refused replies, want 6", n)
	}
}

// TestPortalMailsTheCaseLink: the link of a submitted case goes out by
// mail through the email channel's relay (with a key random to the
// process, only the mail holds a valid token), to the portal the gateway
// names; it opens the case, and the honeypot's forms are mailed nothing.
func TestPortalMailsTheCaseLink(t *testing.T) {
	t.Setenv("SUPPORT_PORTAL_URL", "https://crm.example.test/")
	e := newMailEnv(t)
	a := newTenant()
	pa := portalUser(a)
	e.want(e.do(pa, "POST", "/portal/v1/cases", map[string]any{"email": "bot@example.com", "subject": "Spam", "description": "Buy",
		"website": "x"}), 202)
	e.want(e.do(pa, "POST", "/portal/v1/cases", map[string]any{"name": "Ada", "email": "ada@example.com", "subject": "Printer jammed",
		"description": "It blinks red."}, "X-Portal-Base", "/portal/acme"), 202)
	out := e.nextSent()
	to, _ := out.Header.AddressList("To")
	subject, _ := out.Header.Subject()
	if len(to) != 1 || to[0].Address != "ada@example.com" || !strings.Contains(subject, "Printer jammed") {
		t.Errorf("mail to %v, subject %q", to, subject)
	}
	part, err := out.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(part.Body)
	m := regexp.MustCompile(`https://crm\.example\.test/portal/acme/cases/([0-9a-f-]{36})\?token=(\S+)`).FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no link in the mail:\n%s", body)
	}
	tok, err := url.QueryUnescape(m[2])
	if err != nil {
		t.Fatal(err)
	}
	c := contracttest.Decode[portalCase](e.want(e.do(pa, "GET", "/portal/v1/cases/"+m[1]+"?token="+url.QueryEscape(tok), nil), 200))
	if c.Subject != "Printer jammed" || len(c.Entries) != 1 {
		t.Errorf("the link opens %+v", c)
	}
	e.noneSent()
}

// forgedOf is tok with its signature's end changed.
func forgedOf(tok string) string {
	if strings.HasSuffix(tok, "AA") {
		return tok[:len(tok)-2] + "BB"
	}
	return tok[:len(tok)-2] + "AA"
}
