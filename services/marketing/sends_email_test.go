package marketing_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/messaging"
)

// newDKIMKey returns an RSA key as PEM (PKCS #1) and its DNS record.
func newDKIMKey(t *testing.T) (pemKey, record string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	return pemKey, "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)
}

// TestSendsMailOnlyWithConsentCountingExclusions sends an email template
// with a Chinese subject to a list whose members lack consent, are
// suppressed, bounced, complained, have no address or lack a merge field:
// only those with consent and every field are mailed, once each, each
// mail DKIM-signed with the tenant's key, with the RFC 8058 headers, its
// Message-ID and tracked links; every exclusion is counted by its reason,
// and the send's and messages' events match their schemas.
func TestSendsMailOnlyWithConsentCountingExclusions(t *testing.T) {
	sink := newMailSink(t)
	t.Setenv("MARKETING_PUBLIC_URL", "https://mkt.example.test")
	e := newEnv(t)
	u := newUser(uuid.NewString())
	pemKey, record := newDKIMKey(t)
	set := contracttest.Decode[messaging.Settings](e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{
		"fromAddress": "news@acme.example", "fromName": "Acme News", "replyTo": "", "smsFrom": "", "throttlePerMinute": 1000,
		"dkim": map[string]any{"domain": "acme.example", "selector": "rap1", "privateKey": pemKey}}), http.StatusOK))
	if set.DKIM == nil || set.DKIM.PrivateKey != "" || set.DKIM.PublicKey == "" || !strings.Contains(record, set.DKIM.PublicKey) {
		t.Fatalf("settings show %+v, want the public key of the record and no private key", set.DKIM)
	}
	plan := `{"plan": "Gold"}`
	list, _ := e.seedAudience(u.tenant,
		audienceMember{first: "Ann", email: "ann@example.test", emailConsent: "granted", custom: plan},
		audienceMember{first: "Bob", email: "bob@example.test", emailConsent: "granted", custom: plan},
		audienceMember{first: "Cy", email: "cy@example.test", emailConsent: "denied", custom: plan},
		audienceMember{first: "Di", email: "di@example.test", emailConsent: "unknown", custom: plan},
		audienceMember{first: "Ed", email: "ed@example.test", emailConsent: "granted", custom: plan},
		audienceMember{first: "Flo", email: "flo@example.test", emailConsent: "granted", custom: plan},
		audienceMember{first: "Gus", email: "gus@example.test", emailConsent: "granted", custom: plan},
		audienceMember{first: "Hal", emailConsent: "granted", custom: plan},
		audienceMember{first: "Ivy", email: "ivy@example.test", emailConsent: "granted"},
	)
	e.suppress(u.tenant, "email", "ed@example.test", "unsubscribed")
	e.suppress(u.tenant, "email", "flo@example.test", "hard_bounce")
	e.suppress(u.tenant, "email", "gus@example.test", "complaint")
	tpl := e.seedTemplate(u.tenant, "email", "你好 {{contact.firstName}}，本月优惠",
		`<html><body><p>Hi {{contact.firstName}}, your {{contact.customFields.plan}} offer: <a href="https://shop.example/offer">shop</a></p>`+
			`<p><a href="{{unsubscribeUrl}}">unsubscribe</a></p></body></html>`,
		"Hi {{contact.firstName}}, see https://shop.example/offer", "")

	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list,
		"utm": map[string]any{"source": "rapport", "campaign": "spring"}})
	if s.Status != messaging.StatusQueued {
		t.Fatalf("status %s, want queued", s.Status)
	}
	done := e.waitSend(u, s.ID, messaging.StatusCompleted)
	want := messaging.Counts{Recipients: 9, Sent: 2, Excluded: 7}
	if done.Counts != want {
		t.Errorf("counts %+v, want %+v", done.Counts, want)
	}
	wantEx := messaging.Exclusions{NoConsent: 2, Suppressed: 1, HardBounce: 1, Complaint: 1, NoAddress: 1, UnresolvedField: 1}
	if done.Excluded != wantEx {
		t.Errorf("excluded %+v, want %+v", done.Excluded, wantEx)
	}

	mails := sink.received()
	if got := byRecipient(mails); len(got) != 2 || got["ann@example.test"] != 1 || got["bob@example.test"] != 1 {
		t.Fatalf("mails to %v, want one each to ann and bob", got)
	}
	ids := messageIDs(t, e, u.tenant, s.ID)
	for _, m := range mails {
		checkMail(t, m, record, u.tenant, ids[m.To])
	}

	e.messagingEvents("send.created", "message.sent", "send.completed")
}

// messageIDs maps the addresses of send's messages to their ids.
func messageIDs(t *testing.T, e *env, tenant, send string) map[string]string {
	t.Helper()
	var rows []struct {
		ID      string `db:"id"`
		Address string `db:"address"`
	}
	if err := e.admin.Select(&rows, `SELECT id, address FROM messages WHERE tenant_id = $1 AND send_id = $2`, tenant, send); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Address] = r.ID
	}
	return out
}

// trackedLink is a link of the tracking routes through the gateway.
var trackedLink = regexp.MustCompile(`https://mkt\.example\.test/m/([0-9a-f-]{36})/(t/c|t/o|u)/[A-Za-z0-9_\-.=]+`)

