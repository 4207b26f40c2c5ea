package sales_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/catalog"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// priceBookList is the body of GET /v1/price-books.
type priceBookList struct {
	Items []catalog.PriceBook `json:"items"`
}

// entryPage is the body of GET /v1/price-books/{id}/entries.
type entryPage struct {
	Items      []catalog.Entry `json:"items"`
	NextCursor string          `json:"nextCursor"`
}

// createPriceBook creates a price book as u.
func (e *env) createPriceBook(u user, body map[string]any) catalog.PriceBook {
	e.t.Helper()
	return contracttest.Decode[catalog.PriceBook](e.want(e.do(u, "POST", "/v1/price-books", body), http.StatusCreated))
}

// price is the body of a PUT of an entry.
func price(minor int64, currency string) map[string]any {
	m := map[string]any{"minor": minor}
	if currency != "" {
		m["currency"] = currency
	}
	return map[string]any{"unitPrice": m}
}

func TestPriceBookCRUD(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	r := e.want(e.do(u, "POST", "/v1/price-books", map[string]any{"name": "Standard BHD", "currency": "BHD", "isStandard": true}), http.StatusCreated)
	b := contracttest.Decode[catalog.PriceBook](r)
	if b.Exponent != 3 || !*b.Active || !b.IsStandard || b.Version != 1 || r.Header.Get("Location") != "/v1/price-books/"+b.ID {
		t.Fatalf("created %+v", b)
	}
	edu := e.createPriceBook(u, map[string]any{"name": "Education EUR", "currency": "EUR", "segment": "education",
		"validFrom": "2027-01-01", "validTo": "2027-12-31"})
	std := e.createPriceBook(u, map[string]any{"name": "Standard EUR", "currency": "EUR", "isStandard": true})

	// One standard price book per currency: a second is refused, on
	// create and on patch.
	r = e.want(e.do(u, "POST", "/v1/price-books", map[string]any{"name": "Other EUR", "currency": "EUR", "isStandard": true}), http.StatusConflict)
	if p := contracttest.Decode[problemBody](r); !strings.Contains(p.Type, "standard-price-book-exists") {
		t.Errorf("second standard: %s", r.Raw)
	}
	e.want(e.do(u, "PATCH", "/v1/price-books/"+edu.ID, map[string]any{"isStandard": true}, "If-Match", kitx.ETag(1)), http.StatusConflict)
	e.want(e.do(u, "POST", "/v1/price-books", map[string]any{"name": "standard eur", "currency": "USD"}), http.StatusConflict)

	list := contracttest.Decode[priceBookList](e.want(e.do(u.as("sales:read"), "GET", "/v1/price-books", nil), http.StatusOK)).Items
	var names []string
	for _, b := range list {
		names = append(names, b.Name)
	}
	if want := []string{"Standard BHD", "Standard EUR", "Education EUR"}; !slices.Equal(names, want) {
		t.Errorf("price books %v, want %v", names, want)
	}
	if eur := contracttest.Decode[priceBookList](e.want(e.do(u, "GET", "/v1/price-books?currency=EUR", nil), http.StatusOK)).Items; len(eur) != 2 {
		t.Errorf("EUR price books: %d", len(eur))
	}
	if r := e.want(e.do(u, "GET", "/v1/price-books?currency=eur", nil), http.StatusBadRequest); !slices.Equal(r.fields(), []string{"currency"}) {
		t.Errorf("a bad currency names %v", r.fields())
	}

	// Patches need If-Match; the currency cannot change; null removes a date.
	e.want(e.do(u, "PATCH", "/v1/price-books/"+edu.ID, map[string]any{"validTo": nil}), http.StatusPreconditionRequired)
	e.want(e.do(u, "PATCH", "/v1/price-books/"+edu.ID, map[string]any{"validTo": nil}, "If-Match", kitx.ETag(9)), http.StatusPreconditionFailed)
	if r := e.want(e.do(u, "PATCH", "/v1/price-books/"+edu.ID, map[string]any{"currency": "USD"}, "If-Match", kitx.ETag(1)), http.StatusBadRequest); !slices.Equal(r.fields(), []string{"currency"}) {
		t.Errorf("currency change names %v", r.fields())
	}
	r = e.want(e.do(u, "PATCH", "/v1/price-books/"+edu.ID, map[string]any{"validTo": nil, "active": false}, "If-Match", kitx.ETag(1)), http.StatusOK)
	if got := contracttest.Decode[catalog.PriceBook](r); got.ValidTo != "" || *got.Active || got.Version != 2 || !slices.Equal(kitx.ChangedFields(r.Header), []string{"active", "validTo"}) {
		t.Errorf("patched %+v, changed %v", got, kitx.ChangedFields(r.Header))
	}

	// Permissions and other tenants.
	e.want(e.do(u.as("sales:read", "sales:write"), "POST", "/v1/price-books", map[string]any{"name": "X", "currency": "EUR"}), http.StatusForbidden)
	e.want(e.do(u.as("sales:read", "sales:write"), "DELETE", "/v1/price-books/"+std.ID, nil), http.StatusForbidden)
	stranger := newUser(uuid.NewString())
	e.want(e.do(stranger, "GET", "/v1/price-books/"+std.ID, nil), http.StatusNotFound)
	e.want(e.do(stranger, "PATCH", "/v1/price-books/"+std.ID, map[string]any{"name": "X"}, "If-Match", kitx.ETag(1)), http.StatusNotFound)
	e.want(e.do(stranger, "DELETE", "/v1/price-books/"+std.ID, nil), http.StatusNotFound)
	if got := contracttest.Decode[priceBookList](e.want(e.do(stranger, "GET", "/v1/price-books", nil), http.StatusOK)).Items; len(got) != 0 {
		t.Errorf("another tenant sees %d price books", len(got))
	}
	// Another tenant may have its own standard EUR book.
	e.createPriceBook(stranger, map[string]any{"name": "Standard EUR", "currency": "EUR", "isStandard": true})

	// Deleting the standard book frees the currency for another.
	e.want(e.do(u, "DELETE", "/v1/price-books/"+std.ID, nil, "If-Match", kitx.ETag(1)), http.StatusNoContent)
	e.want(e.do(u, "PATCH", "/v1/price-books/"+edu.ID, map[string]any{"isStandard": true}, "If-Match", kitx.ETag(2)), http.StatusOK)
	e.want(e.do(u, "GET", "/v1/price-books/"+std.ID, nil), http.StatusNotFound)
	validateEvents(t, e)
}

