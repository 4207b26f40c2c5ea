package marketing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// added is the outcome of an add to a list.
type added struct {
	Added          int      `json:"added"`
	AlreadyMembers int      `json:"alreadyMembers"`
	Unknown        []string `json:"unknown"`
}

// TestSegmentsStaticLists: a static list takes members by id (unknown ids
// returned, not added), by filter and by CSV (by email, regardless of
// case, or by id; unknown rows counted and listed), loses them by hand
// and when they are deleted, and a merged-away member's place goes to the
// survivor; a dynamic segment's members are not changed by hand.
func TestSegmentsStaticLists(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ada := person{id: uuid.NewString(), first: "Ada", email: "ada@example.com", stage: "lead", version: 1}
	bo := person{id: uuid.NewString(), first: "Bo", email: "bo@example.com", stage: "customer", version: 1}
	cy := person{id: uuid.NewString(), first: "Cy", email: "cy@example.com", stage: "customer", version: 1}
	dee := person{id: uuid.NewString(), first: "Dee", email: "dee@example.com", stage: "other", version: 1}
	e.sendContacts(contactEvent(t, "created", u.tenant, ada), contactEvent(t, "created", u.tenant, bo),
		contactEvent(t, "created", u.tenant, cy), contactEvent(t, "created", u.tenant, dee))
	list := e.createSegment(u, map[string]any{"name": "Webinar guests", "kind": "static"})
	path := "/v1/segments/" + list.ID + "/members"

	stranger := uuid.NewString()
	got := contracttest.Decode[added](e.want(e.do(u, "POST", path, map[string]any{"contactIds": []string{ada.id, stranger}}), 200))
	if got.Added != 1 || got.AlreadyMembers != 0 || !slices.Equal(got.Unknown, []string{stranger}) {
		t.Errorf("add by ids: %+v", got)
	}
	got = contracttest.Decode[added](e.want(e.do(u, "POST", path, map[string]any{"filter": map[string]any{"field": "lifecycleStage",
		"op": "in", "value": []string{"lead", "customer"}}}), 200))
	if got.Added != 2 || got.AlreadyMembers != 1 {
		t.Errorf("add by filter: %+v, want 2 added, 1 already", got)
	}
	e.wantMembers(u, list.ID, "added by ids and filter", ada.id, bo.id, cy.id)
	e.want(e.do(u, "DELETE", path+"/"+cy.id, nil), 204)
	e.want(e.do(u, "DELETE", path+"/"+cy.id, nil), 404)
	e.wantMembers(u, list.ID, "one removed", ada.id, bo.id)

	csv := "Name,EMAIL\nDee,DEE@Example.com\nNobody,nobody@example.com\nAda,ada@example.com\n,\n"
	r := e.want(e.do(u, "POST", "/v1/segments/"+list.ID+"/imports", csv, "Content-Type", "text/csv"), 200)
	imported := contracttest.Decode[struct {
		Rows, Added, AlreadyMembers, Unknown int
		UnknownRows                          []int
	}](r)
	if imported.Rows != 4 || imported.Added != 1 || imported.AlreadyMembers != 1 || imported.Unknown != 2 ||
		!slices.Equal(imported.UnknownRows, []int{3, 5}) {
		t.Errorf("CSV import by email: %+v", imported)
	}
	r = e.want(e.do(u, "POST", "/v1/segments/"+list.ID+"/imports", "id\n"+strings.ToUpper(cy.id)+"\nnot-an-id\n",
		"Content-Type", "text/csv"), 200)
	if imported := contracttest.Decode[struct{ Added, Unknown int }](r); imported.Added != 1 || imported.Unknown != 1 {
		t.Errorf("CSV import by id: %+v", imported)
	}
	e.wantMembers(u, list.ID, "imported", ada.id, bo.id, cy.id, dee.id)
	r = e.want(e.do(u, "POST", "/v1/segments/"+list.ID+"/imports", "name\nAda\n", "Content-Type", "text/csv"), 400)
	if f := r.fields(); !slices.Equal(f, []string{"body"}) {
		t.Errorf("a CSV without an email or id column: fields %v, want [body]", f)
	}

	winner := person{id: uuid.NewString(), first: "Wyn", email: "wyn@example.com", version: 1}
	e.sendContacts(contactEvent(t, "created", u.tenant, winner))
	winner.version = 2
	dee.version = 2
	e.sendContacts(mergeEvent(t, u.tenant, winner, dee.id), contactEvent(t, "deleted", u.tenant, bo))
	e.wantMembers(u, list.ID, "after a merge and a deletion", ada.id, cy.id, winner.id)

	dynamic := e.createSegment(u, map[string]any{"name": "Leads", "kind": "dynamic",
		"filter": map[string]any{"field": "lifecycleStage", "op": "eq", "value": "lead"}})
	e.want(e.do(u, "POST", "/v1/segments/"+dynamic.ID+"/members", map[string]any{"contactIds": []string{bo.id}}), 409)
	e.want(e.do(u, "DELETE", "/v1/segments/"+dynamic.ID+"/members/"+ada.id, nil), 409)
}

