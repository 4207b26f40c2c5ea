package marketing_test

import (
	"bytes"
	"encoding/base64"
	"image/gif"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

const (
	typeOpened  = "dev.rapport.marketing.message.opened.v1"
	typeClicked = "dev.rapport.marketing.message.clicked.v1"
)

func TestTrackingOpenServesThePixelAndPublishesThePersonsFirstOpen(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	m, scanned := e.seedMessage(tenant, "email"), e.seedMessage(tenant, "email")
	l := links(t)

	for range 2 {
		r := e.want(e.hit(public(tenant), "GET", servicePath(t, l.Open(m.ref())), browserUA, ""), http.StatusOK)
		if _, err := gif.Decode(bytes.NewReader(r.Raw)); err != nil || r.Header.Get("Content-Type") != "image/gif" {
			t.Fatalf("not a GIF (%s): %v", r.Header.Get("Content-Type"), err)
		}
		if !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
			t.Fatalf("Cache-Control %q", r.Header.Get("Cache-Control"))
		}
	}
	// A mail scanner's fetch and a HEAD are kept apart and not published.
	e.want(e.hit(public(tenant), "GET", servicePath(t, l.Open(scanned.ref())), "Mozilla/5.0 (compatible; Barracuda Sentinel link scanner)", ""), http.StatusOK)
	e.want(e.hit(public(tenant), "HEAD", servicePath(t, l.Open(scanned.ref())), browserUA, ""), http.StatusOK)

	if n := e.count("SELECT count(*) FROM message_events WHERE message_id = $1 AND kind = 'open' AND NOT bot", m.id); n != 2 {
		t.Fatalf("%d opens recorded, want 2", n)
	}
	if n := e.count("SELECT count(*) FROM message_events WHERE message_id = $1 AND kind = 'open' AND bot", scanned.id); n != 2 {
		t.Fatalf("%d machine opens recorded, want 2", n)
	}
	published := e.published()
	opened := ofType(published, typeOpened, m.id)
	if len(opened) != 1 {
		t.Fatalf("%d message.opened for the person's opens, want 1", len(opened))
	}
	data := eventData[tracking.MessageEvent](t, opened[0])
	if data.ContactID != m.contactID || data.Address != m.address || data.Channel != "email" || data.SendID != m.sendID ||
		data.CampaignID == nil || *data.CampaignID != m.campaignID {
		t.Fatalf("message.opened %s", opened[0].Data)
	}
	if n := len(ofType(published, typeOpened, scanned.id)); n != 0 {
		t.Fatalf("%d message.opened published for a scanner", n)
	}
	contracttest.ValidateEvents(t, "api/events", published)
}

func TestTrackingClickRedirectsToTheSignedTargetWithUTM(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	m := e.seedMessage(tenant, "email")
	l := links(t)
	html := l.Decorate(`<html><body><a href="https://shop.example.com/sale?item=7">Sale</a></body></html>`, m.ref(),
		tracking.UTM{Source: "rapport", Medium: "email", Campaign: "spring-sale"})
	click := regexp.MustCompile(`href="([^"]+)"`).FindStringSubmatch(html)[1]
	want := "https://shop.example.com/sale?item=7&utm_campaign=spring-sale&utm_medium=email&utm_source=rapport"

	for range 2 { // a replayed link still takes the reader there
		r := e.want(e.hit(public(tenant), "GET", servicePath(t, click), browserUA, ""), http.StatusFound)
		if got := r.Header.Get("Location"); got != want {
			t.Fatalf("Location %q, want %q", got, want)
		}
	}
	published := e.published()
	clicked := ofType(published, typeClicked, m.id)
	if len(clicked) != 1 {
		t.Fatalf("%d message.clicked, want 1", len(clicked))
	}
	if data := eventData[tracking.MessageEvent](t, clicked[0]); data.URL != want {
		t.Fatalf("url %q", data.URL)
	}
	if n := e.count("SELECT count(*) FROM message_events WHERE message_id = $1 AND kind = 'click'", m.id); n != 2 {
		t.Fatalf("%d clicks recorded, want 2", n)
	}
	contracttest.ValidateEvents(t, "api/events", published)
}

func TestTrackingForgedOrTamperedLinksAre404WithoutRedirect(t *testing.T) {
	e := newEnv(t)
	tenant, other := uuid.NewString(), uuid.NewString()
	m := e.seedMessage(tenant, "email")
	l := links(t)
	good := servicePath(t, l.Click(m.ref(), "https://shop.example.com/"))
	tok := good[strings.LastIndexByte(good, '/')+1:]
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	retargeted := base64.RawURLEncoding.EncodeToString(bytes.Replace(raw, []byte("shop.example.com"), []byte("evil.example.com"), 1))
	forged := tracking.NewLinks("http://127.0.0.1:8080", bytes.Repeat([]byte("f"), 32)).Click(m.ref(), "https://evil.example.com/")

	for name, c := range map[string]struct {
		u    user
		path string
	}{
		"retargeted":       {public(tenant), "/public/v1/t/c/" + retargeted},
		"another key":      {public(tenant), servicePath(t, forged)},
		"another tenant":   {public(other), good},
		"open at click":    {public(tenant), "/public/v1/t/c/" + strings.TrimPrefix(servicePath(t, l.Open(m.ref())), "/public/v1/t/o/")},
		"garbage":          {public(tenant), "/public/v1/t/c/bm90LWEtdG9rZW4"},
		"pixel, forged":    {public(tenant), "/public/v1/t/o/" + retargeted},
		"unsubscribe page": {public(tenant), "/public/v1/u/" + retargeted},
	} {
		r := e.hit(c.u, "GET", c.path, browserUA, "")
		if r.Status != http.StatusNotFound || r.Header.Get("Location") != "" {
			t.Errorf("%s: status %d, Location %q; want 404 and none", name, r.Status, r.Header.Get("Location"))
		}
	}
	// The public principal alone reaches the public routes.
	e.want(e.hit(newUser(tenant).as("marketing:read"), "GET", good, browserUA, ""), http.StatusForbidden)
	if n := e.count("SELECT count(*) FROM message_events WHERE message_id = $1", m.id); n != 0 {
		t.Fatalf("%d events recorded by bad links", n)
	}
}
