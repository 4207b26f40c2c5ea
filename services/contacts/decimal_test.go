package contacts_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestDecimalCustomFields checks that a decimal custom field takes a JSON
// number or a numeric string alike in writes and filters, keeps every digit,
// and always reads, filters, sorts and exports as one canonical string.
func TestDecimalCustomFields(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "budget", "label": "Budget", "type": "decimal"}), http.StatusCreated)

	// Writes: numbers and numeric strings, read back as the canonical string.
	const big = "99999999999999999999.1234567891" // more digits than a float64 holds
	ids := map[string]string{}
	for _, tt := range []struct {
		name string
		sent any
		want string
	}{
		{"Number", json.Number("12500.5"), "12500.5"},
		{"Padded", "012500.50", "12500.5"},
		{"Exponent", json.Number("1.5e3"), "1500"},
		{"Small", "9.5", "9.5"},
		{"Exact", json.Number(big), big},
		{"Round", "10000", "10000"},
		{"Negative", json.Number("-0.25"), "-0.25"},
	} {
		r := e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"displayName": tt.name,
			"customFields": map[string]any{"budget": tt.sent}}), http.StatusCreated)
		c := contactOf(r)
		if got := c.CustomFields["budget"]; got != tt.want {
			t.Errorf("%s: wrote %v, read %#v, want %q", tt.name, tt.sent, got, tt.want)
		}
		ids[tt.name] = c.ID
	}
	for _, bad := range []any{"NaN", "Infinity", "1e", "12,5", "0x10", " 1", "+1", "", true, json.Number("1e40"), "0.12345678901"} {
		r := e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"displayName": "Bad",
			"customFields": map[string]any{"budget": bad}}), http.StatusBadRequest)
		if reason := r.field("customFields/budget"); !strings.Contains(reason, "decimal number") {
			t.Errorf("budget %#v: reason %q, want one about decimal numbers: %s", bad, reason, r.Raw)
		}
	}

	for _, body := range []string{`{"customFields":"x"}`, `{"customFields":[1]}`} {
		r := e.want(e.do(u, "POST", "/v1/contacts", body), http.StatusBadRequest)
		if r.field("customFields") != "must be an object" {
			t.Errorf("%s: %s", body, r.Raw)
		}
	}

	// A merge patch takes either form too.
	r := e.want(e.do(u, "PATCH", "/v1/contacts/"+ids["Round"], map[string]any{"customFields": map[string]any{"budget": json.Number("20000.250")}},
		"If-Match", `"1"`), http.StatusOK)
	if got := contactOf(r).CustomFields["budget"]; got != "20000.25" {
		t.Errorf("patched with a number: %#v", got)
	}
	r = e.want(e.do(u, "PATCH", "/v1/contacts/"+ids["Round"], map[string]any{"customFields": map[string]any{"budget": "10000.00"}},
		"If-Match", `"2"`), http.StatusOK)
	if got := contactOf(r).CustomFields["budget"]; got != "10000" {
		t.Errorf("patched with a string: %#v", got)
	}
	r = e.want(e.do(u, "PATCH", "/v1/contacts/"+ids["Round"], map[string]any{"customFields": map[string]any{"budget": "ten"}},
		"If-Match", `"3"`), http.StatusBadRequest)
	if r.field("customFields/budget") == "" {
		t.Errorf("patch with text: %s", r.Raw)
	}

	// Filters: "10000" and 10000 match the same records, compared as numbers
	// (as text, "9.5" would be above "10000").
	const field = "customFields.budget"
	want := []string{"Exact", "Number", "Padded", "Round"}
	for _, value := range []any{"10000", json.Number("10000"), json.Number("1e4"), "10000.000"} {
		got := names(e.list(u, "/v1/contacts", "filter", filterJSON(t, cond(field, "gte", value)), "sort", "displayName"))
		if !slices.Equal(got, want) {
			t.Errorf("%s gte %#v: %v, want %v", field, value, got, want)
		}
	}
	got := names(e.list(u, "/v1/contacts", "filter", filterJSON(t, cond(field, "eq", big)), "sort", "displayName"))
	if !slices.Equal(got, []string{"Exact"}) {
		t.Errorf("%s eq %s: %v", field, big, got)
	}
	got = names(e.list(u, "/v1/contacts", "filter", filterJSON(t, cond(field, "in", []any{"9.50", json.Number("1500")})), "sort", "displayName"))
	if !slices.Equal(got, []string{"Exponent", "Small"}) {
		t.Errorf("%s in [9.50, 1500]: %v", field, got)
	}
	r = e.want(e.do(u, "GET", "/v1/contacts?filter="+filterJSON(t, cond(field, "gt", "ten")), nil), http.StatusBadRequest)
	if !strings.Contains(r.field("filter/value"), "number") {
		t.Errorf("filter with text: %s", r.Raw)
	}
	got = names(e.list(u, "/v1/contacts", "sort", field))
	if want := []string{"Negative", "Small", "Exponent", "Round", "Number", "Padded", "Exact"}; !slices.Equal(got, want) {
		t.Errorf("sorted by %s: %v, want %v", field, got, want)
	}

	// Exports show the canonical string.
	header, rows := e.exportCSV(u, "/v1/contacts/export?sort=displayName")
	cells := map[string]string{}
	for _, row := range byColumn(header, rows) {
		cells[row["displayName"]] = row[field]
	}
	if cells["Padded"] != "12500.5" || cells["Exact"] != big || cells["Exponent"] != "1500" || cells["Negative"] != "'-0.25" {
		t.Errorf("exported %s: %v", field, cells)
	}
	nd := e.want(e.do(u, "GET", "/v1/contacts/export?format=ndjson", nil), http.StatusOK)
	if !strings.Contains(string(nd.Raw), `"budget":"`+big+`"`) {
		t.Errorf("NDJSON export lacks the exact budget: %s", nd.Raw)
	}
	validateEvents(t, e)
}
