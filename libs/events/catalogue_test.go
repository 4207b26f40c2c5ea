package events

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// shop is a catalogue of two entities.
var shop = Catalogue{Source: "/rapport/shop", Context: "shop", Verbs: map[string][]string{
	"order":   {"created", VerbUpdated, "deleted"},
	"invoice": {"created"},
}}

func TestCatalogueTypes(t *testing.T) {
	if got := shop.Type("order", "created"); got != "dev.rapport.shop.order.created.v1" {
		t.Errorf("type %s", got)
	}
	want := []string{"dev.rapport.shop.invoice.created.v1", "dev.rapport.shop.order.created.v1",
		"dev.rapport.shop.order.deleted.v1", "dev.rapport.shop.order.updated.v1"}
	if got := shop.Types(); !slices.Equal(got, want) {
		t.Errorf("types %v, want %v", got, want)
	}
}

func TestCatalogueNew(t *testing.T) {
	type order struct {
		ID    string      `json:"id"`
		Total json.Number `json:"total"`
	}
	ev, err := shop.New("tenant", "order", "created", "o1", order{"o1", "12.50"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Source != "/rapport/shop" || ev.Type != "dev.rapport.shop.order.created.v1" || ev.Subject != "o1" ||
		ev.TenantID != "tenant" || string(ev.Data) != `{"id":"o1","total":12.50}` {
		t.Errorf("created: %+v, data %s", ev, ev.Data)
	}
	// An update carries the fields it changed; its numbers stay as they were.
	ev, err = shop.New("tenant", "order", VerbUpdated, "o1", order{"o1", "12.50"}, []string{"total"})
	if err != nil {
		t.Fatal(err)
	}
	if string(ev.Data) != `{"changed":["total"],"id":"o1","total":12.50}` {
		t.Errorf("updated: data %s", ev.Data)
	}
	for _, tt := range []struct{ entity, verb string }{{"order", "merged"}, {"invoice", VerbUpdated}, {"refund", "created"}} {
		_, err := shop.New("tenant", tt.entity, tt.verb, "x", struct{}{}, nil)
		if typ := shop.Type(tt.entity, tt.verb); err == nil || !strings.Contains(err.Error(), typ) {
			t.Errorf("%s: error %v, want one naming it", typ, err)
		}
	}
}

func TestChangedFields(t *testing.T) {
	type rec struct {
		Name      string          `json:"name"`
		Amount    json.Number     `json:"amount"`
		Tags      []string        `json:"tags,omitempty"`
		Extra     json.RawMessage `json:"extra,omitempty"`
		UpdatedAt string          `json:"updatedAt"`
		Version   int64           `json:"version"`
	}
	old := rec{Name: "a", Amount: "1.10", Tags: []string{"x"}, UpdatedAt: "t1", Version: 1}
	for _, tt := range []struct {
		name string
		next rec
		want []string
	}{
		{"bookkeeping only", rec{Name: "a", Amount: "1.10", Tags: []string{"x"}, UpdatedAt: "t2", Version: 2}, []string{}},
		{"a number's digits", rec{Name: "a", Amount: "1.1", Tags: []string{"x"}}, []string{"amount"}},
		{"a field gone and one new", rec{Name: "b", Amount: "1.10", Extra: json.RawMessage(`{"k":1}`)}, []string{"extra", "name", "tags"}},
	} {
		got, err := ChangedFields(old, tt.next)
		if err != nil || got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %#v (%v), want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := ChangedFields(old, func() {}); err == nil {
		t.Error("a value with no JSON encoding was compared")
	}
}

func TestToMapKeepsNumbersExact(t *testing.T) {
	m, err := ToMap(map[string]any{"big": json.Number("12345678901234567890.000001")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil || string(b) != `{"big":12345678901234567890.000001}` {
		t.Errorf("ToMap: %s (%v)", b, err)
	}
	if _, err := ToMap([]int{1}); err == nil {
		t.Error("a list was taken for an object")
	}
}
