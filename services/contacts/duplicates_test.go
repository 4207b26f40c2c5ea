package contacts_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// created posts body to path as u, wants a 201 and returns the new id.
func (e *env) created(u user, path string, body any) string {
	e.t.Helper()
	return e.want(e.do(u, "POST", path, body), http.StatusCreated).id()
}

// candidates returns the duplicate candidates of r by id: of a 409 duplicate
// problem (key "duplicates") or of a duplicates list ("items").
func candidates(r reply, key string) map[string]customer.DuplicateCandidate {
	r.T.Helper()
	list := r.problem().Duplicates
	if key == "items" {
		list = items[customer.DuplicateCandidate](r)
	}
	out := map[string]customer.DuplicateCandidate{}
	for _, c := range list {
		out[c.ID] = c
	}
	return out
}

// matched returns the reasons of a candidate, joined.
func matched(c customer.DuplicateCandidate) string { return strings.Join(c.MatchedOn, ",") }

func TestCreateContactDuplicates(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ada := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace",
		"emails": []any{map[string]any{"address": "ada@example.com"}},
		"phones": []any{map[string]any{"number": "(415) 555-2671"}}})

	// Email, case-insensitive.
	r := e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "Someone",
		"emails": []any{map[string]any{"address": "other@example.org"}, map[string]any{"address": " ADA@Example.COM"}}}), http.StatusConflict)
	if typ := r.problem().Type; typ != "https://rapport.dev/problems/duplicate-contact" {
		t.Errorf("problem type %v", typ)
	}
	got := candidates(r, "duplicates")
	if c, ok := got[ada]; len(got) != 1 || !ok || matched(c) != "email" || c.Score != 1 || c.DisplayName != "Ada Lovelace" {
		t.Errorf("candidates %s", r.Raw)
	}

	// Phone in another format with the same E.164.
	r = e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "Else",
		"phones": []any{map[string]any{"number": "+1 415.555.2671"}}}), http.StatusConflict)
	if c, ok := candidates(r, "duplicates")[ada]; !ok || matched(c) != "phone" {
		t.Errorf("phone candidates %s", r.Raw)
	}

	// Similar name in the same account; the same name elsewhere is no match.
	acct := e.created(u, "/v1/accounts", map[string]any{"name": "Navy"})
	grace := e.created(u, "/v1/contacts", map[string]any{"firstName": "Grace", "lastName": "Hopper", "accountId": acct})
	r = e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "Grace", "lastName": "Hoper", "accountId": acct}), http.StatusConflict)
	c, ok := candidates(r, "duplicates")[grace]
	if !ok || matched(c) != "name" || c.Score >= 1 || c.Score < 0.5 {
		t.Errorf("name candidates %s", r.Raw)
	}
	e.created(u, "/v1/contacts", map[string]any{"firstName": "Grace", "lastName": "Hopper"})

	// Without an account: a similar name needs a shared email domain.
	alan := e.created(u, "/v1/contacts", map[string]any{"firstName": "Alan", "lastName": "Turing",
		"emails": []any{map[string]any{"address": "alan@bletchley.org"}}})
	r = e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "Alan M.", "lastName": "Turing",
		"emails": []any{map[string]any{"address": "a.turing@bletchley.org"}}}), http.StatusConflict)
	if c, ok := candidates(r, "duplicates")[alan]; !ok || matched(c) != "name" {
		t.Errorf("name and domain candidates %s", r.Raw)
	}
	e.created(u, "/v1/contacts", map[string]any{"firstName": "Alan", "lastName": "Turing",
		"emails": []any{map[string]any{"address": "alan@manchester.ac.uk"}}})

	// allowDuplicate creates it anyway; the duplicates of both show.
	e.want(e.do(u, "POST", "/v1/contacts?allowDuplicate=maybe", map[string]any{"firstName": "A"}), http.StatusBadRequest)
	twin := e.created(u, "/v1/contacts?allowDuplicate=true", map[string]any{"firstName": "Ada", "lastName": "Lovelace",
		"emails": []any{map[string]any{"address": "ada@example.com"}}})
	r = e.want(e.do(u, "GET", "/v1/contacts/"+ada+"/duplicates", nil), http.StatusOK)
	if c, ok := candidates(r, "items")[twin]; !ok || matched(c) != "email,name" || c.Score != 1 {
		t.Errorf("duplicates of ada: %s", r.Raw)
	}
	if _, self := candidates(r, "items")[ada]; self {
		t.Errorf("a contact is listed as its own duplicate: %s", r.Raw)
	}
	e.want(e.do(u, "GET", "/v1/contacts/"+uuid.NewString()+"/duplicates", nil), http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/contacts/"+ada+"/duplicates", nil), http.StatusNotFound)

	// Candidates outside the caller's record scope are not shown (nor block).
	own := user{tenant: u.tenant, id: uuid.NewString(), scope: "own", perms: []string{"contacts:*"}}
	e.created(own, "/v1/contacts", map[string]any{"firstName": "Ada", "emails": []any{map[string]any{"address": "ada@example.com"}}})
	validateEvents(t, e)
}

