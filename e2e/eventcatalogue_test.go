package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestEventCatalogueUnknownTypes checks the check every stack runs when its
// test ends (stack.CheckEventTypes): reading every partition of every topic
// to its end, it reports each record whose ce_type the catalogue lacks, and
// each record without one, and nothing else.
func TestEventCatalogueUnknownTypes(t *testing.T) {
	brokers := testkit.Kafka(t, kfake.SeedTopics(3, "rapport.a.v1", "rapport.b.v1", "rapport.empty.v1"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	record := func(topic, key, typ string) *kgo.Record {
		r := &kgo.Record{Topic: topic, Key: []byte(key), Value: []byte("{}")}
		if typ != "" {
			r.Headers = []kgo.RecordHeader{{Key: events.HeaderType, Value: []byte(typ)}}
		}
		return r
	}
	var rs []*kgo.Record
	for i := range 30 {
		rs = append(rs, record("rapport.a.v1", string(rune('a'+i%26))+"k", "dev.rapport.a.thing.created.v1"))
	}
	rs = append(rs, record("rapport.b.v1", "x", "dev.rapport.b.thing.invented.v1"), record("rapport.b.v1", "y", ""))
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	unknown, err := stack.UnknownEventTypes(ctx, brokers, map[string]bool{"dev.rapport.a.thing.created.v1": true})
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) != 2 || !slices.ContainsFunc(unknown, func(u string) bool { return strings.Contains(u, "dev.rapport.b.thing.invented.v1") }) ||
		!slices.ContainsFunc(unknown, func(u string) bool { return strings.Contains(u, "without ce_type") }) {
		t.Fatalf("unknown = %q, want the invented type and the record without a type", unknown)
	}
}

// TestEventCataloguePage checks the catalogue as a stack's gateway serves
// it: GET /asyncapi.json with its ETag and a 304, and the /events page in
// Chromium — its style allowed by its CSP, WCAG 2 AA, the search form
// working without script, a payload schema unfolding. The contact it
// creates is an event the stack's own check (stack.CheckEventTypes) then
// finds in the catalogue.
func TestEventCataloguePage(t *testing.T) {
	st := stack.Start(t, bins)
	tn := st.CreateTenant(t, "e2e-catalogue-"+letters(6))
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/contacts", Token: tn.Admin.Token,
		Body: map[string]any{"firstName": "Ada", "lastName": "Lovelace"}}, http.StatusCreated, nil)

	doc := stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + stack.CataloguePath}, http.StatusOK, nil)
	etag := doc.Header.Get("ETag")
	if doc.Header.Get("Content-Type") != "application/json" || etag == "" {
		t.Fatalf("GET %s: Content-Type %q, ETag %q", stack.CataloguePath, doc.Header.Get("Content-Type"), etag)
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + stack.CataloguePath,
		Header: map[string]string{"If-None-Match": etag}}, http.StatusNotModified, nil)

	p := browser.NewPage(t, 1280, 900)
	p.Go(st.GatewayURL + "/events")
	p.Wait(`article[id="dev.rapport.contacts.contact.created.v1"]`)
	var maxWidth string
	p.Eval(`getComputedStyle(document.body).maxWidth`, &maxWidth)
	if maxWidth != "960px" {
		t.Errorf("the page's style did not apply (body max-width %q): its CSP refused it?", maxWidth)
	}
	p.Axe("events")

	p.Fill("#q", "opportunity.won")
	p.Click(`form[role="search"] button[type="submit"]`)
	p.Wait(`a[href="/events"]`) // "Show all": the answer to the search
	// The types named so, and those whose description names them.
	var shown []string
	p.Eval(`[...document.querySelectorAll("article")].filter(a => !a.textContent.toLowerCase().includes("opportunity.won")).map(a => a.id)`, &shown)
	if len(shown) != 0 {
		t.Errorf("the search for opportunity.won shows types that do not mention it: %q", shown)
	}
	won := `article[id="dev.rapport.sales.opportunity.won.v1"]`
	if !p.Has(won) || p.Has(`article[id="dev.rapport.contacts.contact.created.v1"]`) {
		t.Fatal("the search for opportunity.won does not keep opportunity.won alone among unrelated types")
	}
	p.Click(won + " summary")
	if text := p.Text(won + " details pre"); !strings.Contains(text, `"closeDate"`) {
		t.Errorf("the unfolded payload schema reads %.200q", text)
	}
}
