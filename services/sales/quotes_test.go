package sales_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/quotes"
)

// quotePage is the body of GET /v1/quotes.
type quotePage struct {
	Items      []quotes.Quote `json:"items"`
	NextCursor string         `json:"nextCursor"`
}

// quotable makes, as u, a catalogue and an opportunity with two line items
// of it (the licence, 企业版许可证, with a 12.5 % discount) and returns
// the catalogue and the opportunity's id.
func quotable(e *env, u user) (catalogue, string) {
	e.t.Helper()
	c := newCatalogue(e, u)
	o := createOpportunity(e, u, map[string]any{"name": "Acme <renewal>", "accountId": uuid.NewString(), "primaryContactId": uuid.NewString()})
	putLines(e, u, o.ID, 1, map[string]any{"priceBookId": c.book, "lineItems": []any{line(c.licence, "3", "12.5"), line(c.hours, "0.5", "")}}, http.StatusOK)
	return c, o.ID
}

// createQuote creates a quote of the opportunity as u.
func createQuote(e *env, u user, opportunity string) quotes.Quote {
	e.t.Helper()
	return contracttest.Decode[quotes.Quote](e.want(e.do(u, "POST", "/v1/quotes", map[string]any{"opportunityId": opportunity}), http.StatusCreated))
}

// act makes the move action of the quote id as u with a comment, wanting
// status.
func act(e *env, u user, id, action, comment string, status int) reply {
	e.t.Helper()
	var body any
	if comment != "" {
		body = map[string]any{"comment": comment}
	}
	return e.want(e.do(u, "POST", "/v1/quotes/"+id+"/"+action, body), status)
}

// quoteNumber is the n-th quote number of this year.
func quoteNumber(n int) string { return fmt.Sprintf("Q-%d-%06d", time.Now().UTC().Year(), n) }

