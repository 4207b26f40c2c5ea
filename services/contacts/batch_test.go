package contacts_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/duplicates"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// refusedFor returns, by record id, what the candidates of a refusal matched
// on ("" when err is not a duplicates refusal).
func refusedFor(err error) map[string]string {
	var dup *customer.DuplicatesError
	if !errors.As(err, &dup) {
		return nil
	}
	out := map[string]string{}
	for _, c := range dup.Candidates {
		out[c.ID] = strings.Join(c.MatchedOn, ",")
	}
	return out
}

// TestBatchCheckSeesEarlierRecords checks the duplicate check of a batch of
// creates: each record is compared with the stored records and with the
// records before it in the batch that are written, exactly as if they had
// been created one after another.
func TestBatchCheckSeesEarlierRecords(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	stored := e.created(u, "/v1/contacts", map[string]any{"firstName": "Stored", "lastName": "Person",
		"emails": []any{map[string]any{"address": "stored@acme.example"}}})
	store := pgstore.New(e.app, "")
	p := auth.Principal{TenantID: u.tenant, UserID: u.id, RecordScope: map[string]auth.Scope{"contacts": auth.ScopeAll}}
	contact := func(name, email, phone string) *customer.Contact {
		c := &customer.Contact{Meta: customer.Meta{ID: uuid.NewString()}, DisplayName: name}
		if email != "" {
			c.Emails = customer.Emails{{Address: email}}
		}
		if phone != "" {
			c.Phones = customer.Phones{{Number: phone, E164: phone}}
		}
		return c
	}
	batch := []*customer.Contact{
		0: contact("Katherine Moreau", "kmoreau@acme.example", "+14155550100"),
		1: contact("Quentin Albarn", "KMoreau@acme.example", ""),          // 0's email
		2: contact("Katherine Moreaux", "katherine@acme.example", ""),     // 0's name, same company
		3: contact("Olivier Brandt", "", "+14155550100"),                  // 0's phone
		4: contact("Zelda Stored", "stored@acme.example", ""),             // the stored contact's email
		5: contact("Zelda Storedd", "zelda@acme.example", ""),             // like 4, which is refused
		6: contact("Ursula Vance", "ursula@acme.example", "+14155550199"), // allowed as a duplicate
		7: contact("Tobias Wren", "", "+14155550199"),                     // 6's phone
		8: contact("Katherine Moreau", "km@gmail.com", ""),                // a free-mail domain: no name check
	}
	allow := make([]bool, len(batch))
	allow[6] = true
	recs := make([]customer.Record, len(batch))
	for i, c := range batch {
		recs[i] = c
	}
	refused, err := checkBatch(t, store, p, allow, recs...)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		0: nil,
		1: {batch[0].ID: "email"},
		2: {batch[0].ID: "name"},
		3: {batch[0].ID: "phone"},
		4: {stored: "email"},
		5: nil,
		6: nil,
		7: {batch[6].ID: "phone"},
		8: nil,
	}
	for i := range batch {
		if got := refusedFor(refused[i]); fmt.Sprint(got) != fmt.Sprint(want[i]) {
			t.Errorf("record %d (%s): refused for %v, want %v", i, batch[i].DisplayName, got, want[i])
		}
	}

	// Accounts: the same domain, or a similar name sharing a word.
	account := func(name, domain string) *customer.Account {
		return &customer.Account{Meta: customer.Meta{ID: uuid.NewString()}, Name: name, Domain: domain}
	}
	accounts := []*customer.Account{
		0: account("Globex Holdings", "globex.example"),
		1: account("Initech", "globex.example"),
		2: account("Globex Holding", "globex-holding.example"),
		3: account("Umbrella", ""),
	}
	if refused, err = checkBatch(t, store, p, nil, accounts[0], accounts[1], accounts[2], accounts[3]); err != nil {
		t.Fatal(err)
	}
	wantAccounts := []map[string]string{0: nil, 1: {accounts[0].ID: "domain"}, 2: {accounts[0].ID: "name"}, 3: nil}
	for i := range accounts {
		if got := refusedFor(refused[i]); fmt.Sprint(got) != fmt.Sprint(wantAccounts[i]) {
			t.Errorf("account %d (%s): refused for %v, want %v", i, accounts[i].Name, got, wantAccounts[i])
		}
	}
}

// checkBatch runs the duplicate check of recs (normalised contacts or
// accounts, all of one kind), written in this order by p, in a transaction of
// p's tenant, as a batch of creates does: allow says which skip it. It
// returns each record's refusal (nil: none).
func checkBatch(t *testing.T, db *pgstore.DB, p auth.Principal, allow []bool, recs ...customer.Record) ([]error, error) {
	t.Helper()
	table := pgstore.Contacts
	if _, ok := recs[0].(*customer.Account); ok {
		table = pgstore.Accounts
	}
	var refused []error
	err := db.InTx(t.Context(), p.TenantID, func(tx *pgstore.Tx) (err error) {
		refused, err = duplicates.Checker{}.Check(t.Context(), tx, table, p, recs, allow)
		return err
	})
	return refused, err
}

// createConcurrently posts bodies to path at once, as u, and returns the
// replies in the order of bodies.
func (e *env) createConcurrently(u user, path string, bodies []map[string]any) []reply {
	replies := make([]reply, len(bodies))
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Go(func() { replies[i] = e.do(u, "POST", path, b) })
	}
	wg.Wait()
	return replies
}

