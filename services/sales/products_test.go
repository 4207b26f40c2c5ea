package sales_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/sales/catalog"
)

// productPage is the body of GET /v1/products.
type productPage struct {
	Items      []catalog.Product `json:"items"`
	NextCursor string            `json:"nextCursor"`
}

// product is a product's request body.
func product(sku, name string) map[string]any {
	return map[string]any{"sku": sku, "name": name, "family": "Licences", "unit": "each"}
}

// createProduct creates a product as u.
func (e *env) createProduct(u user, body map[string]any) catalog.Product {
	e.t.Helper()
	return contracttest.Decode[catalog.Product](e.want(e.do(u, "POST", "/v1/products", body), http.StatusCreated))
}

// skus returns the SKUs of list.
func skus(list []catalog.Product) []string {
	var out []string
	for _, p := range list {
		out = append(out, p.SKU)
	}
	return out
}

func TestProductCRUD(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	r := e.want(e.do(u, "POST", "/v1/products", map[string]any{"sku": " CRM-PRO ", "name": "Rapport Pro", "unit": "month",
		"description": "Per seat"}), http.StatusCreated)
	p := contracttest.Decode[catalog.Product](r)
	if p.SKU != "CRM-PRO" || p.Active == nil || !*p.Active || p.Version != 1 || r.Header.Get("ETag") != kitx.ETag(1) ||
		r.Header.Get("Location") != "/v1/products/"+p.ID {
		t.Fatalf("created %+v (ETag %s, Location %s)", p, r.Header.Get("ETag"), r.Header.Get("Location"))
	}
	if got := contracttest.Decode[catalog.Product](e.want(e.do(u.as("sales:read"), "GET", "/v1/products/"+p.ID, nil), http.StatusOK)); got.Name != "Rapport Pro" {
		t.Errorf("GET = %+v", got)
	}

	// The same SKU in another case is taken; another tenant may have it.
	e.want(e.do(u, "POST", "/v1/products", product("crm-pro", "Again")), http.StatusConflict)
	e.createProduct(newUser(uuid.NewString()), product("CRM-PRO", "Theirs"))

	// A PATCH needs If-Match, and the current one.
	deactivate := map[string]any{"active": false, "family": "Licences"}
	e.want(e.do(u, "PATCH", "/v1/products/"+p.ID, deactivate), http.StatusPreconditionRequired)
	e.want(e.do(u, "PATCH", "/v1/products/"+p.ID, deactivate, "If-Match", kitx.ETag(4)), http.StatusPreconditionFailed)
	r = e.want(e.do(u, "PATCH", "/v1/products/"+p.ID, deactivate, "If-Match", kitx.ETag(1)), http.StatusOK)
	if got := contracttest.Decode[catalog.Product](r); *got.Active || got.Version != 2 || !slices.Equal(kitx.ChangedFields(r.Header), []string{"active", "family"}) {
		t.Errorf("patched %+v, changed %v", got, kitx.ChangedFields(r.Header))
	}
	// A patch that changes nothing keeps the version; a null removes the family.
	if same := contracttest.Decode[catalog.Product](e.want(e.do(u, "PATCH", "/v1/products/"+p.ID, deactivate, "If-Match", kitx.ETag(2)), http.StatusOK)); same.Version != 2 {
		t.Errorf("an empty change made version %d", same.Version)
	}
	if got := contracttest.Decode[catalog.Product](e.want(e.do(u, "PATCH", "/v1/products/"+p.ID, map[string]any{"family": nil}, "If-Match", kitx.ETag(2)), http.StatusOK)); got.Family != "" || got.Version != 3 {
		t.Errorf("family removed: %+v", got)
	}
	// Renaming the SKU to a taken one is a conflict.
	other := e.createProduct(u, product("SVC-HOUR", "Consulting"))
	e.want(e.do(u, "PATCH", "/v1/products/"+other.ID, map[string]any{"sku": "Crm-Pro"}, "If-Match", kitx.ETag(1)), http.StatusConflict)

	// Writes need sales:admin (the service checks it); reads sales:read.
	e.want(e.do(u.as("sales:read", "sales:write"), "POST", "/v1/products", product("X-1", "X")), http.StatusForbidden)
	e.want(e.do(u.as("sales:read", "sales:write"), "PATCH", "/v1/products/"+p.ID, map[string]any{"name": "X"}, "If-Match", kitx.ETag(3)), http.StatusForbidden)
	e.want(e.do(u.as("sales:read", "sales:write"), "DELETE", "/v1/products/"+p.ID, nil), http.StatusForbidden)
	e.want(e.do(u.as("contacts:read"), "GET", "/v1/products", nil), http.StatusForbidden)

	// Other tenants' products and ids of no product are 404.
	stranger := newUser(uuid.NewString())
	e.want(e.do(stranger, "GET", "/v1/products/"+p.ID, nil), http.StatusNotFound)
	e.want(e.do(stranger, "PATCH", "/v1/products/"+p.ID, map[string]any{"name": "X"}, "If-Match", kitx.ETag(3)), http.StatusNotFound)
	e.want(e.do(stranger, "DELETE", "/v1/products/"+p.ID, nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/products/not-a-uuid", nil), http.StatusNotFound)

	e.want(e.do(u, "DELETE", "/v1/products/"+p.ID, nil, "If-Match", kitx.ETag(2)), http.StatusPreconditionFailed)
	e.want(e.do(u, "DELETE", "/v1/products/"+p.ID, nil, "If-Match", kitx.ETag(3)), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/products/"+p.ID, nil), http.StatusNotFound)

	var types []string
	for _, ev := range e.published() {
		if ev.TenantID == u.tenant {
			types = append(types, ev.Type)
		}
	}
	want := []string{"dev.rapport.sales.product.created.v1", "dev.rapport.sales.product.updated.v1", "dev.rapport.sales.product.updated.v1",
		"dev.rapport.sales.product.created.v1", "dev.rapport.sales.product.deleted.v1"}
	if !slices.Equal(types, want) {
		t.Errorf("events %v, want %v", types, want)
	}
	validateEvents(t, e)
}

// TestProductSKURace: two concurrent creates of one SKU (in other cases)
// make one product: one 201, one 409.
func TestProductSKURace(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for round := range 5 {
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range statuses {
			wg.Go(func() {
				sku := fmt.Sprintf("race-%d", round)
				if i == 1 {
					sku = fmt.Sprintf("RACE-%d", round)
				}
				statuses[i] = e.do(u, "POST", "/v1/products", product(sku, "Racer")).Status
			})
		}
		wg.Wait()
		slices.Sort(statuses)
		if !slices.Equal(statuses, []int{http.StatusCreated, http.StatusConflict}) {
			t.Fatalf("round %d: statuses %v, want one 201 and one 409", round, statuses)
		}
	}
	if got := contracttest.Decode[productPage](e.want(e.do(u, "GET", "/v1/products", nil), http.StatusOK)).Items; len(got) != 5 {
		t.Errorf("%d products, want 5", len(got))
	}
}

func TestProductList(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, p := range []map[string]any{
		{"sku": "b-200", "name": "Support plan", "family": "Services", "unit": "month"},
		{"sku": "A-100", "name": "Rapport Pro", "family": "Licences", "unit": "each"},
		{"sku": "c_300", "name": "Rapport Basic", "family": "licences", "unit": "each", "active": false},
		{"sku": "C%400", "name": "Training day", "family": "Services", "unit": "day"},
		{"sku": "D-500", "name": "Onboarding", "unit": "hour"},
	} {
		e.createProduct(u, p)
	}
	e.createProduct(newUser(uuid.NewString()), product("A-1", "Another tenant's"))
	list := func(query string) []string {
		t.Helper()
		return skus(contracttest.Decode[productPage](e.want(e.do(u.as("sales:read"), "GET", "/v1/products"+query, nil), http.StatusOK)).Items)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"A-100", "b-200", "C%400", "c_300", "D-500"}},
		{"?q=rapport", []string{"A-100", "c_300"}},
		{"?q=C", []string{"C%400", "c_300"}},
		{"?q=c_", []string{"c_300"}},
		{"?q=c%25", []string{"C%400"}},
		{"?q=%25", nil},
		{"?family=LICENCES", []string{"A-100", "c_300"}},
		{"?active=false", []string{"c_300"}},
		{"?active=true&family=services", []string{"b-200", "C%400"}},
	} {
		if got := list(c.query); !slices.Equal(got, c.want) {
			t.Errorf("GET /v1/products%s = %v, want %v", c.query, got, c.want)
		}
	}

	// Pages of two, by the cursor.
	var all []string
	cursor := ""
	for range 4 {
		page := contracttest.Decode[productPage](e.want(e.do(u, "GET", "/v1/products?limit=2&cursor="+cursor, nil), http.StatusOK))
		all = append(all, skus(page.Items)...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if want := list(""); !slices.Equal(all, want) {
		t.Errorf("paged %v, want %v", all, want)
	}
	if r := e.want(e.do(u, "GET", "/v1/products?active=maybe&limit=0", nil), http.StatusBadRequest); !slices.Equal(r.fields(), []string{"active", "limit"}) {
		t.Errorf("bad query names %v", r.fields())
	}
	e.want(e.do(u, "GET", "/v1/products?cursor=forged", nil), http.StatusBadRequest)
}

func TestProductBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, tt := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"no sku, name or unit", map[string]any{"sku": " ", "name": "", "unit": " "}, []string{"sku", "name", "unit"}},
		{"sku with a space", map[string]any{"sku": "A 1", "name": "N", "unit": "each"}, []string{"sku"}},
		{"read-only", map[string]any{"sku": "A", "name": "N", "unit": "each", "version": 3}, []string{"version"}},
		{"unknown", map[string]any{"sku": "A", "name": "N", "unit": "each", "price": 3}, []string{"price"}},
		{"active as text", map[string]any{"sku": "A", "name": "N", "unit": "each", "active": "yes"}, []string{"active"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.want(e.do(u, "POST", "/v1/products", tt.body), http.StatusBadRequest)
			if got := r.fields(); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v: %s", got, tt.fields, r.Raw)
			}
		})
	}
	p := e.createProduct(u, product("OK-1", "Fine"))
	r := e.want(e.do(u, "PATCH", "/v1/products/"+p.ID, map[string]any{"unit": "", "id": uuid.NewString()}, "If-Match", kitx.ETag(1)), http.StatusBadRequest)
	if got := r.fields(); !slices.Equal(got, []string{"id"}) {
		t.Errorf("patch fields %v", got)
	}
	r = e.want(e.do(u, "PATCH", "/v1/products/"+p.ID, map[string]any{"unit": ""}, "If-Match", kitx.ETag(1)), http.StatusBadRequest)
	if got := r.fields(); !slices.Equal(got, []string{"unit"}) {
		t.Errorf("patch fields %v", got)
	}
}
