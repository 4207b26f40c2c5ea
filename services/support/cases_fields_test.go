package support_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/cases"
)

func TestCaseCustomFields(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	agent := u.as("support:read", "support:write")
	def := map[string]any{"key": "product", "label": "Product", "type": "singleSelect", "options": []string{"router", "modem"}, "required": true}
	e.want(e.do(agent, "POST", "/v1/case-custom-fields", def), http.StatusForbidden)
	field := contracttest.Decode[customfields.Field](e.want(e.do(u, "POST", "/v1/case-custom-fields", def), http.StatusCreated))
	if field.Entity != "case" || field.Key != "product" {
		t.Fatalf("field %+v", field)
	}
	e.want(e.do(u, "POST", "/v1/case-custom-fields", def), http.StatusConflict)
	e.want(e.do(u, "POST", "/v1/case-custom-fields", map[string]any{"key": "x", "label": "X", "type": "text", "entity": "lead"}), http.StatusBadRequest)

	// A case's values are checked against the definitions, naming the field.
	for _, tc := range []struct {
		values map[string]any
		field  string
	}{{map[string]any{}, "customFields/product"}, {map[string]any{"product": "toaster"}, "customFields/product"},
		{map[string]any{"product": "modem", "colour": "red"}, "customFields/colour"}} {
		r := e.want(e.do(agent, "POST", "/v1/cases", map[string]any{"subject": "s", "customFields": tc.values}), http.StatusBadRequest)
		if f := r.fields(); !slices.Contains(f, tc.field) {
			t.Fatalf("%v: fields %v", tc.values, f)
		}
	}
	c := e.createCase(agent, map[string]any{"subject": "No sync", "customFields": map[string]any{"product": "modem"}})
	if c.CustomFields["product"] != "modem" {
		t.Fatalf("values %v", c.CustomFields)
	}
	e.patchCase(agent, c, map[string]any{"customFields": map[string]any{"product": "fax"}}, http.StatusBadRequest)
	// Options are added by an admin; deleting the definition hides the values.
	e.want(e.do(u, "PATCH", "/v1/case-custom-fields/"+field.ID, map[string]any{"options": []string{"router", "modem", "fax"}},
		"If-Match", kitx.ETag(field.Version)), http.StatusOK)
	c = contracttest.Decode[cases.Case](e.patchCase(agent, c, map[string]any{"customFields": map[string]any{"product": "fax"}}, http.StatusOK))
	if c.CustomFields["product"] != "fax" {
		t.Fatalf("values %v", c.CustomFields)
	}
	list := contracttest.Decode[struct {
		Items []customfields.Field `json:"items"`
	}](e.want(e.do(agent, "GET", "/v1/case-custom-fields", nil), http.StatusOK)).Items
	if len(list) != 1 {
		t.Fatalf("%d fields", len(list))
	}
	e.want(e.do(newUser(uuid.NewString()), "DELETE", "/v1/case-custom-fields/"+field.ID, nil), http.StatusNotFound)
	e.want(e.do(u, "DELETE", "/v1/case-custom-fields/"+field.ID, nil), http.StatusNoContent)
	if got := e.readCase(agent, c.ID); len(got.CustomFields) != 0 {
		t.Fatalf("values of a deleted field: %v", got.CustomFields)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}
