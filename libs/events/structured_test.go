package events

import (
	"encoding/json"
	"testing"
	"time"
)

// TestTypeMatches checks the type patterns: exact, "*", and a prefix of
// whole segments ending in ".*" that needs one more segment at least.
func TestTypeMatches(t *testing.T) {
	const typ = "dev.rapport.sales.opportunity.created.v1"
	for _, c := range []struct {
		patterns []string
		want     bool
	}{
		{nil, false},
		{[]string{"*"}, true},
		{[]string{typ}, true},
		{[]string{"dev.rapport.sales.*"}, true},
		{[]string{"dev.rapport.sales.opportunity.*"}, true},
		{[]string{"dev.rapport.contacts.*", "dev.rapport.sales.*"}, true},
		{[]string{"dev.rapport.contacts.*"}, false},
		{[]string{"dev.rapport.sales"}, false},
		{[]string{"dev.rapport.sal*"}, false},
		{[]string{typ + ".*"}, false},
	} {
		if got := TypeMatchesAny(c.patterns, typ); got != c.want {
			t.Errorf("TypeMatchesAny(%q, %s) = %v, want %v", c.patterns, typ, got, c.want)
		}
	}
	for typ, want := range map[string]bool{"dev.rapport.salesx.a.v1": false, "dev.rapport.sales.": false, "dev.rapport.sales.lead.created.v1": true} {
		if got := TypeMatches("dev.rapport.sales.*", typ); got != want {
			t.Errorf("TypeMatches(dev.rapport.sales.*, %q) = %v, want %v", typ, got, want)
		}
	}
}

// TestToStructured: the JSON event format's attribute names, the tenant
// and trace extensions, the time in UTC, and null data for none.
func TestToStructured(t *testing.T) {
	at := time.Date(2026, 12, 7, 18, 0, 0, 123, time.FixedZone("CST", 8*3600))
	b, err := json.Marshal(ToStructured(Event{ID: "e1", Source: "/rapport/contacts", Type: "dev.rapport.contacts.contact.created.v1",
		Subject: "c1", TenantID: "t1", Time: at}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"specversion":"1.0","id":"e1","source":"/rapport/contacts","type":"dev.rapport.contacts.contact.created.v1",` +
		`"subject":"c1","time":"2026-12-07T10:00:00.000000123Z","datacontenttype":"application/json","tenantid":"t1","data":null}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
