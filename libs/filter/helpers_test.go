package filter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

// testSchema mirrors the contacts table of the integration test.
func testSchema() Schema {
	return Schema{
		Fields: []Field{
			{Name: "id", Column: "id", Type: Number, Sortable: true},
			{Name: "firstName", Column: "first_name", Type: String, Sortable: true},
			{Name: "email", Column: "email", Type: String},
			{Name: "lifecycleStage", Column: "lifecycle_stage", Type: Enum, Values: []string{"lead", "prospect", "customer"}},
			{Name: "score", Column: "score", Type: Number, Sortable: true},
			{Name: "revenue", Column: "revenue", Type: Decimal},
			{Name: "vip", Column: "vip", Type: Bool},
			{Name: "createdAt", Column: "created_at", Type: Time, Sortable: true},
			{Name: "birthday", Column: "birthday", Type: Date},
			{Name: "ownerId", Column: "owner_id", Type: UUID},
			{Name: "lastActivityAt", Column: "last_activity_at", Type: Time},
			{Name: "tags", Column: "tags", Type: StringArray},
			{Name: "fullName", Column: "first_name || ' ' || last_name", Type: String, Sortable: true},
		},
		CustomField: customFields,
	}
}

// customTypes are the test tenant's custom field definitions.
var customTypes = map[string]Type{
	"budget": Decimal, "seats": Number, "industry": String, "renewal": Date,
	"signedAt": Time, "trial": Bool, "partner": UUID, "regions": StringArray,
	"tier": Enum,
}

// customFields resolves "custom.<key>" against customTypes.
func customFields(name string) (Field, bool) {
	key, ok := strings.CutPrefix(name, "custom.")
	typ, found := customTypes[key]
	if !ok || !found {
		return Field{}, false
	}
	f := JSONBField(name, "custom_fields", key, typ)
	if typ == Enum {
		f.Values = []string{"gold", "silver"}
	}
	f.Sortable = key == "budget"
	return f, true
}

// anyCustom resolves every "custom.<key>" as a string field, whatever the key.
func anyCustom(name string) (Field, bool) {
	key, ok := strings.CutPrefix(name, "custom.")
	if !ok {
		return Field{}, false
	}
	return JSONBField(name, "custom_fields", key, String), true
}

// mustParse parses src or fails the test.
func mustParse(t testing.TB, src string) *Node {
	t.Helper()
	n, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse(%s): %v", src, err)
	}
	return n
}

// checkInvalid asserts err is an Invalid *errs.Error of slug with one
// FieldError at path whose reason contains want.
func checkInvalid(t testing.TB, err error, slug, path, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s at %s (%q)", slug, path, want)
	}
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want *errs.Error", err, err)
	}
	if e.Kind != errs.Invalid || e.Slug != slug {
		t.Fatalf("got kind %v slug %q, want invalid %q (%v)", e.Kind, e.Slug, slug, err)
	}
	if len(e.Fields) != 1 {
		t.Fatalf("got fields %+v, want one", e.Fields)
	}
	if got := e.Fields[0].Field; got != path {
		t.Errorf("got path %q, want %q (%s)", got, path, e.Fields[0].Reason)
	}
	if got := e.Fields[0].Reason; !strings.Contains(got, want) {
		t.Errorf("got reason %q, want it to contain %q", got, want)
	}
}

// jsonNumber makes a json.Number, as Parse would.
func jsonNumber(s string) json.Number { return json.Number(s) }
