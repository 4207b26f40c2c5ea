package sales_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/sales/leads"
)

// fieldList is the body of GET /v1/lead-custom-fields.
type fieldList struct {
	Items []customfields.Field `json:"items"`
}

// TestLeadTags: tags are trimmed and kept once regardless of case, the
// first spelling winning; a patch replaces them; the tag filter ignores
// case; a bad tag is named by its index.
func TestLeadTags(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	a := createLead(e, u, map[string]any{"lastName": "A", "tags": []string{" VIP ", "vip", "Fair 2026"}})
	if !slices.Equal(a.Tags, []string{"VIP", "Fair 2026"}) {
		t.Errorf("tags %v", a.Tags)
	}
	b := createLead(e, u, map[string]any{"lastName": "B"})
	if b.Tags == nil || len(b.Tags) != 0 {
		t.Errorf("no tags reads %v", b.Tags)
	}
	if got := listLeads(e, u, "?tag=vip"); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("tag vip: %v", got)
	}
	r := patchLead(e, u, b.ID, 1, map[string]any{"tags": []string{"Vip"}}, http.StatusOK)
	if !slices.Equal(kitx.ChangedFields(r.Header), []string{"tags"}) {
		t.Errorf("changed %v", kitx.ChangedFields(r.Header))
	}
	if got := listLeads(e, u, "?tag=VIP"); !slices.Equal(got, []string{b.ID, a.ID}) {
		t.Errorf("tag VIP: %v", got)
	}
	if got := e.want(e.do(u, "POST", "/v1/leads", map[string]any{"lastName": "C", "tags": []string{"ok", " "}}), http.StatusBadRequest).fields(); !slices.Equal(got, []string{"tags/1"}) {
		t.Errorf("a blank tag names %v", got)
	}
	validateEvents(t, e)
}

// TestLeadCustomFields: definitions of leads (sales:admin to change)
// check the values a lead is given, naming customFields/<key>; a patch
// merges values by key; a deleted definition's values are hidden; every
// change is published.
func TestLeadCustomFields(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	writer := u.as("sales:read", "sales:write")
	budget := defineBudget(e, u, writer, "/v1/lead-custom-fields", "lead", "contact")
	size := contracttest.Decode[customfields.Field](e.want(e.do(u, "POST", "/v1/lead-custom-fields",
		map[string]any{"key": "size", "label": "Size", "type": "singleSelect", "options": []string{"S", "M"}}), http.StatusCreated))

	l := createLead(e, u, map[string]any{"lastName": "A", "customFields": map[string]any{"budget": "12500.50", "size": "S"}})
	if l.CustomFields["budget"] != "12500.5" || l.CustomFields["size"] != "S" {
		t.Errorf("values %v", l.CustomFields)
	}
	if got := e.want(e.do(u, "POST", "/v1/leads", map[string]any{"lastName": "B", "customFields": map[string]any{"budget": "lots", "size": "XL", "colour": "red"}}),
		http.StatusBadRequest).fields(); !slices.Equal(got, []string{"customFields/budget", "customFields/colour", "customFields/size"}) {
		t.Errorf("bad values name %v", got)
	}
	r := patchLead(e, u, l.ID, 1, map[string]any{"customFields": map[string]any{"size": "M"}}, http.StatusOK)
	if got := contracttest.Decode[leads.Lead](r); got.CustomFields["budget"] != "12500.5" || got.CustomFields["size"] != "M" {
		t.Errorf("merged values %v", got.CustomFields)
	}

	// Options are added, never removed; the type is immutable.
	growOptions(e, u, "/v1/lead-custom-fields", size.ID)
	// Now required: a lead without a size is refused.
	if got := e.want(e.do(u, "POST", "/v1/leads", map[string]any{"lastName": "C"}), http.StatusBadRequest).fields(); !slices.Equal(got, []string{"customFields/size"}) {
		t.Errorf("a missing required value names %v", got)
	}

	// A deleted definition's values are hidden.
	e.want(e.do(writer, "DELETE", "/v1/lead-custom-fields/"+budget.ID, nil), http.StatusForbidden)
	e.want(e.do(u, "DELETE", "/v1/lead-custom-fields/"+budget.ID, nil), http.StatusNoContent)
	if got := contracttest.Decode[leads.Lead](e.want(e.do(u, "GET", "/v1/leads/"+l.ID, nil), http.StatusOK)); got.CustomFields["budget"] != nil || got.CustomFields["size"] != "M" {
		t.Errorf("after the delete the values read %v", got.CustomFields)
	}
	list := contracttest.Decode[fieldList](e.want(e.do(writer, "GET", "/v1/lead-custom-fields", nil), http.StatusOK)).Items
	if len(list) != 1 || list[0].Key != "size" || !list[0].Required {
		t.Errorf("definitions %+v", list)
	}
	e.want(e.do(newUser(uuid.NewString()), "DELETE", "/v1/lead-custom-fields/"+size.ID, nil), http.StatusNotFound)

	want := []string{"dev.rapport.sales.custom_field.created.v1", "dev.rapport.sales.custom_field.deleted.v1"}
	if got := eventTypes(e, budget.ID); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	validateEvents(t, e)
}
