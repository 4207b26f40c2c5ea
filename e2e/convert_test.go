package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// conversion is the answer of POST /v1/leads/{id}/convert, as read here.
type conversion struct {
	Lead struct {
		ID, Status                                                     string
		ConvertedContactID, ConvertedAccountID, ConvertedOpportunityID string
		Version                                                        int64
	}
	ContactID, ContactAction, AccountID, AccountAction, OpportunityID string
}

// convertScene is a tenant of its own on a stack of its own (the test
// stops its contacts service), with a sales rep converting leads.
type convertScene struct {
	t     *testing.T
	st    *stack.Stack
	admin string // the administrator's token
	rep   *stack.User
	leads *int // the leads made so far, numbering their phones
}

// on returns s reporting to t (a subtest).
func (s *convertScene) on(t *testing.T) *convertScene {
	c := *s
	c.t = t
	return &c
}

// call sends a request through the gateway as token, checks the status
// and decodes the answer into out; headers are name, value pairs.
func (s *convertScene) call(token, method, path string, body any, want int, out any, headers ...string) stack.Response {
	s.t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return stack.Must(s.t, stack.Request{Method: method, URL: s.st.GatewayURL + path, Token: token, Body: body, Header: h}, want, out)
}

// lead creates a lead of the rep with email and company.
func (s *convertScene) lead(email, company string) string {
	s.t.Helper()
	*s.leads++
	var l struct{ ID string }
	s.call(s.rep.Token, "POST", "/v1/leads", map[string]any{"firstName": "Ada", "lastName": "Lovelace " + letters(4), "email": email,
		"company": company, "title": "Analyst", "phone": fmt.Sprintf("+44 20 7946 %04d", *s.leads)}, http.StatusCreated, &l)
	return l.ID
}

// count is how many contacts with the primary email, and accounts named
// company, the administrator sees.
func (s *convertScene) count(email, company string) (contacts, accounts int) {
	s.t.Helper()
	var page struct{ Items []struct{ ID string } }
	s.call(s.admin, "GET", "/v1/contacts?filter="+url.QueryEscape(`{"field": "emails", "op": "eq", "value": "`+strings.ToLower(email)+`"}`), nil, http.StatusOK, &page)
	contacts = len(page.Items)
	s.call(s.admin, "GET", "/v1/accounts?filter="+url.QueryEscape(`{"field": "name", "op": "eq", "value": "`+company+`"}`), nil, http.StatusOK, &page)
	return contacts, len(page.Items)
}

