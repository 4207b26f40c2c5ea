package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestSupportMatchesContacts: a case that a mail or the portal opens is
// tied to the contact, made in the real contacts service, whose address the
// customer writes from, and to its account, with the support service
// learning contacts' addresses from their events; an unknown address opens
// a case without a contact; with contacts stopped, mail still opens cases,
// still tied to the contact.
func TestSupportMatchesContacts(t *testing.T) {
	st := stack.Start(t, bins) // a stack of its own: the test stops its contacts service
	tn := st.CreateTenant(t, "e2e-customers-"+letters(6))
	call := func(method, path string, body any, want int, out any) {
		t.Helper()
		stack.Must(t, stack.Request{Method: method, URL: st.GatewayURL + path, Token: tn.Admin.Token, Body: body}, want, out)
	}
	var account, contact struct{ ID string }
	call(http.MethodPost, "/v1/accounts", map[string]any{"name": "Analytical " + letters(6)}, http.StatusCreated, &account)
	address := "Ada." + letters(8) + "@Analytical.example"
	call(http.MethodPost, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace", "accountId": account.ID,
		"emails": []map[string]any{{"address": address}}}, http.StatusCreated, &contact)
	mailbox := "help@" + tn.Slug + ".example"
	call(http.MethodPost, "/v1/support-mailboxes", map[string]any{"address": mailbox, "fromName": "Help"}, http.StatusCreated, nil)

	type customer struct{ ContactID, AccountID string }
	caseCustomer := func(id string) (c customer) {
		t.Helper()
		call(http.MethodGet, "/v1/cases/"+id, nil, http.StatusOK, &c)
		return c
	}
	mail := func(from string) customer {
		t.Helper()
		raw := "From: " + from + "\r\nTo: " + mailbox + "\r\nSubject: It does not start\r\nMessage-ID: <" + ids.New() +
			"@customer.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe printer does not start.\r\n"
		var r struct{ Status, CaseID string }
		call(http.MethodPost, "/v1/inbound-email", stack.Raw{ContentType: "message/rfc822", Data: []byte(raw)}, http.StatusAccepted, &r)
		if r.Status != "delivered" || r.CaseID == "" {
			t.Fatalf("the mail from %s: %+v", from, r)
		}
		return caseCustomer(r.CaseID)
	}
	want := customer{contact.ID, account.ID}

	// The contact reaches support through contacts' events: a mail sent
	// before support has read it opens a case without the contact.
	testkit.Eventually(t, time.Minute, "a mail from the contact's address is the contact's", func() (bool, string) {
		got := mail(strings.ToUpper(address))
		return got == want, "the case's customer " + got.ContactID + " " + got.AccountID
	})
	if got := mail("nobody." + letters(8) + "@example.org"); got != (customer{}) {
		t.Errorf("a mail from an unknown address: %+v, want no contact", got)
	}

	subject := "Portal " + letters(10)
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/portal/" + tn.Slug + "/api/v1/cases", Body: map[string]any{
		"name": "Ada", "email": strings.ToLower(address), "subject": subject, "description": "It broke."}}, http.StatusAccepted, nil)
	var page struct{ Items []struct{ ID string } }
	call(http.MethodGet, "/v1/cases?q="+url.QueryEscape(subject), nil, http.StatusOK, &page)
	if len(page.Items) != 1 {
		t.Fatalf("%d cases from the portal, want 1", len(page.Items))
	}
	if got := caseCustomer(page.Items[0].ID); got != want {
		t.Errorf("the portal's case: %+v, want %+v", got, want)
	}

	st.StopContacts()
	defer st.StartContacts(t)
	if got := mail(address); got != want {
		t.Errorf("a mail while contacts is down: %+v, want %+v", got, want)
	}
}