// TestStandardPriceBookRace: concurrent creates of a currency's standard
// price book make one.
func TestStandardPriceBookRace(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	statuses := make([]int, 4)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = e.do(u, "POST", "/v1/price-books", map[string]any{"name": "Standard " + uuid.NewString(), "currency": "JPY", "isStandard": true}).Status
		})
	}
	wg.Wait()
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{http.StatusCreated, http.StatusConflict, http.StatusConflict, http.StatusConflict}) {
		t.Errorf("statuses %v, want one 201 and three 409", statuses)
	}
}

func TestPriceBookBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, tt := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"no name, lower-case currency", map[string]any{"name": " ", "currency": "eur"}, []string{"name", "currency"}},
		{"unknown currency", map[string]any{"name": "B", "currency": "ABC"}, []string{"currency"}},
		{"an X code", map[string]any{"name": "B", "currency": "XAU"}, []string{"currency"}},
		{"bad dates", map[string]any{"name": "B", "currency": "EUR", "validFrom": "2027-13-01", "validTo": "soon"}, []string{"validFrom", "validTo"}},
		{"ends before it starts", map[string]any{"name": "B", "currency": "EUR", "validFrom": "2027-06-01", "validTo": "2027-05-31"}, []string{"validTo"}},
		{"read-only exponent", map[string]any{"name": "B", "currency": "EUR", "exponent": 2}, []string{"exponent"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.want(e.do(u, "POST", "/v1/price-books", tt.body), http.StatusBadRequest)
			if got := r.fields(); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v: %s", got, tt.fields, r.Raw)
			}
		})
	}
}

