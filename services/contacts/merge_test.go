package contacts_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// emails returns a contact's email addresses, the primary one starred:
// "a@x.com*,b@x.com".
func emails(c customer.Contact) string {
	var out []string
	for _, m := range c.Emails {
		out = append(out, m.Address+map[bool]string{true: "*"}[m.Primary])
	}
	return strings.Join(out, ",")
}

// phones returns a contact's E.164 numbers, the primary one starred.
func phones(c customer.Contact) string {
	var out []string
	for _, p := range c.Phones {
		out = append(out, p.E164+map[bool]string{true: "*"}[p.Primary])
	}
	return strings.Join(out, ",")
}

// eventsOf returns the published events of type typ.
func (e *env) eventsOf(typ string) []published {
	types, payloads := e.outboxEvents()
	var out []published
	for i, t := range types {
		if t == "dev.rapport.contacts."+typ+".v1" {
			out = append(out, payloads[i])
		}
	}
	return out
}

func TestMergeContacts(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, key := range []string{"tier", "region"} {
		e.created(u, "/v1/custom-fields", map[string]any{"entity": "contact", "key": key, "label": key, "type": "text"})
	}
	winner := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace", "jobTitle": "Analyst",
		"emails": []any{map[string]any{"address": "ada@example.com"}}, "phones": []any{map[string]any{"number": "+1 415 555 2671"}},
		"tags": []string{"vip"}, "customFields": map[string]any{"tier": "gold"}})
	loser := e.created(u, "/v1/contacts?allowDuplicate=true", map[string]any{"firstName": "Augusta", "lastName": "King", "jobTitle": "Countess",
		"emails": []any{map[string]any{"address": "augusta@example.com", "primary": true}, map[string]any{"address": "ADA@example.com"}},
		"phones": []any{map[string]any{"number": "(415) 555-2671"}, map[string]any{"number": "+44 20 7946 0958"}},
		"tags":   []string{"VIP", "royal"}, "customFields": map[string]any{"tier": "silver", "region": "EU"}})
	path := "/v1/contacts/" + winner + "/merge"
	body := map[string]any{"loserId": loser, "fields": map[string]any{"jobTitle": "loser", "lastName": "winner", "customFields.tier": "loser"}}

	e.want(e.do(u, "POST", path, body), http.StatusPreconditionRequired)
	e.want(e.do(u, "POST", path, body, "If-Match", `"7"`), http.StatusPreconditionFailed)
	r := e.want(e.do(u, "POST", path, map[string]any{"loserId": loser, "fields": map[string]any{"nickname": "loser", "jobTitle": "both"}}, "If-Match", `"1"`), http.StatusBadRequest)
	if r.field("fields/nickname") == "" || r.field("fields/jobTitle") == "" {
		t.Errorf("bad fields not named: %s", r.Raw)
	}
	e.want(e.do(u, "POST", path, map[string]any{"loserId": winner}, "If-Match", `"1"`), http.StatusBadRequest)
	e.want(e.do(u, "POST", path, map[string]any{"loserId": uuid.NewString()}, "If-Match", `"1"`), http.StatusNotFound)

	r = e.want(e.do(u, "POST", path, body, "If-Match", `"1"`), http.StatusOK)
	c := contactOf(r)
	if r.Header.Get("ETag") != `"2"` || c.FirstName != "Ada" || c.LastName != "Lovelace" ||
		c.JobTitle != "Countess" || c.DisplayName != "Ada Lovelace" {
		t.Errorf("merged fields: %s (ETag %s)", r.Raw, r.Header.Get("ETag"))
	}
	if got := emails(c); got != "ada@example.com*,augusta@example.com" {
		t.Errorf("emails %s", got)
	}
	if got := phones(c); got != "+14155552671*,+442079460958" {
		t.Errorf("phones %s", got)
	}
	if !slices.Equal(c.Tags, []string{"vip", "royal"}) {
		t.Errorf("tags %v", c.Tags)
	}
	if cf := c.CustomFields; cf["tier"] != "silver" || cf["region"] != "EU" {
		t.Errorf("custom fields %v", cf)
	}

	// The loser is a tombstone: reads redirect, restore and a second merge fail.
	r = e.want(e.do(u, "GET", "/v1/contacts/"+loser, nil), http.StatusMovedPermanently)
	if r.Header.Get("Location") != "/v1/contacts/"+winner || len(r.Raw) != 0 {
		t.Errorf("redirect to %q with body %s", r.Header.Get("Location"), r.Raw)
	}
	e.want(e.do(u, "POST", path, body, "If-Match", `"2"`), http.StatusConflict)
	e.want(e.do(u, "POST", "/v1/contacts/"+loser+"/restore", nil), http.StatusNotFound)
	e.want(e.do(u, "PATCH", "/v1/contacts/"+loser, map[string]any{"jobTitle": "x"}, "If-Match", `"2"`), http.StatusNotFound)
	if list := items[customer.Contact](e.want(e.do(u, "GET", "/v1/contacts", nil), http.StatusOK)); len(list) != 1 {
		t.Errorf("%d live contacts, want the winner alone", len(list))
	}

	// Chained merges: the old tombstone follows to the final winner.
	final := e.created(u, "/v1/contacts", map[string]any{"firstName": "Charles", "lastName": "Babbage"})
	r = e.want(e.do(u, "POST", "/v1/contacts/"+final+"/merge", map[string]any{"loserId": winner,
		"fields": map[string]any{"displayName": "loser"}}, "If-Match", `"1"`), http.StatusOK)
	if c := contactOf(r); c.FirstName != "Charles" || c.DisplayName != "Ada Lovelace" {
		t.Errorf("display name chosen from the loser: %s", r.Raw)
	}
	r = e.want(e.do(u, "PATCH", "/v1/contacts/"+final, map[string]any{"lastName": "B."}, "If-Match", `"2"`), http.StatusOK)
	if contactOf(r).DisplayName != "Ada Lovelace" {
		t.Errorf("a display name taken from the loser is kept: %s", r.Raw)
	}
	for _, id := range []string{loser, winner} {
		if r := e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusMovedPermanently); r.Header.Get("Location") != "/v1/contacts/"+final {
			t.Errorf("%s redirects to %s, want the final winner", id, r.Header.Get("Location"))
		}
	}

	// Other tenants and records outside the caller's scope are not found.
	other := newUser(uuid.NewString())
	e.want(e.do(other, "GET", "/v1/contacts/"+loser, nil), http.StatusNotFound)
	mine := user{tenant: u.tenant, id: uuid.NewString(), scope: "own", perms: []string{"contacts:*"}}
	own := e.created(mine, "/v1/contacts", map[string]any{"firstName": "Mine"})
	e.want(e.do(mine, "POST", "/v1/contacts/"+own+"/merge", map[string]any{"loserId": final}, "If-Match", `"1"`), http.StatusNotFound)
	e.want(e.do(mine, "POST", "/v1/contacts/"+final+"/merge", map[string]any{"loserId": own}, "If-Match", `"3"`), http.StatusNotFound)
	e.want(e.do(mine, "GET", "/v1/contacts/"+loser, nil), http.StatusNotFound)
	e.want(e.do(other, "POST", "/v1/contacts/"+final+"/merge", map[string]any{"loserId": own}, "If-Match", `"3"`), http.StatusNotFound)

	merged := e.eventsOf("contact.merged")
	if len(merged) != 2 {
		t.Fatalf("%d merged events, want 2", len(merged))
	}
	first := decodeEvent[struct {
		Winner       customer.Contact `json:"winner"`
		LoserID      string           `json:"loserId"`
		MergedFields []string         `json:"mergedFields"`
	}](merged[0])
	if w := first.Winner; first.LoserID != loser || w.ID != winner || w.JobTitle != "Countess" ||
		!slices.Equal(first.MergedFields, []string{"customFields", "emails", "jobTitle", "phones", "tags"}) {
		t.Errorf("merged event %s", merged[0].data)
	}
	if n := len(e.eventsOf("contact.deleted")) + len(e.eventsOf("contact.updated")); n != 1 {
		t.Errorf("%d deleted/updated events, want the PATCH's alone", n)
	}
	validateEvents(t, e)
}

