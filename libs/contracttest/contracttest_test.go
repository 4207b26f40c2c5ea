package contracttest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/starter"
)

// shop is the catalogue testdata/api/asyncapi.yaml documents.
var shop = events.Catalogue{Source: "/rapport/shop", Context: "shop", Verbs: map[string][]string{"order": {"created"}}}

func TestCheckAsyncAPI(t *testing.T) {
	const doc = "testdata/api/asyncapi.yaml"
	if got := failures(t, func(tb testing.TB) { contracttest.CheckAsyncAPI(tb, doc, "rapport.shop.v1", shop) }); len(got) != 0 {
		t.Errorf("the document fails: %q", got)
	}
	more := events.Catalogue{Source: shop.Source, Context: "shop", Verbs: map[string][]string{"order": {"created", "deleted"}}}
	wantFailure(t, failures(t, func(tb testing.TB) { contracttest.CheckAsyncAPI(tb, doc, "rapport.shop.v1", more) }),
		"event dev.rapport.shop.order.deleted.v1 is emitted but not in")
	none := events.Catalogue{Source: shop.Source, Context: "shop"}
	wantFailure(t, failures(t, func(tb testing.TB) { contracttest.CheckAsyncAPI(tb, doc, "rapport.shop.v1", none) }),
		"documents dev.rapport.shop.order.created.v1, which the service does not emit")
	wantFailure(t, failures(t, func(tb testing.TB) { contracttest.CheckAsyncAPI(tb, doc, "t.acme.rapport.shop.v1", shop) }),
		"want the address t.acme.rapport.shop.v1")
}

func TestCheckAsyncAPINamesAStraySchema(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "testdata/api/asyncapi.yaml", filepath.Join(dir, "asyncapi.yaml"))
	copyFile(t, "testdata/api/events/dev.rapport.shop.order.created.v1.json", filepath.Join(dir, "events", "dev.rapport.shop.order.created.v1.json"))
	copyFile(t, "testdata/api/events/dev.rapport.shop.order.created.v1.json", filepath.Join(dir, "events", "dev.rapport.shop.order.paid.v1.json"))
	wantFailure(t, failures(t, func(tb testing.TB) {
		contracttest.CheckAsyncAPI(tb, filepath.Join(dir, "asyncapi.yaml"), "rapport.shop.v1", shop)
	}), "dev.rapport.shop.order.paid.v1.json is of no documented event")
}

func TestValidateEvents(t *testing.T) {
	event := func(typ, data string) events.Event { return events.Event{Type: typ, Data: json.RawMessage(data)} }
	good := event("dev.rapport.shop.order.created.v1", `{"id":"o1","total":12}`)
	if got := failures(t, func(tb testing.TB) { contracttest.ValidateEvents(tb, "testdata/api/events", []events.Event{good}) }); len(got) != 0 {
		t.Errorf("a valid payload fails: %q", got)
	}
	got := failures(t, func(tb testing.TB) {
		contracttest.ValidateEvents(tb, "testdata/api/events", []events.Event{
			event("dev.rapport.shop.order.created.v1", `{"id":"o1","total":-1}`),
			event("dev.rapport.shop.order.paid.v1", `{}`),
		})
	})
	wantFailure(t, got, "dev.rapport.shop.order.created.v1 payload does not match its schema")
	wantFailure(t, got, "event type dev.rapport.shop.order.paid.v1 has no schema")
}

func TestCheckRoutes(t *testing.T) {
	yaml, err := os.ReadFile("testdata/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := starter.LoadOpenAPI(context.Background(), yaml)
	if err != nil {
		t.Fatal(err)
	}
	endpoint := func(context.Context, any) (any, error) { return nil, nil }
	get := starter.Route{Name: "getOrder", Method: "GET", Path: "/v1/orders/{id}", Permission: "shop:read", Endpoint: endpoint}
	create := starter.Route{Name: "createOrder", Method: "POST", Path: "/v1/orders", Permission: "shop:write", Endpoint: endpoint}
	if got := failures(t, func(tb testing.TB) { contracttest.CheckRoutes(tb, doc, []starter.Route{get, create}) }); len(got) != 0 {
		t.Errorf("the route table fails: %q", got)
	}
	renamed, unguarded := get, get
	renamed.Name, unguarded.Permission = "readOrder", ""
	wantFailure(t, failures(t, func(tb testing.TB) { contracttest.CheckRoutes(tb, doc, []starter.Route{renamed, create}) }),
		`route readOrder, operationId "getOrder"`)
	wantFailure(t, failures(t, func(tb testing.TB) { contracttest.CheckRoutes(tb, doc, []starter.Route{unguarded, create}) }),
		"has no endpoint or no permission")
	del := starter.Route{Name: "deleteOrder", Method: "DELETE", Path: "/v1/orders/{id}", Permission: "shop:write", Endpoint: endpoint}
	got := failures(t, func(tb testing.TB) { contracttest.CheckRoutes(tb, doc, []starter.Route{get, del, get}) })
	wantFailure(t, got, "documents 2 operations, the service routes 3")
	wantFailure(t, got, "DELETE /v1/orders/{id} is not in api/openapi.yaml")
	wantFailure(t, got, "GET /v1/orders/{id} is routed twice")
}

// copyFile copies the file from to to, making to's folder.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