// checkMail parses m and checks its DKIM signature against record, its
// headers and its tracked links of tenant, message id.
func checkMail(t *testing.T, m sunkMail, record, tenant, id string) {
	t.Helper()
	verifications, err := dkim.VerifyWithOptions(bytes.NewReader(m.Raw), &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
		if domain != "rap1._domainkey.acme.example" {
			t.Errorf("DKIM looked up %s", domain)
		}
		return []string{record}, nil
	}})
	if err != nil || len(verifications) != 1 || verifications[0].Err != nil || verifications[0].Domain != "acme.example" {
		t.Fatalf("DKIM of the mail to %s: %v %+v", m.To, err, verifications)
	}
	for _, h := range []string{"list-unsubscribe", "list-unsubscribe-post", "subject", "from", "message-id"} {
		if !containsFold(verifications[0].HeaderKeys, h) {
			t.Errorf("the signature does not cover %s: %v", h, verifications[0].HeaderKeys)
		}
	}
	r, err := mail.CreateReader(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := r.Header.Subject()
	if err != nil || !strings.HasPrefix(subject, "你好 ") || !strings.HasSuffix(subject, "，本月优惠") {
		t.Errorf("subject %q (%v)", subject, err)
	}
	if raw := r.Header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?") && !strings.HasPrefix(raw, "=?UTF-8?") {
		t.Errorf("raw subject %q is not RFC 2047 encoded", raw)
	}
	if mid, _ := r.Header.MessageID(); mid != id+"@acme.example" {
		t.Errorf("Message-ID %q, want %s@acme.example", mid, id)
	}
	if got := r.Header.Get("X-Rapport-Message"); got != id {
		t.Errorf("X-Rapport-Message %q, want %s", got, id)
	}
	unsub := r.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(unsub, "<https://mkt.example.test/m/"+tenant+"/u/") || r.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe %q, List-Unsubscribe-Post %q", unsub, r.Header.Get("List-Unsubscribe-Post"))
	}
	if from, _ := r.Header.AddressList("From"); len(from) != 1 || from[0].Address != "news@acme.example" || from[0].Name != "Acme News" {
		t.Errorf("From %v", from)
	}
	var html, text string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		ct, _, _ := p.Header.(*mail.InlineHeader).ContentType()
		switch ct {
		case "text/html":
			html = string(b)
		case "text/plain":
			text = string(b)
		}
	}
	if strings.Contains(html, `href="https://shop.example/offer"`) || !strings.Contains(html, "your Gold offer") {
		t.Errorf("the HTML part's link is not tracked: %s", html)
	}
	kinds := map[string]bool{}
	for _, l := range trackedLink.FindAllStringSubmatch(html, -1) {
		if l[1] != tenant {
			t.Errorf("link %s of another tenant", l[0])
		}
		kinds[l[2]] = true
	}
	if !kinds["t/c"] || !kinds["t/o"] || !kinds["u"] {
		t.Errorf("the HTML part lacks a click, open or unsubscribe link: %v\n%s", kinds, html)
	}
	if !trackedLink.MatchString(text) || strings.Contains(text, "https://shop.example/offer") {
		t.Errorf("the text part's link is not tracked: %s", text)
	}
}

// containsFold says list has s, whatever the case.
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

// TestSendsSettingsRefuseBadKeysNamingTheField puts settings with a bad
// PEM key, domain, selector, address and throttle: a 400 naming each; a
// DKIM key left out keeps the one held.
func TestSendsSettingsRefuseBadKeysNamingTheField(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	r := e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "not an address", "fromName": "", "replyTo": "",
		"smsFrom": "", "throttlePerMinute": 0, "dkim": map[string]any{"domain": "bad domain", "selector": "-x",
			"privateKey": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"}}), http.StatusBadRequest)
	want := []string{"fromAddress", "throttlePerMinute", "dkim/domain", "dkim/selector", "dkim/privateKey"}
	if got := r.fields(); !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "", "fromName": "", "replyTo": "", "smsFrom": "",
		"throttlePerMinute": 10, "dkim": map[string]any{"domain": "acme.example", "selector": "s1"}}), http.StatusBadRequest)
	pemKey, _ := newDKIMKey(t)
	first := contracttest.Decode[messaging.Settings](e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "a@acme.example",
		"fromName": "", "replyTo": "", "smsFrom": "", "throttlePerMinute": 10,
		"dkim": map[string]any{"domain": "acme.example", "selector": "s1", "privateKey": pemKey}}), http.StatusOK))
	kept := contracttest.Decode[messaging.Settings](e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "a@acme.example",
		"fromName": "", "replyTo": "", "smsFrom": "", "throttlePerMinute": 20,
		"dkim": map[string]any{"domain": "acme.example", "selector": "s2"}}), http.StatusOK))
	if kept.DKIM == nil || kept.DKIM.Fingerprint != first.DKIM.Fingerprint || kept.DKIM.Selector != "s2" || kept.Version != 2 {
		t.Errorf("the key was not kept: %+v then %+v", first.DKIM, kept.DKIM)
	}
	got := contracttest.Decode[messaging.Settings](e.want(e.do(u, "GET", "/v1/marketing-settings", nil), http.StatusOK))
	if got.ThrottlePerMinute != 20 || got.DKIM.PrivateKey != "" || got.DKIM.Fingerprint != first.DKIM.Fingerprint {
		t.Errorf("GET shows %+v", got)
	}
	e.want(e.do(u.as("marketing:send", "marketing:read"), "GET", "/v1/marketing-settings", nil), http.StatusForbidden)
	other := contracttest.Decode[messaging.Settings](e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/marketing-settings", nil), http.StatusOK))
	if other.DKIM != nil || other.ThrottlePerMinute != messaging.DefaultThrottle {
		t.Errorf("another tenant sees %+v", other)
	}
}