// TestLeadConversion converts leads through the real gateway, sales and
// contacts: the contact, account and opportunity made, their links, a
// retry with the key, a match by email, contacts down and back, a partial
// attempt retried, the caller's authority in contacts, and opportunities'
// references checked in contacts.
func TestLeadConversion(t *testing.T) {
	st, top := stack.Start(t, bins), t // contacts restarted lives as long as the test
	tn := st.CreateTenant(t, "e2e-convert-"+letters(6))
	s := &convertScene{t: t, st: st, admin: tn.Admin.Token, rep: st.Invite(t, tn, "rep@"+tn.Slug+".test", []string{"sales_rep"}),
		leads: new(int)}
	other := st.Invite(t, tn, "other@"+tn.Slug+".test", []string{"sales_rep"})

	email, company := "Ada."+letters(8)+"@Analytical.example", "Analytical "+letters(6)
	id := s.lead(email, company)
	key := ids.New()
	var first conversion
	s.call(s.rep.Token, "POST", "/v1/leads/"+id+"/convert", map[string]any{"opportunity": map[string]any{"create": true,
		"amount": map[string]any{"minor": 250000, "currency": "EUR"}, "closeDate": "2027-03-31"}}, http.StatusOK, &first, "Idempotency-Key", key)

	t.Run("the contact, account and opportunity are made and linked", func(t *testing.T) {
		s := s.on(t)
		if first.ContactAction != "created" || first.AccountAction != "created" || first.OpportunityID == "" {
			t.Fatalf("conversion %+v", first)
		}
		l := first.Lead
		if l.Status != "converted" || l.ConvertedContactID != first.ContactID || l.ConvertedAccountID != first.AccountID || l.ConvertedOpportunityID != first.OpportunityID {
			t.Errorf("the lead %+v", l)
		}
		var c struct {
			AccountID, OwnerID, JobTitle string
			Emails                       []struct{ Address string }
		}
		s.call(s.rep.Token, "GET", "/v1/contacts/"+first.ContactID, nil, http.StatusOK, &c)
		if c.AccountID != first.AccountID || c.JobTitle != "Analyst" || len(c.Emails) != 1 || !strings.EqualFold(c.Emails[0].Address, email) {
			t.Errorf("the contact %+v", c)
		}
		var a struct{ Name string }
		s.call(s.rep.Token, "GET", "/v1/accounts/"+first.AccountID, nil, http.StatusOK, &a)
		if a.Name != company {
			t.Errorf("the account is named %q, want %q", a.Name, company)
		}
		var o struct {
			AccountID, PrimaryContactID, Name string
			Amount                            struct{ Minor int64 }
		}
		s.call(s.rep.Token, "GET", "/v1/opportunities/"+first.OpportunityID, nil, http.StatusOK, &o)
		if o.AccountID != first.AccountID || o.PrimaryContactID != first.ContactID || o.Name != company || o.Amount.Minor != 250000 {
			t.Errorf("the opportunity %+v", o)
		}
	})

	t.Run("the contacts service acted as the caller", func(t *testing.T) {
		s := s.on(t)
		// contacts verifies tokens of audience contacts only; the owner it
		// gave the new contact is the principal it saw: the rep, not a
		// service of its own.
		var c struct{ OwnerID string }
		s.call(s.rep.Token, "GET", "/v1/contacts/"+first.ContactID, nil, http.StatusOK, &c)
		if c.OwnerID != s.rep.ID {
			t.Errorf("the contact's owner is %q, want the rep %q", c.OwnerID, s.rep.ID)
		}
		type entry struct{ Kind, UserID, Subject string }
		testkit.Eventually(t, 10*time.Second, "the rep's token exchange in the audit log", func() (bool, string) {
			var page struct{ Items []entry }
			s.call(s.admin, "GET", "/v1/audit?limit=200", nil, http.StatusOK, &page)
			return slices.ContainsFunc(page.Items, func(e entry) bool {
				return e.Kind == "token_exchange" && e.UserID == s.rep.ID && e.Subject == "sales→contacts"
			}), fmt.Sprintf("%+v", page.Items)
		})
	})

	t.Run("the conversion's events are published as their schemas say", func(t *testing.T) {
		var evs []events.Event
		want := []string{"dev.rapport.sales.lead.converted.v1", "dev.rapport.sales.lead.created.v1", "dev.rapport.sales.lead.updated.v1",
			"dev.rapport.sales.opportunity.created.v1"} // the topic's partitions order only each subject's
		testkit.Eventually(t, 30*time.Second, "the conversion's events on the sales topic", func() (bool, string) {
			evs = evs[:0]
			for _, r := range testkit.ReadTopic(t, st.Brokers, registry.MustTopic("", registry.Sales), 1<<30, 2*time.Second) {
				ev := events.Event{Type: header(r, "ce_type"), Subject: header(r, "ce_subject"), Data: r.Value}
				if ev.Subject == id || ev.Subject == first.OpportunityID {
					evs = append(evs, ev)
				}
			}
			var got []string
			for _, ev := range evs {
				got = append(got, ev.Type)
			}
			slices.Sort(got)
			return slices.Equal(got, want), fmt.Sprintf("%v", got)
		})
		contracttest.ValidateEvents(t, "../services/sales/api/events", evs)
	})

	t.Run("a retry with the key answers the same and makes nothing", func(t *testing.T) {
		s := s.on(t)
		var again conversion
		res := s.call(s.rep.Token, "POST", "/v1/leads/"+id+"/convert", map[string]any{"opportunity": map[string]any{"create": true,
			"amount": map[string]any{"minor": 250000, "currency": "EUR"}, "closeDate": "2027-03-31"}}, http.StatusOK, &again, "Idempotency-Key", key)
		if again.ContactID != first.ContactID || again.AccountID != first.AccountID || again.OpportunityID != first.OpportunityID {
			t.Errorf("the retry answered %+v, the first %+v (replayed %q)", again, first, res.Header.Get("Idempotent-Replayed"))
		}
		if c, a := s.count(email, company); c != 1 || a != 1 {
			t.Errorf("%d contacts and %d accounts, want one each", c, a)
		}
	})

	t.Run("a converted lead is not converted again", func(t *testing.T) {
		s := s.on(t)
		res := s.call(s.rep.Token, "POST", "/v1/leads/"+id+"/convert", map[string]any{}, http.StatusConflict, nil)
		if !strings.Contains(string(res.Body), first.ContactID) || !strings.Contains(string(res.Body), "lead-already-converted") {
			t.Errorf("the 409 does not say what the lead became: %s", res.Body)
		}
	})

	t.Run("a lead with a contact's email is linked to it", func(t *testing.T) {
		s := s.on(t)
		mail := "grace." + letters(8) + "@example.org"
		var c struct{ ID string }
		s.call(s.rep.Token, "POST", "/v1/contacts", map[string]any{"firstName": "Grace", "emails": []map[string]any{{"address": mail}}}, http.StatusCreated, &c)
		var l struct{ ID string }
		s.call(s.rep.Token, "POST", "/v1/leads", map[string]any{"lastName": "Hopper", "email": strings.ToUpper(mail)}, http.StatusCreated, &l)
		var got conversion
		s.call(s.rep.Token, "POST", "/v1/leads/"+l.ID+"/convert", map[string]any{}, http.StatusOK, &got)
		if got.ContactID != c.ID || got.ContactAction != "linked" || got.AccountID != "" || got.OpportunityID != "" {
			t.Errorf("conversion %+v, want the contact %s linked, no account, no opportunity", got, c.ID)
		}
	})

	t.Run("an existing record the caller may not see is refused", func(t *testing.T) {
		s := s.on(t)
		l := s.lead("other."+letters(8)+"@example.org", "")
		var p problem
		s.call(other.Token, "PATCH", "/v1/leads/"+l, map[string]any{"ownerId": other.ID}, http.StatusNotFound, nil, "If-Match", `"1"`)
		s.call(s.rep.Token, "PATCH", "/v1/leads/"+l, map[string]any{"ownerId": other.ID}, http.StatusOK, nil, "If-Match", `"1"`)
		s.call(other.Token, "POST", "/v1/leads/"+l+"/convert", map[string]any{"contact": map[string]any{"existingId": first.ContactID}},
			http.StatusUnprocessableEntity, &p)
		if !slices.Equal(p.fields(), []string{"contact/existingId"}) {
			t.Errorf("fields %v, want contact/existingId", p.fields())
		}
	})

	t.Run("contacts down: 503 and nothing changed; back: the retry converts", func(t *testing.T) {
		s := s.on(t)
		mail, co := "down."+letters(8)+"@example.org", "Down "+letters(6)
		l := s.lead(mail, co)
		k := ids.New()
		st.StopContacts()
		var p problem
		s.call(s.rep.Token, "POST", "/v1/leads/"+l+"/convert", map[string]any{}, http.StatusServiceUnavailable, &p, "Idempotency-Key", k)
		if p.Type == "" || !strings.Contains(p.Detail, "contacts") {
			t.Errorf("the 503 %+v does not say contacts is down", p)
		}
		var lead struct {
			Status  string
			Version int64
		}
		s.call(s.rep.Token, "GET", "/v1/leads/"+l, nil, http.StatusOK, &lead)
		if lead.Status != "new" || lead.Version != 1 {
			t.Errorf("the lead after a failed conversion %+v", lead)
		}
		st.StartContacts(top)
		var got conversion
		s.call(s.rep.Token, "POST", "/v1/leads/"+l+"/convert", map[string]any{}, http.StatusOK, &got, "Idempotency-Key", k)
		if got.Lead.Status != "converted" || got.ContactAction != "created" {
			t.Errorf("the retry %+v", got)
		}
		if c, a := s.count(mail, co); c != 1 || a != 1 {
			t.Errorf("%d contacts and %d accounts, want one each", c, a)
		}
	})

	t.Run("an attempt failing after contacts answered is retried without duplicates", func(t *testing.T) {
		s := s.on(t)
		mail, co := "partial."+letters(8)+"@example.org", "Partial "+letters(6)
		l := s.lead(mail, co)
		k := ids.New()
		var p problem
		s.call(s.rep.Token, "POST", "/v1/leads/"+l+"/convert", map[string]any{"opportunity": map[string]any{"create": true, "stageId": ids.New()}},
			http.StatusBadRequest, &p, "Idempotency-Key", k)
		if !slices.Equal(p.fields(), []string{"opportunity/stageId"}) {
			t.Errorf("fields %v, want opportunity/stageId", p.fields())
		}
		var got conversion
		s.call(s.rep.Token, "POST", "/v1/leads/"+l+"/convert", map[string]any{"opportunity": map[string]any{"create": true}}, http.StatusOK, &got, "Idempotency-Key", k)
		if got.OpportunityID == "" || got.Lead.Status != "converted" {
			t.Errorf("the retry %+v", got)
		}
		if c, a := s.count(mail, co); c != 1 || a != 1 {
			t.Errorf("%d contacts and %d accounts after the retry, want one each", c, a)
		}
	})

	t.Run("an opportunity's account and contacts are checked in contacts", func(t *testing.T) {
		s := s.on(t)
		var p problem
		s.call(s.rep.Token, "POST", "/v1/opportunities", map[string]any{"name": "Unknown", "accountId": ids.New(),
			"contactRoles": []map[string]any{{"contactId": first.ContactID, "role": "buyer"}, {"contactId": ids.New(), "role": "user"}}},
			http.StatusUnprocessableEntity, &p)
		if !slices.Equal(p.fields(), []string{"accountId", "contactRoles/1/contactId"}) {
			t.Errorf("fields %v, want accountId and contactRoles/1/contactId", p.fields())
		}
		var o struct {
			ID      string
			Version int64
		}
		s.call(s.rep.Token, "POST", "/v1/opportunities", map[string]any{"name": "Known", "accountId": first.AccountID, "primaryContactId": first.ContactID},
			http.StatusCreated, &o)
		s.call(other.Token, "POST", "/v1/opportunities", map[string]any{"name": "Not theirs", "accountId": first.AccountID}, http.StatusUnprocessableEntity, &p)
		s.call(s.rep.Token, "PATCH", "/v1/opportunities/"+o.ID, map[string]any{"primaryContactId": ids.New()}, http.StatusUnprocessableEntity, &p,
			"If-Match", fmt.Sprintf(`"%d"`, o.Version))
		if !slices.Equal(p.fields(), []string{"primaryContactId"}) {
			t.Errorf("fields %v, want primaryContactId", p.fields())
		}
		st.StopContacts()
		defer st.StartContacts(top)
		s.call(s.rep.Token, "PATCH", "/v1/opportunities/"+o.ID, map[string]any{"nextStep": "Call"}, http.StatusOK, nil, "If-Match", fmt.Sprintf(`"%d"`, o.Version))
		s.call(s.rep.Token, "POST", "/v1/opportunities", map[string]any{"name": "Later", "accountId": first.AccountID}, http.StatusServiceUnavailable, nil)
	})
}

// problem is a problem+json answer with the fields it names.
type problem struct {
	Type, Detail string
	Errors       []struct{ Field string }
}

// fields returns the fields p names, in order.
func (p problem) fields() []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}