func TestQuoteLifecycle(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	_, opp := quotable(e, u)
	r := e.want(e.do(u, "POST", "/v1/quotes", map[string]any{"opportunityId": opp}), http.StatusCreated)
	q := contracttest.Decode[quotes.Quote](r)
	if q.Number != quoteNumber(1) || q.Revision != 1 || q.State != quotes.StateDraft || q.OpportunityID != opp || len(q.LineItems) != 2 ||
		q.Total.Minor != 936 || q.Currency != "EUR" || q.OwnerID != u.id || q.AccountID == "" || q.ContactID == "" || q.Name != "Acme <renewal>" ||
		len(q.History) != 1 || q.History[0].Action != "create" || r.Header.Get("Location") != "/v1/quotes/"+q.ID {
		t.Fatalf("created %+v", q)
	}
	// Without thresholds a submitted quote needs no approval.
	q = contracttest.Decode[quotes.Quote](act(e, u, q.ID, "submit", "", http.StatusOK))
	if q.State != quotes.StateApproved || q.ApprovalLevels != 0 || len(q.Approvers) != 0 {
		t.Errorf("submitted %+v", q)
	}
	act(e, u, q.ID, "accept", "", http.StatusConflict)
	act(e, u, q.ID, "approve", "", http.StatusConflict)
	e.want(e.do(u, "POST", "/v1/quotes/"+q.ID+"/send", map[string]any{"comment": "mailed"}, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	q = contracttest.Decode[quotes.Quote](e.want(e.do(u, "POST", "/v1/quotes/"+q.ID+"/send", map[string]any{"comment": "mailed"}, "If-Match", kitx.ETag(2)), http.StatusOK))
	if q.State != quotes.StateSent || q.Version != 3 {
		t.Errorf("sent %+v", q)
	}
	q = contracttest.Decode[quotes.Quote](act(e, u, q.ID, "accept", "signed", http.StatusOK))
	last := q.History[len(q.History)-1]
	if q.State != quotes.StateAccepted || len(q.History) != 4 || last.Action != "accept" || last.From != "sent" || last.To != "accepted" ||
		last.Comment != "signed" || last.By != u.id || len(q.Decisions) != 0 {
		t.Errorf("accepted %+v", q)
	}
	act(e, u, q.ID, "revise", "", http.StatusConflict)
	act(e, u, q.ID, "decline", "", http.StatusConflict)

	want := []string{"created", "submitted", "sent", "accepted"}
	for i := range want {
		want[i] = "dev.rapport.sales.quote." + want[i] + ".v1"
	}
	if got := eventTypes(e, q.ID); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	validateEvents(t, e)

	// The quote is the opportunity's owner's: out of another's own scope,
	// and of another tenant.
	e.want(e.do(u.scoped(auth.ScopeOwn), "GET", "/v1/quotes/"+q.ID, nil), http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/quotes/"+q.ID, nil), http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), "POST", "/v1/quotes", map[string]any{"opportunityId": opp}), http.StatusBadRequest)
	if list := contracttest.Decode[quotePage](e.want(e.do(u, "GET", "/v1/quotes?opportunityId="+opp, nil), http.StatusOK)).Items; len(list) != 1 || list[0].ID != q.ID {
		t.Errorf("listed %+v", list)
	}
	if list := contracttest.Decode[quotePage](e.want(e.do(u.scoped(auth.ScopeOwn), "GET", "/v1/quotes", nil), http.StatusOK)).Items; len(list) != 0 {
		t.Errorf("another's own scope lists %d", len(list))
	}
}

// TestQuoteRevisions: a revision copies the opportunity's lines as they
// are now under the same number; the older stays readable.
func TestQuoteRevisions(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c, opp := quotable(e, u)
	q := createQuote(e, u, opp)
	putLines(e, u, opp, 2, map[string]any{"priceBookId": c.book, "lineItems": []any{line(c.hours, "4", "")}}, http.StatusOK)
	r := e.want(e.do(u, "POST", "/v1/quotes/"+q.ID+"/revise", map[string]any{"comment": "hours only"}), http.StatusOK)
	rev := contracttest.Decode[quotes.Quote](r)
	if rev.Number != q.Number || rev.Revision != 2 || rev.State != quotes.StateDraft || len(rev.LineItems) != 1 || rev.Total.Minor != 500 {
		t.Errorf("revised %+v", rev)
	}
	if changed := kitx.ChangedFields(r.Header); !slices.Contains(changed, "revision") || !slices.Contains(changed, "lineItems") {
		t.Errorf("changed %v", changed)
	}
	first := contracttest.Decode[quotes.Revision](e.want(e.do(u, "GET", "/v1/quotes/"+q.ID+"/revisions/1", nil), http.StatusOK))
	if first.Revision != 1 || len(first.LineItems) != 2 || first.Total.Minor != 936 || first.Number != q.Number {
		t.Errorf("revision 1 %+v", first)
	}
	e.want(e.do(u, "GET", "/v1/quotes/"+q.ID+"/revisions/3", nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/quotes/"+q.ID+"/revisions/x", nil), http.StatusBadRequest)
	// A quote of an opportunity without lines, or of no opportunity, is refused.
	empty := createOpportunity(e, u, map[string]any{"name": "Empty"})
	r = e.want(e.do(u, "POST", "/v1/quotes", map[string]any{"opportunityId": empty.ID}), http.StatusUnprocessableEntity)
	if !slices.Equal(r.fields(), []string{"lineItems"}) {
		t.Errorf("no lines names %v", r.fields())
	}
	for _, id := range []string{"nope", uuid.NewString()} {
		if r = e.want(e.do(u, "POST", "/v1/quotes", map[string]any{"opportunityId": id}), http.StatusBadRequest); !slices.Equal(r.fields(), []string{"opportunityId"}) {
			t.Errorf("opportunity %q names %v", id, r.fields())
		}
	}
	if got := eventTypes(e, q.ID); !slices.Equal(got, []string{"dev.rapport.sales.quote.created.v1", "dev.rapport.sales.quote.updated.v1"}) {
		t.Errorf("events %v", got)
	}
	validateEvents(t, e)
}

// TestQuoteSettingsAndApproval: thresholds are the admin's to set; a quote
// over them needs the team directory.
func TestQuoteSettingsAndApproval(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	settings := map[string]any{"discountPercent": "10", "secondLevelDiscountPercent": "30", "totals": map[string]any{"EUR": map[string]any{"approval": 100000}}}
	e.want(e.do(u.as("sales:read", "sales:write"), "PUT", "/v1/quotes/settings", settings), http.StatusForbidden)
	got := contracttest.Decode[quotes.Settings](e.want(e.do(u, "PUT", "/v1/quotes/settings", settings), http.StatusOK))
	if got.DiscountPercent != "10" || *got.Totals["EUR"].Approval != 100000 || got.UpdatedBy != u.id {
		t.Errorf("set %+v", got)
	}
	if read := contracttest.Decode[quotes.Settings](e.want(e.do(u.as("sales:read"), "GET", "/v1/quotes/settings", nil), http.StatusOK)); read.SecondLevelDiscountPercent != "30" {
		t.Errorf("read %+v", read)
	}
	r := e.want(e.do(u, "PUT", "/v1/quotes/settings", map[string]any{"discountPercent": "101", "totals": map[string]any{"eur": map[string]any{"approval": -1}}}),
		http.StatusBadRequest)
	if want := []string{"discountPercent", "totals/eur", "totals/eur/approval"}; !slices.Equal(r.fields(), want) {
		t.Errorf("bad settings name %v, want %v", r.fields(), want)
	}
	// The licence's 12.5 % is over 10 %: the submit needs the directory of
	// the gateway's teams, which this service is not given yet.
	_, opp := quotable(e, u)
	q := createQuote(e, u, opp)
	act(e, u, q.ID, "submit", "", http.StatusServiceUnavailable)
	if again := contracttest.Decode[quotes.Quote](e.want(e.do(u, "GET", "/v1/quotes/"+q.ID, nil), http.StatusOK)); again.State != quotes.StateDraft || again.Version != 1 {
		t.Errorf("a refused submit changed %+v", again)
	}
	act(e, u, q.ID, "approve", "", http.StatusConflict)
}

// TestQuoteNumbers: concurrent creates take consecutive numbers, and a
// create rolled back after taking its number gives it back.
func TestQuoteNumbers(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	_, opp := quotable(e, u)
	const n = 8
	replies := make(chan contracttest.Reply, n)
	for range n {
		go func() {
			req := contracttest.NewRequest(t, "POST", e.base+"/v1/quotes", map[string]any{"opportunityId": opp})
			e.authorize(req, u)
			replies <- e.contract.Send(t, req)
		}()
	}
	var got []string
	for range n {
		r := <-replies
		if r.Status != http.StatusCreated {
			t.Fatalf("a concurrent create answered %d: %s", r.Status, r.Raw)
		}
		got = append(got, contracttest.Decode[quotes.Quote](r).Number)
	}
	slices.Sort(got)
	for i, num := range got {
		if num != quoteNumber(i+1) {
			t.Fatalf("numbers %v: want %s to %s without a gap", got, quoteNumber(1), quoteNumber(n))
		}
	}

	// A create that took number 9 waits on a lock of the quotes table and
	// is cancelled: its transaction rolls back, and the next create takes 9.
	lock, err := e.admin.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec("LOCK TABLE quotes IN EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	cancelled := make(chan error, 1)
	req := contracttest.NewRequest(t, "POST", e.base+"/v1/quotes", map[string]any{"opportunityId": opp})
	e.authorize(req, u)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err == nil {
			resp.Body.Close()
		}
		cancelled <- err
	}()
	testkit.Eventually(t, 10*time.Second, "the create waits on the lock holding number 9", func() (bool, string) {
		var waiting int
		err := e.admin.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO quotes %'`)
		return err == nil && waiting == 1, strconv.Itoa(waiting)
	})
	var held int64
	if err := e.admin.Get(&held, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND c.relname = 'number_sequences' AND l.mode = 'RowExclusiveLock' AND l.granted"); err != nil || held == 0 {
		t.Fatalf("the waiting create holds no lock of number_sequences (%d, %v)", held, err)
	}
	cancel()
	<-cancelled
	testkit.Eventually(t, 10*time.Second, "the cancelled create gives up", func() (bool, string) {
		var waiting int
		err := e.admin.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'INSERT INTO quotes %' AND state = 'active'`)
		return err == nil && waiting == 0, strconv.Itoa(waiting)
	})
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	if q := createQuote(e, u, opp); q.Number != quoteNumber(n+1) {
		t.Errorf("after a rolled-back create the next is %s, want %s", q.Number, quoteNumber(n+1))
	}
}

// TestQuoteScope: a quote is seen as its opportunity is, by the owner's
// team under scope team, and by no other team.
func TestQuoteScope(t *testing.T) {
	e := newEnv(t)
	owner := newUser(uuid.NewString()).scoped(auth.ScopeOwn, "north")
	admin := owner.scoped(auth.ScopeAll)
	c := newCatalogue(e, admin)
	o := createOpportunity(e, owner, map[string]any{"name": "Northern", "teamId": "north"})
	putLines(e, owner, o.ID, 1, map[string]any{"priceBookId": c.book, "lineItems": []any{line(c.licence, "1", "")}}, http.StatusOK)
	q := createQuote(e, owner, o.ID)
	if q.TeamID != "north" || q.OwnerID != owner.id {
		t.Fatalf("created %+v", q)
	}
	for _, tt := range []struct {
		name string
		u    user
		sees bool
	}{
		{"the owner", owner, true},
		{"a teammate", owner.scoped(auth.ScopeTeam, "north"), true},
		{"another team", owner.scoped(auth.ScopeTeam, "south"), false},
		{"another owner", owner.scoped(auth.ScopeOwn, "north"), false},
		{"scope all", admin, true},
	} {
		list := contracttest.Decode[quotePage](e.want(e.do(tt.u, "GET", "/v1/quotes", nil), http.StatusOK)).Items
		status := e.do(tt.u, "GET", "/v1/quotes/"+q.ID, nil).Status
		if (len(list) == 1) != tt.sees || (status == http.StatusOK) != tt.sees {
			t.Errorf("%s lists %d and reads %d, sees %v", tt.name, len(list), status, tt.sees)
		}
	}
	// A draft awaits nobody's decision, whoever may see it; the pending
	// ones are e2e/quotes_test.go's, which has the gateway's directory.
	if list := contracttest.Decode[quotePage](e.want(e.do(admin, "GET", "/v1/quotes?awaitingMe=true", nil), http.StatusOK)).Items; len(list) != 0 {
		t.Errorf("awaiting the admin: %d quotes", len(list))
	}
	if r := e.want(e.do(admin, "GET", "/v1/quotes?awaitingMe=maybe", nil), http.StatusBadRequest); !slices.Equal(r.fields(), []string{"awaitingMe"}) {
		t.Errorf("awaitingMe=maybe names %v", r.fields())
	}
}

// TestQuoteOfUnpricedLine: a quote is made of line items the opportunity's
// price book still prices; one it no longer prices is a 422 naming the
// line, for a new quote and for a revision, and nothing is numbered.
func TestQuoteOfUnpricedLine(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c, opp := quotable(e, u)
	q := createQuote(e, u, opp)
	e.want(e.do(u, "DELETE", "/v1/price-books/"+c.book+"/entries/"+c.hours, nil), http.StatusNoContent)
	r := e.want(e.do(u, "POST", "/v1/quotes", map[string]any{"opportunityId": opp}), http.StatusUnprocessableEntity)
	if !slices.Equal(r.fields(), []string{"lineItems/1/productId"}) {
		t.Errorf("create names %v, want lineItems/1/productId", r.fields())
	}
	r = e.want(e.do(u, "POST", "/v1/quotes/"+q.ID+"/revise", nil, "If-Match", kitx.ETag(q.Version)), http.StatusUnprocessableEntity)
	if !slices.Equal(r.fields(), []string{"lineItems/1/productId"}) {
		t.Errorf("revise names %v, want lineItems/1/productId", r.fields())
	}
	e.want(e.do(u, "PUT", "/v1/price-books/"+c.book+"/entries/"+c.hours, price(125, "EUR")), http.StatusCreated)
	if next := createQuote(e, u, opp); next.Number != quoteNumber(2) {
		t.Errorf("the next quote is %s, want %s: a refused create took a number", next.Number, quoteNumber(2))
	}
}
