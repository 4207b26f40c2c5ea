package marketing_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/services/marketing/messaging"
)

// headerBlock is the header of a raw mail, up to the blank line.
func headerBlock(raw []byte) string {
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	return string(head)
}

// bounceOf is the DSN a relay would mail back for raw, a mail messaging
// sent, quoting its headers as they went out (text/rfc822-headers).
func bounceOf(raw []byte, to string) string {
	return strings.Join([]string{
		"From: MAILER-DAEMON@relay.example.net",
		"Subject: Undelivered Mail Returned to Sender",
		"MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=delivery-status; boundary="R"`,
		"", "--R", "Content-Type: text/plain", "", "Your message could not be delivered.",
		"--R", "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; relay.example.net", "",
		"Final-Recipient: rfc822; " + to, "Action: failed", "Status: 5.1.1", "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
		"", "--R", "Content-Type: text/rfc822-headers", "", headerBlock(raw), "", "--R--", "",
	}, "\r\n")
}

// A send's bounce and its one-click unsubscribe come back through the
// mail as it went out (its Message-ID, its List-Unsubscribe), and the next
// send to the same list excludes both addresses, mailing no one.
func TestFeedbackFromASendIsSeenByTheNextSend(t *testing.T) {
	sink := newMailSink(t)
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "news@acme.example", "fromName": "Acme",
		"replyTo": "", "smsFrom": "", "throttlePerMinute": 1000}), http.StatusOK)
	list, _ := e.seedAudience(u.tenant,
		audienceMember{first: "Ann", email: "ann@example.test", emailConsent: "granted"},
		audienceMember{first: "Bob", email: "bob@example.test", emailConsent: "granted"})
	tpl := e.seedTemplate(u.tenant, "email", "Hello {{contact.firstName}}",
		`<html><body><p>Hi <a href="https://shop.example/offer">shop</a></p><p><a href="{{unsubscribeUrl}}">unsubscribe</a></p></body></html>`,
		"Hi, see https://shop.example/offer", "")
	first := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	e.waitSend(u, first.ID, messaging.StatusCompleted)
	mails := sink.received()
	if got := byRecipient(mails); len(got) != 2 {
		t.Fatalf("mails to %v, want ann and bob", got)
	}
	for _, m := range mails {
		switch strings.ToLower(m.To) {
		case "bob@example.test":
			r := e.want(e.do(u, "POST", "/v1/marketing-feedback", bounceOf(m.Raw, m.To), mailBody...), http.StatusAccepted)
			if !strings.Contains(string(r.Raw), `"outcome":"hard_bounce"`) {
				t.Fatalf("bounce: %s", r.Raw)
			}
		case "ann@example.test":
			h, err := mail.CreateReader(bytes.NewReader(m.Raw))
			if err != nil {
				t.Fatal(err)
			}
			unsub := regexp.MustCompile(`<(https?://[^>]+)>`).FindStringSubmatch(h.Header.Get("List-Unsubscribe"))
			if unsub == nil {
				t.Fatalf("List-Unsubscribe %q", h.Header.Get("List-Unsubscribe"))
			}
			e.want(e.hit(public(u.tenant), "POST", servicePath(t, unsub[1]), "", "List-Unsubscribe=One-Click", formBody...), http.StatusOK)
		}
	}

	second := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list})
	done := e.waitSend(u, second.ID, messaging.StatusCompleted)
	if done.Counts.Sent != 0 || done.Excluded.HardBounce != 1 || done.Excluded.Suppressed != 1 {
		t.Fatalf("second send: counts %+v, excluded %+v; want none sent, one hard bounce and one suppressed", done.Counts, done.Excluded)
	}
	if n := len(sink.received()); n != 2 {
		t.Fatalf("%d mails in all, want the first send's 2", n)
	}
}
