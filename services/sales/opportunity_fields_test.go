package sales_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// listOpportunityIDs lists u's opportunities with query, returning their
// ids.
func listOpportunityIDs(e *env, u user, query string) []string {
	e.t.Helper()
	return opportunityIDs(contracttest.Decode[opportunityPage](e.want(e.do(u, "GET", "/v1/opportunities"+query, nil), http.StatusOK)).Items)
}

// TestOpportunityTags: tags are trimmed and kept once regardless of case,
// the first spelling winning; a patch replaces them and names tags; the
// tag filter ignores case; a bad tag is named by its index; the events
// carry them.
func TestOpportunityTags(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	a := createOpportunity(e, u, map[string]any{"name": "A", "tags": []string{" Key Account ", "key account", "续约"}})
	if !slices.Equal(a.Tags, []string{"Key Account", "续约"}) {
		t.Errorf("tags %v", a.Tags)
	}
	b := createOpportunity(e, u, map[string]any{"name": "B"})
	if b.Tags == nil || len(b.Tags) != 0 || b.CustomFields == nil {
		t.Errorf("no tags read %v, no values %v", b.Tags, b.CustomFields)
	}
	if got := listOpportunityIDs(e, u, "?tag=KEY%20ACCOUNT"); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("tag key account: %v", got)
	}
	r := patchOpportunity(e, u, b.ID, 1, map[string]any{"tags": []string{"key ACCOUNT"}}, http.StatusOK)
	if !slices.Equal(kitx.ChangedFields(r.Header), []string{"tags"}) {
		t.Errorf("changed %v", kitx.ChangedFields(r.Header))
	}
	if got := listOpportunityIDs(e, u, "?tag=Key%20Account"); !slices.Equal(got, []string{b.ID, a.ID}) {
		t.Errorf("tag Key Account: %v", got)
	}
	if got := listOpportunityIDs(e, u, "?tag=续约"); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("tag 续约: %v", got)
	}
	if got := listOpportunityIDs(e, newUser(uuid.NewString()), "?tag=续约"); len(got) != 0 {
		t.Errorf("another tenant's tag filter lists %v", got)
	}
	if got := e.want(e.do(u, "POST", "/v1/opportunities", map[string]any{"name": "C", "tags": []string{"ok", " "}}), http.StatusBadRequest).fields(); !slices.Equal(got, []string{"tags/1"}) {
		t.Errorf("a blank tag names %v", got)
	}
	patchOpportunity(e, u, b.ID, 2, map[string]any{"tags": []string{"ok", ""}}, http.StatusBadRequest)
	validateEvents(t, e)
}

// TestOpportunityAccountFilter: accountId lists an account's opportunities
// (within the caller's scope, like every list) and must be a UUID.
func TestOpportunityAccountFilter(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	account := uuid.NewString()
	a := createOpportunity(e, u, map[string]any{"name": "A", "accountId": account})
	createOpportunity(e, u, map[string]any{"name": "B", "accountId": uuid.NewString()})
	createOpportunity(e, u, map[string]any{"name": "C"})
	if got := listOpportunityIDs(e, u, "?accountId="+account); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("the account's opportunities: %v, want %v", got, []string{a.ID})
	}
	if got := listOpportunityIDs(e, newUser(uuid.NewString()), "?accountId="+account); len(got) != 0 {
		t.Errorf("another tenant lists %v", got)
	}
	if got := e.want(e.do(u, "GET", "/v1/opportunities?accountId=x", nil), http.StatusBadRequest).fields(); !slices.Equal(got, []string{"accountId"}) {
		t.Errorf("a bad accountId names %v", got)
	}
}