func TestCreateAccountDuplicates(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	acme := e.created(u, "/v1/accounts", map[string]any{"name": "Acme Corporation", "domain": "acme.com"})
	r := e.want(e.do(u, "POST", "/v1/accounts", map[string]any{"name": "Roadrunner Supplies", "domain": "https://ACME.com/about"}), http.StatusConflict)
	if c, ok := candidates(r, "duplicates")[acme]; !ok || matched(c) != "domain" || r.problem().Type != "https://rapport.dev/problems/duplicate-account" {
		t.Errorf("domain candidates %s", r.Raw)
	}
	r = e.want(e.do(u, "POST", "/v1/accounts", map[string]any{"name": "ACME Corporation Ltd"}), http.StatusConflict)
	if c, ok := candidates(r, "duplicates")[acme]; !ok || matched(c) != "name" || c.Score < 0.5 {
		t.Errorf("name candidates %s", r.Raw)
	}
	e.created(u, "/v1/accounts", map[string]any{"name": "Globex"})
	other := e.created(u, "/v1/accounts?allowDuplicate=true", map[string]any{"name": "Acme Corporation", "domain": "acme.com"})
	r = e.want(e.do(u, "GET", "/v1/accounts/"+acme+"/duplicates", nil), http.StatusOK)
	if c, ok := candidates(r, "items")[other]; len(items[customer.DuplicateCandidate](r)) != 1 || !ok || matched(c) != "domain,name" || c.Score != 1 {
		t.Errorf("duplicates of acme: %s", r.Raw)
	}
	validateEvents(t, e)
}

// sortedIDs returns ids sorted, as scan pairs order them.
func sortedIDs(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

func TestConcurrentDuplicateCreates(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	const n = 4
	statuses := make(chan int, n)
	for i := range n {
		go func() {
			statuses <- e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "Racer " + strings.Repeat("x", i),
				"emails": []any{map[string]any{"address": "race@example.com"}}}).Status
		}()
	}
	got := map[int]int{}
	for range n {
		got[<-statuses]++
	}
	if got[http.StatusCreated] != 1 || got[http.StatusConflict] != n-1 {
		t.Errorf("statuses %v, want one 201 and %d 409", got, n-1)
	}
}

func TestUpdateChecksDuplicates(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ada := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace",
		"emails": []any{map[string]any{"address": "ada@example.com"}}})
	bob := e.created(u, "/v1/contacts", map[string]any{"firstName": "Bob", "lastName": "Byron",
		"emails": []any{map[string]any{"address": "bob@example.org"}}})
	ifMatch := func(id string) string {
		return e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK).Header.Get("ETag")
	}

	// Changing an email to another contact's is refused with the candidate,
	// and the contact is left as it was.
	takeAda := map[string]any{"emails": []any{map[string]any{"address": "ADA@example.com"}}}
	r := e.want(e.do(u, "PATCH", "/v1/contacts/"+bob, takeAda, "If-Match", ifMatch(bob)), http.StatusConflict)
	if c, ok := candidates(r, "duplicates")[ada]; !ok || matched(c) != "email" {
		t.Errorf("candidates %s", r.Raw)
	}
	got := e.want(e.do(u, "GET", "/v1/contacts/"+bob, nil), http.StatusOK)
	if emails(contactOf(got)) != "bob@example.org*" {
		t.Errorf("refused patch changed the contact: %s", got.Raw)
	}

	// allowDuplicate=true saves it; a later change of another field is not
	// checked again, one of an identity field is.
	e.want(e.do(u, "PATCH", "/v1/contacts/"+bob+"?allowDuplicate=true", takeAda, "If-Match", ifMatch(bob)), http.StatusOK)
	e.want(e.do(u, "PATCH", "/v1/contacts/"+bob, map[string]any{"jobTitle": "Poet"}, "If-Match", ifMatch(bob)), http.StatusOK)
	e.want(e.do(u, "PATCH", "/v1/contacts/"+bob, map[string]any{"lastName": "Lord Byron"}, "If-Match", ifMatch(bob)), http.StatusConflict)
	e.want(e.do(u, "PATCH", "/v1/contacts/"+bob+"?allowDuplicate=maybe", map[string]any{"jobTitle": "Lord"}, "If-Match", ifMatch(bob)), http.StatusBadRequest)

	// Accounts: renaming to another account's domain is refused.
	e.created(u, "/v1/accounts", map[string]any{"name": "Initech", "domain": "initech.example"})
	globex := e.created(u, "/v1/accounts", map[string]any{"name": "Globex", "domain": "globex.example"})
	etag := e.want(e.do(u, "GET", "/v1/accounts/"+globex, nil), http.StatusOK).Header.Get("ETag")
	r = e.want(e.do(u, "PATCH", "/v1/accounts/"+globex, map[string]any{"domain": "initech.example"}, "If-Match", etag), http.StatusConflict)
	if r.problem().Type != "https://rapport.dev/problems/duplicate-account" {
		t.Errorf("problem %s", r.Raw)
	}
}

