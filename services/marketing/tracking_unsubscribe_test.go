package marketing_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

const typeUnsubscribed = "dev.rapport.marketing.contact.unsubscribed.v1"

// formBody is the Content-Type header of a browser's form.
var formBody = []string{"Content-Type", "application/x-www-form-urlencoded"}

func TestTrackingUnsubscribePageNeverUnsubscribesOnGET(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	m := e.seedMessage(tenant, "email")
	page := servicePath(t, links(t).Unsubscribe(m.ref()))
	for range 3 { // a scanner prefetching the footer's link
		r := e.want(e.hit(public(tenant), "GET", page, "Mozilla/5.0 (compatible; Mimecast link scanner)", ""), http.StatusOK)
		body := string(r.Raw)
		if !strings.Contains(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `<html lang="en">`) ||
			!strings.Contains(body, `<form method="post">`) || !strings.Contains(body, "a…@example.com") {
			t.Fatalf("page %s:\n%s", r.Header.Get("Content-Type"), body)
		}
		if strings.Contains(body, m.address) {
			t.Fatalf("the page shows the whole address:\n%s", body)
		}
	}
	if n := e.count("SELECT count(*) FROM suppressions WHERE tenant_id = $1", tenant); n != 0 {
		t.Fatalf("%d suppressions after GETs", n)
	}
	if n := len(ofType(e.published(), typeUnsubscribed, m.contactID)); n != 0 {
		t.Fatalf("%d contact.unsubscribed after GETs", n)
	}
}

func TestTrackingOneClickUnsubscribeSuppressesAndPublishesOnce(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	m := e.seedMessage(tenant, "email")
	target := servicePath(t, links(t).Unsubscribe(m.ref()))
	for range 2 { // RFC 8058's POST, retried by the mailbox provider
		r := e.want(e.hit(public(tenant), "POST", target, "", "List-Unsubscribe=One-Click", formBody...), http.StatusOK)
		if !strings.Contains(string(r.Raw), "is unsubscribed from email messages") {
			t.Fatalf("page:\n%s", r.Raw)
		}
	}
	if n := e.count("SELECT count(*) FROM suppressions WHERE tenant_id = $1 AND channel = 'email' AND address = $2 AND reason = 'unsubscribed'",
		tenant, m.address); n != 1 {
		t.Fatalf("%d suppressions of %s, want 1", n, m.address)
	}
	published := e.published()
	evs := ofType(published, typeUnsubscribed, m.contactID)
	if len(evs) != 1 {
		t.Fatalf("%d contact.unsubscribed, want 1", len(evs))
	}
	data := eventData[tracking.Unsubscribed](t, evs[0])
	if data.Source != "one-click" || data.Channel != "email" || data.Address != m.address || data.MessageID == nil ||
		*data.MessageID != m.id || data.CampaignID == nil || *data.CampaignID != m.campaignID {
		t.Fatalf("contact.unsubscribed %s", evs[0].Data)
	}
	contracttest.ValidateEvents(t, "api/events", published)
}

func TestTrackingPreferencePageUnsubscribesTheChannelsLeftUnchecked(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	m := e.seedMessage(tenant, "email")
	page := servicePath(t, links(t).Preferences(m.ref()))
	r := e.want(e.hit(public(tenant), "GET", page, browserUA, ""), http.StatusOK)
	for _, want := range []string{`name="email" value="on" checked`, `name="sms" value="on" checked`, `<label for="ch-sms">`} {
		if !strings.Contains(string(r.Raw), want) {
			t.Fatalf("no %q in the page:\n%s", want, r.Raw)
		}
	}
	// A POST that is not the page's form changes nothing.
	e.want(e.hit(public(tenant), "POST", page, browserUA, "", formBody...), http.StatusOK)
	if n := e.count("SELECT count(*) FROM suppressions WHERE tenant_id = $1", tenant); n != 0 {
		t.Fatalf("%d suppressions after an empty POST", n)
	}
	r = e.want(e.hit(public(tenant), "POST", page, browserUA, "submitted=yes&email=on", formBody...), http.StatusOK)
	if !strings.Contains(string(r.Raw), "Your preferences are saved") || !strings.Contains(string(r.Raw), "(unsubscribed)") {
		t.Fatalf("page after:\n%s", r.Raw)
	}
	var channels []string
	if err := e.admin.Select(&channels, "SELECT channel FROM suppressions WHERE tenant_id = $1", tenant); err != nil {
		t.Fatal(err)
	}
	if strings.Join(channels, ",") != "sms" {
		t.Fatalf("suppressed %v, want [sms]", channels)
	}
	published := e.published()
	evs := ofType(published, typeUnsubscribed, m.contactID)
	if len(evs) != 1 {
		t.Fatalf("%d contact.unsubscribed, want 1", len(evs))
	}
	if data := eventData[tracking.Unsubscribed](t, evs[0]); data.Source != "preferences" || data.Channel != "sms" || data.MessageID != nil {
		t.Fatalf("contact.unsubscribed %s", evs[0].Data)
	}
	contracttest.ValidateEvents(t, "api/events", published)
}