func TestMergeAccountsRepointsContacts(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	winner := e.created(u, "/v1/accounts", map[string]any{"name": "Acme", "domain": "acme.com", "tags": []string{"key"}})
	loser := e.created(u, "/v1/accounts?allowDuplicate=true", map[string]any{"name": "Acme Inc", "domain": "acme.io", "industry": "Anvils", "sizeBand": "11-50", "tags": []string{"partner"}})
	child := e.created(u, "/v1/accounts", map[string]any{"name": "Roadrunner Labs", "parentAccountId": loser})
	c1 := e.created(u, "/v1/contacts", map[string]any{"firstName": "Wile", "accountId": loser})
	c2 := e.created(u, "/v1/contacts", map[string]any{"firstName": "Road Runner", "accountId": loser})
	stay := e.created(u, "/v1/contacts", map[string]any{"firstName": "Elmer", "accountId": winner})

	r := e.want(e.do(u, "POST", "/v1/accounts/"+winner+"/merge", map[string]any{"loserId": loser,
		"fields": map[string]any{"domain": "loser", "name": "winner", "industry": "loser"}}, "If-Match", `"1"`), http.StatusOK)
	if a := accountOf(r); a.Name != "Acme" || a.Domain != "acme.io" || a.Industry != "Anvils" || a.SizeBand != "" || len(a.Tags) != 2 {
		t.Errorf("merged account %s", r.Raw)
	}
	for _, id := range []string{c1, c2} {
		c := e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK)
		if account := contactOf(c).AccountID; account == nil || *account != winner || c.Header.Get("ETag") != `"2"` {
			t.Errorf("contact %s after the merge: %s", id, c.Raw)
		}
	}
	if c := e.want(e.do(u, "GET", "/v1/contacts/"+stay, nil), http.StatusOK); c.Header.Get("ETag") != `"1"` {
		t.Errorf("the winner's own contact changed: %s", c.Raw)
	}
	if a := e.want(e.do(u, "GET", "/v1/accounts/"+child, nil), http.StatusOK); orEmpty(accountOf(a).ParentAccountID) != winner {
		t.Errorf("child account %s", a.Raw)
	}
	if r := e.want(e.do(u, "GET", "/v1/accounts/"+loser, nil), http.StatusMovedPermanently); r.Header.Get("Location") != "/v1/accounts/"+winner {
		t.Errorf("account redirect %v", r.Header)
	}
	e.want(e.do(u, "POST", "/v1/accounts/"+winner+"/merge", map[string]any{"loserId": loser}, "If-Match", `"2"`), http.StatusConflict)

	updated := e.eventsOf("contact.updated")
	if len(updated) != 2 {
		t.Fatalf("%d contact.updated events, want 2", len(updated))
	}
	for _, p := range updated {
		if ch := p.state().Changed; !slices.Equal(ch, []string{"accountId"}) || orEmpty(decodeEvent[customer.Contact](p).AccountID) != winner {
			t.Errorf("re-pointed contact event %s", p.data)
		}
	}
	if acc := e.eventsOf("account.updated"); len(acc) != 1 || acc[0].state().ID != child || !slices.Equal(acc[0].state().Changed, []string{"parentAccountId"}) {
		t.Errorf("child account events %v", acc)
	}
	if m := e.eventsOf("account.merged"); len(m) != 1 || m[0].state().LoserID != loser ||
		decodeEvent[struct{ Winner customer.Account }](m[0]).Winner.Domain != "acme.io" {
		t.Errorf("account.merged events %v", m)
	}
	validateEvents(t, e)
}
