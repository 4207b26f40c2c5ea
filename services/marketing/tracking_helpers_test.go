package marketing_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/marketing"
	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

// The contract validator reads the public pages' HTML, the pixel and an
// uploaded report as the strings api/openapi.yaml declares them to be.
func init() {
	for _, media := range []string{"text/html", "image/gif", "message/rfc822"} {
		openapi3filter.RegisterBodyDecoder(media, func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(body)
			return string(b), err
		})
	}
}

// browserUA is a person's mail client fetching a link.
const browserUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"

// public is the principal the gateway mints for tenant's public pages.
func public(tenant string) user {
	return user{tenant: tenant, id: "public", perms: []string{"marketing:public"}}
}

// links are the links the service signs and reads: the same environment
// (MARKETING_PUBLIC_URL, MARKETING_LINK_KEY) in the same process.
func links(t *testing.T) tracking.Links {
	t.Helper()
	l, err := tracking.LinksFromEnv(os.Getenv, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// sentMessage is a message messaging sent, as the messages table holds
// it, to a contact of the audience.
type sentMessage struct {
	tenant, id, sendID, campaignID, contactID, channel, address, smtpID string
}

// ref is m's links' reference.
func (m sentMessage) ref() tracking.Ref {
	return tracking.Ref{TenantID: m.tenant, MessageID: m.id, ContactID: m.contactID, CampaignID: m.campaignID, Channel: m.channel}
}

// seedMessage stores, as messaging and the audience would have, a contact
// of tenant with an email and a phone (consent granted on both) and a
// message to it on channel sent an hour ago.
func (e *env) seedMessage(tenant, channel string) sentMessage {
	e.t.Helper()
	m := sentMessage{tenant: tenant, id: uuid.NewString(), sendID: uuid.NewString(), campaignID: uuid.NewString(),
		contactID: uuid.NewString(), channel: channel, smtpID: uuid.NewString() + "@mail.rapport.test"}
	email := "Ada." + m.contactID[:8] + "@Example.com"
	phone := "+44207946" + strings.Map(func(r rune) rune { return '0' + r%10 }, m.contactID[:4])
	m.address = strings.ToLower(email)
	if channel == tracking.ChannelSMS {
		m.address = phone
	}
	now := time.Now().UTC()
	if _, err := e.admin.Exec(`INSERT INTO audience_contacts (tenant_id, id, first_name, email, phone, email_consent, sms_consent,
		created_at, updated_at, version) VALUES ($1, $2, 'Ada', $3, $4, 'granted', 'granted', $5, $5, 1)`,
		tenant, m.contactID, strings.ToLower(email), phone, now); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.admin.Exec(`INSERT INTO messages (tenant_id, id, send_id, campaign_id, contact_id, channel, address, status,
		smtp_id, sent_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'sent', $8, $9, $9)`,
		tenant, m.id, m.sendID, m.campaignID, m.contactID, channel, m.address, "<"+m.smtpID+">", now.Add(-time.Hour)); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// servicePath is the service's path of a public link (the gateway's
// <public URL>/m/<tenant>/<rest> is the service's /public/v1/<rest>).
func servicePath(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 3)
	if len(parts) != 3 || parts[0] != "m" {
		t.Fatalf("link %s is not under /m/<tenant>/", link)
	}
	return "/public/v1/" + parts[2]
}

// hit requests a public link's path as u with a User-Agent, through a
// contract whose client follows no redirect, as the gateway forwards it
// (a HEAD outside the contract).
func (e *env) hit(u user, method, path, userAgent string, body string, headers ...string) reply {
	e.t.Helper()
	doc, err := marketing.OpenAPI(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	c := contracttest.NewContract(e.t, doc, &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}})
	var b any
	if body != "" {
		b = body
	}
	req := contracttest.NewRequest(e.t, method, e.base+path, b, append([]string{"User-Agent", userAgent,
		"X-Forwarded-For", "198.51.100.7"}, headers...)...)
	e.authorize(req, u)
	if method == http.MethodHead { // what GET's route answers; api/openapi.yaml documents the GET
		return reply{c.Send(e.t, req)}
	}
	return reply{c.Do(e.t, req)}
}

// ofType returns the events of evs of type typ about subject.
func ofType(evs []events.Event, typ, subject string) []events.Event {
	var out []events.Event
	for _, ev := range evs {
		if ev.Type == typ && ev.Subject == subject {
			out = append(out, ev)
		}
	}
	return out
}

// eventData returns ev's data as a T; data that does not decode fails
// the test.
func eventData[T any](t *testing.T, ev events.Event) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		t.Fatalf("%s data %s: %v", ev.Type, ev.Data, err)
	}
	return v
}

// count returns the result of a count query run as the admin.
func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.admin.Get(&n, q, args...); err != nil {
		e.t.Fatal(err)
	}
	return n
}