func TestPriceBookEntries(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	b := e.createPriceBook(u, map[string]any{"name": "Standard KWD", "currency": "KWD", "isStandard": true})
	pro := e.createProduct(u, product("PRO", "Pro"))
	basic := e.createProduct(u, product("BASIC", "Basic"))
	path := "/v1/price-books/" + b.ID + "/entries/"

	// A new price is 201, a changed one 200, in minor units of the book's
	// currency (which the price may leave out).
	r := e.want(e.do(u, "PUT", path+pro.ID, price(12345, "KWD")), http.StatusCreated)
	if got := contracttest.Decode[catalog.Entry](r); got.UnitPrice.Minor != 12345 || got.UnitPrice.Currency != "KWD" || *got.UnitPrice.Exponent != 3 || got.ProductID != pro.ID {
		t.Errorf("entry %+v", got)
	}
	e.want(e.do(u, "PUT", path+pro.ID, price(23456, "")), http.StatusOK)
	e.want(e.do(u, "PUT", path+pro.ID, price(23456, "")), http.StatusOK) // unchanged: no event
	e.want(e.do(u, "PUT", path+basic.ID, price(0, "")), http.StatusCreated)

	// Money validation names the fields.
	for _, tt := range []struct {
		body   any
		fields []string
	}{
		{price(100, "EUR"), []string{"unitPrice/currency"}},
		{price(-1, ""), []string{"unitPrice/minor"}},
		{map[string]any{"unitPrice": map[string]any{"minor": 1, "exponent": 2}}, []string{"unitPrice/exponent"}},
		{map[string]any{"unitPrice": map[string]any{"minor": 1.5}}, []string{"unitPrice/minor"}},
		{map[string]any{}, []string{"unitPrice"}},
	} {
		r := e.want(e.do(u, "PUT", path+pro.ID, tt.body), http.StatusBadRequest)
		if got := r.fields(); !slices.Equal(got, tt.fields) {
			t.Errorf("PUT %v: fields %v, want %v: %s", tt.body, got, tt.fields, r.Raw)
		}
	}

	// A priced product cannot be deleted: deactivate it instead. It keeps
	// its prices (which may change), but an inactive product is not newly
	// priced.
	r = e.want(e.do(u, "DELETE", "/v1/products/"+pro.ID, nil), http.StatusConflict)
	if p := contracttest.Decode[problemBody](r); !strings.Contains(p.Type, "product-in-use") || !strings.Contains(p.Detail, "1 price book") {
		t.Errorf("delete of a priced product: %s", r.Raw)
	}
	e.want(e.do(u, "PATCH", "/v1/products/"+pro.ID, map[string]any{"active": false}, "If-Match", kitx.ETag(1)), http.StatusOK)
	e.want(e.do(u, "PUT", path+pro.ID, price(999, "")), http.StatusOK)
	other := e.createPriceBook(u, map[string]any{"name": "Partners KWD", "currency": "KWD", "segment": "partners"})
	r = e.want(e.do(u, "PUT", "/v1/price-books/"+other.ID+"/entries/"+pro.ID, price(999, "")), http.StatusUnprocessableEntity)
	if p := contracttest.Decode[problemBody](r); !strings.Contains(p.Type, "product-inactive") {
		t.Errorf("pricing an inactive product: %s", r.Raw)
	}

	// Pages of the entries.
	page := contracttest.Decode[entryPage](e.want(e.do(u.as("sales:read"), "GET", "/v1/price-books/"+b.ID+"/entries?limit=1", nil), http.StatusOK))
	next := contracttest.Decode[entryPage](e.want(e.do(u, "GET", "/v1/price-books/"+b.ID+"/entries?limit=1&cursor="+page.NextCursor, nil), http.StatusOK))
	if len(page.Items) != 1 || page.NextCursor == "" || len(next.Items) != 1 || next.NextCursor != "" || page.Items[0].ProductID == next.Items[0].ProductID {
		t.Errorf("pages %+v then %+v", page, next)
	}

	// Unknown products and other tenants' books are 404; writes need
	// sales:admin.
	e.want(e.do(u, "PUT", path+uuid.NewString(), price(1, "")), http.StatusNotFound)
	stranger := newUser(uuid.NewString())
	e.want(e.do(stranger, "GET", "/v1/price-books/"+b.ID+"/entries", nil), http.StatusNotFound)
	e.want(e.do(stranger, "PUT", path+pro.ID, price(1, "")), http.StatusNotFound)
	theirs := e.createProduct(stranger, product("PRO", "Theirs"))
	e.want(e.do(u, "PUT", path+theirs.ID, price(1, "")), http.StatusNotFound)
	e.want(e.do(stranger, "DELETE", path+pro.ID, nil), http.StatusNotFound)
	e.want(e.do(u.as("sales:read", "sales:write"), "PUT", path+pro.ID, price(1, "")), http.StatusForbidden)

	// Removing the prices lets the product go.
	e.want(e.do(u, "DELETE", path+pro.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "DELETE", path+pro.ID, nil), http.StatusNotFound)
	e.want(e.do(u, "DELETE", "/v1/products/"+pro.ID, nil), http.StatusNoContent)
	// Deleting a book takes its prices with it.
	e.want(e.do(u, "DELETE", "/v1/price-books/"+b.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "DELETE", "/v1/products/"+basic.ID, nil), http.StatusNoContent)

	var types []string
	for _, ev := range e.published() {
		if ev.TenantID == u.tenant && ev.Subject == b.ID {
			types = append(types, ev.Type)
		}
	}
	want := []string{"dev.rapport.sales.pricebook.created.v1", "dev.rapport.sales.pricebook.entry_set.v1", "dev.rapport.sales.pricebook.entry_set.v1",
		"dev.rapport.sales.pricebook.entry_set.v1", "dev.rapport.sales.pricebook.entry_set.v1", "dev.rapport.sales.pricebook.entry_deleted.v1",
		"dev.rapport.sales.pricebook.deleted.v1"}
	if !slices.Equal(types, want) {
		t.Errorf("events %v, want %v", types, want)
	}
	validateEvents(t, e)
}

