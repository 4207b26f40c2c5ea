package contacts_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"
)

// pageAll lists path page by page with params and returns every name.
func (e *env) pageAll(u user, path string, limit int, params ...string) []string {
	e.t.Helper()
	var out []string
	cursor := ""
	for range 100 {
		p := append([]string{"limit", fmt.Sprint(limit)}, params...)
		if cursor != "" {
			p = append(p, "cursor", cursor)
		}
		r := e.list(u, path, p...)
		out = append(out, names(r)...)
		if cursor = nextCursor(r); cursor == "" {
			return out
		}
	}
	e.t.Fatal("paging does not end")
	return nil
}

func TestSortPaging(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	lastNames := []string{"Zhou", "Adams", "Miller", "Adams", "Brown", "Miller", "Adams", "Chen", "Diaz", "Evans", "Brown", "Ford", "Adams"}
	days := map[string]*int{}
	for i, ln := range lastNames {
		first := fmt.Sprintf("P%02d", i)
		id := e.create(u, "contacts", map[string]any{"firstName": first, "lastName": ln})
		if i%3 != 0 { // every third has no activity
			d := i % 4 // ties on purpose
			days[first] = &d
			e.setActivity(id, &d)
		}
	}
	for _, sort := range []string{"lastName", "-lastName", "lastName,-createdAt", "-lastActivityAt", "lastActivityAt,lastName", "-updatedAt", "emails,displayName"} {
		all := e.list(u, "/v1/contacts", "sort", sort, "limit", "200")
		want := names(all)
		if len(want) != len(lastNames) {
			t.Fatalf("sort %s: %d contacts", sort, len(want))
		}
		for _, limit := range []int{1, 2, 5} {
			got := e.pageAll(u, "/v1/contacts", limit, "sort", sort)
			if !slices.Equal(got, want) {
				t.Errorf("sort %s by %d: %v, want %v", sort, limit, got, want)
			}
		}
	}
	// The order itself: last names ascending, ties by id (creation).
	got := names(e.list(u, "/v1/contacts", "sort", "lastName", "limit", "4"))
	if !slices.Equal(got, []string{"P01 Adams", "P03 Adams", "P06 Adams", "P12 Adams"}) {
		t.Errorf("sort lastName: %v", got)
	}
	// Descending last activity puts the contacts without one first; ties
	// break by id in the direction of the first key.
	got = names(e.list(u, "/v1/contacts", "sort", "-lastActivityAt", "limit", "5"))
	if !slices.Equal(got, []string{"P12 Adams", "P09 Evans", "P06 Adams", "P03 Adams", "P00 Zhou"}) {
		t.Errorf("sort -lastActivityAt: %v", got)
	}
	// Filter and sort together page correctly too.
	f := filterJSON(t, cond("lastName", "in", []string{"Adams", "Brown", "Miller"}))
	want := names(e.list(u, "/v1/contacts", "filter", f, "sort", "-lastName", "limit", "200"))
	if got := e.pageAll(u, "/v1/contacts", 2, "filter", f, "sort", "-lastName"); !slices.Equal(got, want) || len(want) != 8 {
		t.Errorf("filter and sort by 2: %v, want %v", got, want)
	}
}

// TestSortByCustomField pages through contacts sorted by custom fields of
// several types, both ways, each page size giving the order of one page of
// all; records without a value come last.
func TestSortByCustomField(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, f := range []map[string]any{
		{"entity": "contact", "key": "budget", "label": "Budget", "type": "number"},
		{"entity": "contact", "key": "renewal", "label": "Renewal", "type": "date"},
		{"entity": "contact", "key": "segment", "label": "Segment", "type": "singleSelect", "options": []string{"smb", "mid", "ent"}},
	} {
		e.want(e.do(u, "POST", "/v1/custom-fields", f), 201)
	}
	budgets := []any{300, nil, 100, 200, 100, nil, 50}
	for i, b := range budgets {
		custom := map[string]any{"renewal": fmt.Sprintf("2027-0%d-01", 1+i%3), "segment": []string{"smb", "mid", "ent"}[i%3]}
		if b != nil {
			custom["budget"] = b
		}
		e.create(u, "contacts", map[string]any{"firstName": fmt.Sprintf("P%02d", i), "customFields": custom})
	}
	got := names(e.list(u, "/v1/contacts", "sort", "customFields.budget", "limit", "200"))
	if want := []string{"P06", "P02", "P04", "P03", "P00", "P01", "P05"}; !slices.Equal(got, want) {
		t.Errorf("sort customFields.budget: %v, want %v", got, want)
	}
	for _, sort := range []string{"customFields.budget", "-customFields.budget", "customFields.renewal,customFields.budget", "-customFields.segment"} {
		want := names(e.list(u, "/v1/contacts", "sort", sort, "limit", "200"))
		if len(want) != len(budgets) {
			t.Fatalf("sort %s: %d contacts", sort, len(want))
		}
		for _, limit := range []int{1, 2, 3} {
			if got := e.pageAll(u, "/v1/contacts", limit, "sort", sort); !slices.Equal(got, want) {
				t.Errorf("sort %s by %d: %v, want %v", sort, limit, got, want)
			}
		}
	}
}