// TestOpportunityCustomFields: definitions of opportunities (sales:admin
// to change), apart from those of leads, check the values an opportunity
// is given, naming customFields/<key>; a patch merges values by key; a
// newly required field is asked of the next write; a deleted definition's
// values are hidden; every change is published.
func TestOpportunityCustomFields(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	writer := u.as("sales:read", "sales:write")
	const path = "/v1/opportunity-custom-fields"
	budget := defineBudget(e, u, writer, path, deals.EntityOpportunity, "lead")
	// A lead's field of the same key is another definition, not one of
	// opportunities.
	leadField := contracttest.Decode[customfields.Field](e.want(e.do(u, "POST", "/v1/lead-custom-fields",
		map[string]any{"key": "region", "label": "Region", "type": "text"}), http.StatusCreated))
	e.want(e.do(u, "PATCH", path+"/"+leadField.ID, map[string]any{"label": "R"}, "If-Match", kitx.ETag(1)), http.StatusNotFound)
	e.want(e.do(u, "DELETE", path+"/"+leadField.ID, nil), http.StatusNotFound)
	e.want(e.do(u, "POST", "/v1/lead-custom-fields", map[string]any{"key": "budget", "label": "Lead budget", "type": "text"}), http.StatusCreated)
	size := contracttest.Decode[customfields.Field](e.want(e.do(u, "POST", path,
		map[string]any{"key": "size", "label": "Size", "type": "singleSelect", "options": []string{"S", "M"}}), http.StatusCreated))

	o := createOpportunity(e, u, map[string]any{"name": "A", "customFields": map[string]any{"budget": 12500.50, "size": "S"}})
	if o.CustomFields["budget"] != "12500.5" || o.CustomFields["size"] != "S" {
		t.Errorf("values %v", o.CustomFields)
	}
	if got := e.want(e.do(u, "POST", "/v1/opportunities", map[string]any{"name": "B", "customFields": map[string]any{"budget": "lots", "size": "XL", "region": "north"}}),
		http.StatusBadRequest).fields(); !slices.Equal(got, []string{"customFields/budget", "customFields/region", "customFields/size"}) {
		t.Errorf("bad values name %v", got)
	}
	r := patchOpportunity(e, u, o.ID, 1, map[string]any{"customFields": map[string]any{"size": "M"}}, http.StatusOK)
	if got := contracttest.Decode[deals.Opportunity](r); got.CustomFields["budget"] != "12500.5" || got.CustomFields["size"] != "M" {
		t.Errorf("merged values %v", got.CustomFields)
	}
	if !slices.Equal(kitx.ChangedFields(r.Header), []string{"customFields"}) {
		t.Errorf("changed %v", kitx.ChangedFields(r.Header))
	}
	if got := patchOpportunity(e, u, o.ID, 2, map[string]any{"customFields": map[string]any{"size": "XL"}}, http.StatusBadRequest).fields(); !slices.Equal(got, []string{"customFields/size"}) {
		t.Errorf("a bad patch names %v", got)
	}

	// Options are added, never removed; the type is immutable.
	growOptions(e, u, path, size.ID)
	// Now required: an opportunity without a size is refused, a lead is not.
	if got := e.want(e.do(u, "POST", "/v1/opportunities", map[string]any{"name": "C"}), http.StatusBadRequest).fields(); !slices.Equal(got, []string{"customFields/size"}) {
		t.Errorf("a missing required value names %v", got)
	}
	createLead(e, u, map[string]any{"lastName": "Lead without a size"})

	// A deleted definition's values are hidden, in a read and a list.
	e.want(e.do(writer, "DELETE", path+"/"+budget.ID, nil), http.StatusForbidden)
	e.want(e.do(u, "DELETE", path+"/"+budget.ID, nil), http.StatusNoContent)
	if got := contracttest.Decode[deals.Opportunity](e.want(e.do(u, "GET", "/v1/opportunities/"+o.ID, nil), http.StatusOK)); got.CustomFields["budget"] != nil || got.CustomFields["size"] != "M" {
		t.Errorf("after the delete the values read %v", got.CustomFields)
	}
	page := contracttest.Decode[opportunityPage](e.want(e.do(u, "GET", "/v1/opportunities", nil), http.StatusOK))
	if len(page.Items) != 1 || page.Items[0].CustomFields["budget"] != nil {
		t.Errorf("after the delete the list reads %+v", page.Items)
	}
	list := contracttest.Decode[fieldList](e.want(e.do(writer, "GET", path, nil), http.StatusOK)).Items
	if len(list) != 1 || list[0].Key != "size" || !list[0].Required || list[0].Entity != deals.EntityOpportunity {
		t.Errorf("definitions %+v", list)
	}
	e.want(e.do(newUser(uuid.NewString()), "DELETE", path+"/"+size.ID, nil), http.StatusNotFound)
	if got := contracttest.Decode[fieldList](e.want(e.do(newUser(uuid.NewString()), "GET", path, nil), http.StatusOK)).Items; len(got) != 0 {
		t.Errorf("another tenant lists %+v", got)
	}

	want := []string{"dev.rapport.sales.custom_field.created.v1", "dev.rapport.sales.custom_field.deleted.v1"}
	if got := eventTypes(e, budget.ID); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	validateEvents(t, e)
}