// TestSegmentsRefuseBadInput: a filter over an unknown field, a bad
// operator, a filter on a static list or none on a dynamic segment is a
// 400 naming the field at fault; another tenant's segment is a 404 to
// every route.
func TestSegmentsRefuseBadInput(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	for _, c := range []struct {
		body map[string]any
		want []string
	}{
		{map[string]any{"name": "X", "kind": "dynamic", "filter": map[string]any{"field": "shoeSize", "op": "eq", "value": "9"}},
			[]string{"filter/field"}},
		{map[string]any{"name": "X", "kind": "dynamic", "filter": map[string]any{"and": []any{
			map[string]any{"field": "email", "op": "eq", "value": "a@b.c"},
			map[string]any{"field": "tags", "op": "gt", "value": "x"}}}}, []string{"filter/and/1/op"}},
		{map[string]any{"name": "X", "kind": "static", "filter": map[string]any{"field": "email", "op": "eq", "value": "a"}},
			[]string{"filter"}},
		{map[string]any{"name": " ", "kind": "dynamic"}, []string{"name", "filter"}},
		{map[string]any{"name": "X", "kind": "dynamic", "memberCount": 3}, []string{"memberCount"}},
	} {
		if got := e.want(e.do(u, "POST", "/v1/segments", c.body), 400).fields(); !slices.Equal(got, c.want) {
			t.Errorf("%v: fields %v, want %v", c.body, got, c.want)
		}
	}
	r := e.want(e.do(u, "POST", "/v1/segments/preview", map[string]any{"filter": map[string]any{"field": "nope", "op": "eq", "value": 1}}), 400)
	if got := r.fields(); !slices.Equal(got, []string{"filter/field"}) {
		t.Errorf("preview of a bad filter: fields %v", got)
	}

	seg := e.createSegment(u, map[string]any{"name": "Mine", "kind": "static"})
	base := "/v1/segments/" + seg.ID
	for _, c := range []struct {
		method, path string
		body         any
		headers      []string
	}{
		{"GET", base, nil, nil},
		{"PATCH", base, map[string]any{"name": "Theirs"}, []string{"Content-Type", "application/merge-patch+json", "If-Match", `"1"`}},
		{"DELETE", base, nil, nil},
		{"GET", base + "/members", nil, nil},
		{"POST", base + "/members", map[string]any{"contactIds": []string{uuid.NewString()}}, nil},
		{"GET", base + "/count", nil, nil},
		{"GET", base + "/history", nil, nil},
	} {
		e.want(e.do(other, c.method, c.path, c.body, c.headers...), 404)
	}
	e.want(e.do(u, "GET", base, nil), 200)
	if list := contracttest.Decode[page[segmentBody]](e.want(e.do(other, "GET", "/v1/segments", nil), 200)); len(list.Items) != 0 {
		t.Errorf("another tenant lists %+v", list.Items)
	}
}