// TestConcurrentCreatesShareTransactions creates many distinct contacts at
// once: each is created once, with its event, and they were written by
// fewer transactions than there are contacts — concurrent creates share
// them.
func TestConcurrentCreatesShareTransactions(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	const n = 64
	bodies := make([]map[string]any, n)
	for i := range bodies {
		bodies[i] = map[string]any{"firstName": randomWord(), "lastName": randomWord(),
			"emails": []any{map[string]any{"address": fmt.Sprintf("person%d@acme.example", i)}},
			"phones": []any{map[string]any{"number": fmt.Sprintf("+1415555%04d", i)}}}
	}
	ids := map[string]bool{}
	for i, r := range e.createConcurrently(u, "/v1/contacts", bodies) {
		e.want(r, http.StatusCreated)
		c := contactOf(r)
		if got := emails(c); got != fmt.Sprintf("person%d@acme.example*", i) {
			t.Errorf("reply %d is of %v", i, got)
		}
		ids[c.ID] = true
	}
	var rows, transactions int
	if err := e.admin.QueryRow("SELECT count(*), count(DISTINCT xmin::text) FROM contacts WHERE tenant_id = $1", u.tenant).Scan(&rows, &transactions); err != nil {
		t.Fatal(err)
	}
	if rows != n || len(ids) != n {
		t.Errorf("%d rows, %d ids, want %d", rows, len(ids), n)
	}
	if transactions >= n {
		t.Errorf("%d contacts written by %d transactions: creates were not batched", n, transactions)
	}
	types, payloads := e.outboxEvents()
	for i, typ := range types {
		if typ == customer.Events.Type("contact", "created") {
			delete(ids, payloads[i].state().ID)
		}
	}
	if len(ids) != 0 {
		t.Errorf("%d contacts have no created event", len(ids))
	}
}

// TestConcurrentDuplicatesLeaveNoDuplicates creates groups of duplicates
// at once — the same email, the same phone, similar names in one company —
// and checks what creating them one after another guarantees, whichever way
// they were batched: every refusal names contacts that were created, and no
// created contact has a duplicate among the others.
func TestConcurrentDuplicatesLeaveNoDuplicates(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	var bodies []map[string]any
	for g := range 8 {
		first, last := randomWord(), randomWord()
		email := fmt.Sprintf("group%d@acme.example", g)
		phone := fmt.Sprintf("+1415666%04d", g)
		bodies = append(bodies,
			map[string]any{"firstName": first, "lastName": last, "emails": []any{map[string]any{"address": email}}},
			map[string]any{"firstName": randomWord(), "lastName": randomWord(), "emails": []any{map[string]any{"address": strings.ToUpper(email)}},
				"phones": []any{map[string]any{"number": phone}}},
			map[string]any{"firstName": first, "lastName": last + "s", "emails": []any{map[string]any{"address": fmt.Sprintf("other%d@acme.example", g)}}},
			map[string]any{"firstName": randomWord(), "lastName": randomWord(), "phones": []any{map[string]any{"number": phone}}})
	}
	var created []string
	refusals := 0
	for _, r := range e.createConcurrently(u, "/v1/contacts", bodies) {
		switch r.Status {
		case http.StatusCreated:
			created = append(created, r.id())
		case http.StatusConflict:
			refusals++
			for id := range candidates(r, "duplicates") {
				e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK)
			}
		default:
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
	}
	if len(created) < 8 || refusals < 8 {
		t.Errorf("%d created, %d refused: every group has a first and a duplicate of it", len(created), refusals)
	}
	for _, id := range created {
		r := e.want(e.do(u, "GET", "/v1/contacts/"+id+"/duplicates", nil), http.StatusOK)
		for _, c := range candidates(r, "items") {
			t.Errorf("created contact %s has a duplicate on %s: %s", id, matched(c), r.Raw)
		}
	}
}

// TestFailingCreateFailsAlone makes the INSERT of one contact fail inside
// the database while others are created at once: the others are created,
// with their events, and only that one fails.
func TestFailingCreateFailsAlone(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{
		`CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.first_name = 'Doomed' THEN RAISE EXCEPTION 'doomed contact'; END IF;
			RETURN NEW;
		END $$`,
		`CREATE TRIGGER refuse_doomed BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION refuse_doomed()`,
	} {
		if _, err := e.admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	u := newUser(uuid.NewString())
	const n = 24
	bodies := make([]map[string]any, n)
	for i := range bodies {
		bodies[i] = map[string]any{"firstName": randomWord(), "lastName": randomWord()}
	}
	bodies[n/2]["firstName"] = "Doomed"
	ok := 0
	for i, r := range e.createConcurrently(u, "/v1/contacts", bodies) {
		switch {
		case i == n/2 && r.Status != http.StatusInternalServerError:
			t.Errorf("the doomed contact: status %d, want 500: %s", r.Status, r.Raw)
		case i != n/2 && r.Status != http.StatusCreated:
			t.Errorf("contact %d: status %d, want 201: %s", i, r.Status, r.Raw)
		case i != n/2:
			ok++
		}
	}
	var rows int
	if err := e.admin.QueryRow("SELECT count(*) FROM contacts WHERE tenant_id = $1", u.tenant).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	types, _ := e.outboxEvents()
	if rows != n-1 || ok != n-1 || len(types) != n-1 {
		t.Errorf("%d rows, %d created, %d events, want %d of each", rows, ok, len(types), n-1)
	}
}