// A big company's contacts are more than a name check reads for one key
// (nameCandidates): a similar name is found wherever it is among them, in
// its account or sharing its email domain, because the keys are the account
// or the domain with the start of a name word.
func TestSimilarNameInABigCompany(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	email := func(local string) []any { return []any{map[string]any{"address": local + "@bigco.example"}} }
	acct := e.created(u, "/v1/accounts", map[string]any{"name": "BigCo"})
	for i := range 210 { // names of random letters: none like another
		e.created(u, "/v1/contacts", map[string]any{"firstName": randomWord(), "lastName": randomWord(),
			"emails": email(fmt.Sprintf("staff%03d", i))})
		e.created(u, "/v1/contacts", map[string]any{"firstName": randomWord(), "lastName": randomWord(), "accountId": acct})
	}
	grace := e.created(u, "/v1/contacts", map[string]any{"firstName": "Grace", "lastName": "Hopper", "emails": email("grace")})
	r := e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "Grace", "lastName": "Hoper",
		"emails": email("g.hoper")}), http.StatusConflict)
	if c, ok := candidates(r, "duplicates")[grace]; !ok || matched(c) != "name" {
		t.Errorf("candidates of Grace Hoper at bigco: %s", r.Raw)
	}
	ada := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace", "accountId": acct})
	r = e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelance", "accountId": acct}),
		http.StatusConflict)
	if c, ok := candidates(r, "duplicates")[ada]; !ok || matched(c) != "name" {
		t.Errorf("candidates of Ada Lovelance in BigCo: %s", r.Raw)
	}
	// A name sharing no word start with another is not compared with it.
	e.created(u, "/v1/contacts", map[string]any{"firstName": "Walter", "lastName": "Smith", "emails": email("walter")})
	e.created(u, "/v1/contacts", map[string]any{"firstName": "Walter", "lastName": "Smith", "accountId": acct})

	// A scan pairs them, though their groups (the domain, the account) are
	// bigger than a scan compares whole.
	hoper := e.created(u, "/v1/contacts?allowDuplicate=true", map[string]any{"firstName": "Grace", "lastName": "Hoper",
		"emails": email("g.hoper")})
	lovelance := e.created(u, "/v1/contacts?allowDuplicate=true", map[string]any{"firstName": "Ada", "lastName": "Lovelance",
		"accountId": acct})
	pairs := e.scanPairs(u, "contact", 100)
	for _, want := range [][2]string{{grace, hoper}, {ada, lovelance}} {
		a, b := min(want[0], want[1]), max(want[0], want[1])
		if !slices.ContainsFunc(pairs, func(p string) bool { return strings.HasPrefix(p, a+" "+b+" ") && strings.HasSuffix(p, " name") }) {
			t.Errorf("the scan did not pair %s and %s by name: %v", a, b, pairs)
		}
	}
}

// randomWord is a capitalised word of 8 random letters.
func randomWord() string {
	b := []byte(strings.ReplaceAll(uuid.NewString(), "-", ""))[:8]
	for i, c := range b {
		b[i] = 'a' + c%26
	}
	b[0] -= 'a' - 'A'
	return string(b)
}