// TestPriceLookup: catalog.Store.Price finds a product's price in a book
// on a date, or answers ErrNoPrice naming the product.
func TestPriceLookup(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	b := e.createPriceBook(u, map[string]any{"name": "2027 JPY", "currency": "JPY", "validFrom": "2027-01-01", "validTo": "2027-12-31"})
	p := e.createProduct(u, product("SEAT", "Seat"))
	unpriced := e.createProduct(u, product("OTHER", "Other"))
	e.want(e.do(u, "PUT", "/v1/price-books/"+b.ID+"/entries/"+p.ID, price(1500, "JPY")), http.StatusCreated)

	store := catalog.NewStore(outbox.NewDB(testkit.Open(t, e.app), pgstore.Events, registry.MustTopic("", registry.Sales)))
	ctx := context.Background()
	day := func(s string) time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return d
	}
	got, err := store.Price(ctx, u.tenant, b.ID, p.ID, day("2027-12-31"))
	if err != nil || got.UnitPrice.Minor != 1500 || got.UnitPrice.Currency != "JPY" {
		t.Fatalf("Price = %+v, %v", got, err)
	}
	for _, c := range []struct {
		name, tenant, book, product, day string
	}{
		{"before the book", u.tenant, b.ID, p.ID, "2026-12-31"},
		{"after the book", u.tenant, b.ID, p.ID, "2028-01-01"},
		{"no entry", u.tenant, b.ID, unpriced.ID, "2027-06-01"},
		{"no book", u.tenant, uuid.NewString(), p.ID, "2027-06-01"},
		{"another tenant", uuid.NewString(), b.ID, p.ID, "2027-06-01"},
	} {
		_, err := store.Price(ctx, c.tenant, c.book, c.product, day(c.day))
		var e *errs.Error
		if !errors.Is(err, catalog.ErrNoPrice) || !errors.As(err, &e) || len(e.Fields) != 1 || !strings.Contains(e.Fields[0].Reason, c.product) {
			t.Errorf("%s: err = %v, want ErrNoPrice naming the product", c.name, err)
		}
	}
	e.want(e.do(u, "PATCH", "/v1/price-books/"+b.ID, map[string]any{"active": false}, "If-Match", kitx.ETag(1)), http.StatusOK)
	if _, err := store.Price(ctx, u.tenant, b.ID, p.ID, day("2027-06-01")); !errors.Is(err, catalog.ErrNoPrice) {
		t.Errorf("an inactive book: err = %v, want ErrNoPrice", err)
	}
}
