package sales_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// catalogue is a price book in EUR with two products priced in it and a
// third it does not price.
type catalogue struct {
	book                  string
	licence, hours, other string
}

// newCatalogue makes a catalogue as u: the licence at 3.33 EUR, the hours
// at 1.25 EUR.
func newCatalogue(e *env, u user) catalogue {
	e.t.Helper()
	c := catalogue{book: e.createPriceBook(u, map[string]any{"name": "List EUR", "currency": "EUR"}).ID,
		licence: e.createProduct(u, product("LIC-1", "企业版许可证")).ID,
		hours:   e.createProduct(u, map[string]any{"sku": "HRS-1", "name": "Consulting", "unit": "hour"}).ID,
		other:   e.createProduct(u, product("OTH-1", "Unpriced")).ID}
	e.want(e.do(u, "PUT", "/v1/price-books/"+c.book+"/entries/"+c.licence, price(333, "")), http.StatusCreated)
	e.want(e.do(u, "PUT", "/v1/price-books/"+c.book+"/entries/"+c.hours, price(125, "EUR")), http.StatusCreated)
	return c
}

// putLines sets an opportunity's line items as u at version, wanting
// status.
func putLines(e *env, u user, id string, version int64, body map[string]any, status int) reply {
	e.t.Helper()
	return e.want(e.do(u, "PUT", "/v1/opportunities/"+id+"/line-items", body, "If-Match", kitx.ETag(version)), status)
}

// line is a line of a PUT.
func line(product, quantity, discount string) map[string]any {
	l := map[string]any{"productId": product, "quantity": quantity}
	if discount != "" {
		l["discountPercent"] = discount
	}
	return l
}

func TestLineItems(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c := newCatalogue(e, u)
	o := createOpportunity(e, u, map[string]any{"name": "Acme", "amount": map[string]any{"minor": 100, "currency": "USD"}})

	body := map[string]any{"priceBookId": c.book, "lineItems": []any{line(c.licence, "3", "12.5"), line(c.hours, "0.5", "")}}
	e.want(e.do(u, "PUT", "/v1/opportunities/"+o.ID+"/line-items", body), http.StatusPreconditionRequired)
	putLines(e, u, o.ID, 7, body, http.StatusPreconditionFailed)
	r := putLines(e, u, o.ID, 1, body, http.StatusOK)
	got := contracttest.Decode[deals.LineItems](r)
	// 3 × 3.33 less 12.5 % = 8.74125 → 8.74; 0.5 × 1.25 = 0.625 → 0.62
	// (half-even); the amount is the sum of the rounded lines.
	if len(got.LineItems) != 2 || got.LineItems[0].Total.Minor != 874 || got.LineItems[1].Total.Minor != 62 ||
		got.LineItems[0].ProductName != "企业版许可证" || got.LineItems[0].SKU != "LIC-1" || got.LineItems[0].UnitPrice.Minor != 333 ||
		got.LineItems[0].DiscountPercent != "12.5" || got.LineItems[1].DiscountPercent != "0" || got.LineItems[1].Quantity != "0.5" ||
		got.Amount == nil || got.Amount.Minor != 936 || got.Amount.Currency != "EUR" || got.PriceBookID != c.book || got.Version != 2 {
		t.Fatalf("line items %+v", got)
	}
	if changed := kitx.ChangedFields(r.Header); !slices.Equal(changed, []string{"amount", "lineItems", "priceBookId"}) {
		t.Errorf("changed %v", changed)
	}
	if r.Header.Get("ETag") != kitx.ETag(2) {
		t.Errorf("ETag %q", r.Header.Get("ETag"))
	}
	read := contracttest.Decode[deals.Opportunity](e.want(e.do(u, "GET", "/v1/opportunities/"+o.ID, nil), http.StatusOK))
	if len(read.LineItems) != 2 || read.Amount.Minor != 936 || read.PriceBookID != c.book {
		t.Errorf("the opportunity reads %+v", read)
	}
	if again := contracttest.Decode[deals.LineItems](e.want(e.do(u, "GET", "/v1/opportunities/"+o.ID+"/line-items", nil), http.StatusOK)); len(again.LineItems) != 2 {
		t.Errorf("GET line items %+v", again)
	}

	// The same lines change nothing; a unit price given replaces the book's.
	putLines(e, u, o.ID, 2, body, http.StatusOK)
	override := map[string]any{"productId": c.hours, "quantity": "2", "unitPrice": map[string]any{"minor": 100}}
	got = contracttest.Decode[deals.LineItems](putLines(e, u, o.ID, 2, map[string]any{"priceBookId": c.book, "lineItems": []any{override}}, http.StatusOK))
	if got.Amount.Minor != 200 || got.LineItems[0].UnitPrice.Minor != 100 || got.Version != 3 {
		t.Errorf("a given unit price: %+v", got)
	}

	// While there are lines the amount is theirs.
	r = patchOpportunity(e, u, o.ID, 3, map[string]any{"amount": map[string]any{"minor": 5, "currency": "EUR"}}, http.StatusBadRequest)
	if !slices.Equal(r.fields(), []string{"amount"}) {
		t.Errorf("patching the amount names %v", r.fields())
	}
	r = patchOpportunity(e, u, o.ID, 3, map[string]any{"lineItems": []any{}}, http.StatusBadRequest)
	if !slices.Equal(r.fields(), []string{"lineItems"}) {
		t.Errorf("patching the lines names %v", r.fields())
	}
	// Emptied, the lines leave the amount, which may change again.
	got = contracttest.Decode[deals.LineItems](putLines(e, u, o.ID, 3, map[string]any{"lineItems": []any{}}, http.StatusOK))
	if len(got.LineItems) != 0 || got.Amount.Minor != 200 || got.PriceBookID != "" {
		t.Errorf("emptied: %+v", got)
	}
	patchOpportunity(e, u, o.ID, 4, map[string]any{"amount": map[string]any{"minor": 5, "currency": "EUR"}}, http.StatusOK)

	// Events: opportunity.updated naming lineItems.
	var updates [][]string
	for _, ev := range e.published() {
		if ev.Subject == o.ID && ev.Type == "dev.rapport.sales.opportunity.updated.v1" {
			var d struct {
				Changed []string `json:"changed"`
			}
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			updates = append(updates, d.Changed)
		}
	}
	if len(updates) != 4 || !slices.Contains(updates[0], "lineItems") || !slices.Contains(updates[2], "lineItems") || slices.Contains(updates[3], "lineItems") {
		t.Errorf("updates %v", updates)
	}
	validateEvents(t, e)

	// Another tenant does not see it.
	stranger := newUser(uuid.NewString())
	e.want(e.do(stranger, "GET", "/v1/opportunities/"+o.ID+"/line-items", nil), http.StatusNotFound)
	putLines(e, stranger, o.ID, 5, body, http.StatusNotFound)
	// Reading needs sales:read, setting sales:write.
	e.want(e.do(u.as("sales:read"), "GET", "/v1/opportunities/"+o.ID+"/line-items", nil), http.StatusOK)
	putLines(e, u.as("sales:read"), o.ID, 5, body, http.StatusForbidden)
}

func TestLineItemsBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c := newCatalogue(e, u)
	o := createOpportunity(e, u, map[string]any{"name": "Globex"})

	// A product the book has no price for is a 422 naming the line.
	r := putLines(e, u, o.ID, 1, map[string]any{"priceBookId": c.book, "lineItems": []any{line(c.licence, "1", ""), line(c.hours, "1", ""), line(c.other, "1", "")}},
		http.StatusUnprocessableEntity)
	if !slices.Equal(r.fields(), []string{"lineItems/2/productId"}) {
		t.Errorf("an unpriced product names %v", r.fields())
	}
	r = putLines(e, u, o.ID, 1, map[string]any{"priceBookId": uuid.NewString(), "lineItems": []any{line(c.licence, "1", "")}}, http.StatusUnprocessableEntity)
	if !slices.Equal(r.fields(), []string{"lineItems/0/productId"}) {
		t.Errorf("a missing book names %v", r.fields())
	}
	r = putLines(e, u, o.ID, 1, map[string]any{"lineItems": []any{line("nope", "0", "101"), line(c.hours, "1.23456", "-1"),
		map[string]any{"productId": c.hours, "quantity": "1", "unitPrice": map[string]any{"minor": 5, "currency": "USD"}}}}, http.StatusBadRequest)
	want := []string{"priceBookId", "lineItems/0/productId", "lineItems/0/quantity", "lineItems/0/discountPercent", "lineItems/1/quantity", "lineItems/1/discountPercent"}
	if !slices.Equal(r.fields(), want) {
		t.Errorf("bad lines name %v, want %v", r.fields(), want)
	}
	r = putLines(e, u, o.ID, 1, map[string]any{"priceBookId": c.book,
		"lineItems": []any{map[string]any{"productId": c.hours, "quantity": "1", "unitPrice": map[string]any{"minor": 5, "currency": "USD"}}}}, http.StatusBadRequest)
	if !slices.Equal(r.fields(), []string{"lineItems/0/unitPrice/currency"}) {
		t.Errorf("a unit price in another currency names %v", r.fields())
	}
	// An inactive product cannot be added.
	e.want(e.do(u, "PATCH", "/v1/products/"+c.hours, map[string]any{"active": false}, "If-Match", kitx.ETag(1)), http.StatusOK)
	r = putLines(e, u, o.ID, 1, map[string]any{"priceBookId": c.book, "lineItems": []any{line(c.hours, "1", "")}}, http.StatusUnprocessableEntity)
	if !slices.Equal(r.fields(), []string{"lineItems/0/productId"}) {
		t.Errorf("an inactive product names %v", r.fields())
	}
	if got := contracttest.Decode[deals.Opportunity](e.want(e.do(u, "GET", "/v1/opportunities/"+o.ID, nil), http.StatusOK)); got.Version != 1 || len(got.LineItems) != 0 {
		t.Errorf("refused lines changed the opportunity: %+v", got)
	}
}

// TestStageRequiresLineItems: a stage requiring lineItems is entered with
// at least one line.
func TestStageRequiresLineItems(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c := newCatalogue(e, u)
	pl := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "POST", "/v1/pipelines", map[string]any{"name": "Quoted",
		"stages": []map[string]any{stage("Open", "open", 30), stage("Quoted", "open", 60, "lineItems"), stage("Won", "won", 100), stage("Lost", "lost", 0)}}), http.StatusCreated))
	o := createOpportunity(e, u, map[string]any{"name": "Initech", "pipelineId": pl.ID})
	r := patchOpportunity(e, u, o.ID, 1, map[string]any{"stageId": pl.Stages[1].ID}, http.StatusUnprocessableEntity)
	if !slices.Equal(r.fields(), []string{"lineItems"}) {
		t.Errorf("a move without lines names %v", r.fields())
	}
	putLines(e, u, o.ID, 1, map[string]any{"priceBookId": c.book, "lineItems": []any{line(c.licence, "1", "")}}, http.StatusOK)
	if moved := contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, o.ID, 2, map[string]any{"stageId": pl.Stages[1].ID}, http.StatusOK)); moved.StageID != pl.Stages[1].ID {
		t.Errorf("moved %+v", moved)
	}
}
