package marketing_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

const (
	typeBounced    = "dev.rapport.marketing.message.bounced.v1"
	typeDelivered  = "dev.rapport.marketing.message.delivered.v1"
	typeComplained = "dev.rapport.marketing.message.complained.v1"
)

// mailBody is the Content-Type of an uploaded report.
var mailBody = []string{"Content-Type", "message/rfc822"}

func TestFeedbackHardBounceSuppressesTheAddress(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	m := e.seedMessage(admin.tenant, "email")
	r := e.want(e.do(admin, "POST", "/v1/marketing-feedback", dsn(m, "failed", "5.1.1", "550 5.1.1 <x>: Recipient address rejected: User unknown"),
		mailBody...), http.StatusAccepted)
	if got := contracttest.Decode[tracking.FeedbackResult](r); got.Outcome != "hard_bounce" || got.MessageID != m.id || got.Kind != "delivery-status" {
		t.Fatalf("result %+v", got)
	}
	// The same bounce again: nothing more.
	e.want(e.do(admin, "POST", "/v1/marketing-feedback", dsn(m, "failed", "5.1.1", "550 5.1.1 User unknown"), mailBody...), http.StatusAccepted)

	page := contracttest.Decode[tracking.SuppressionPage](e.want(e.do(admin, "GET", "/v1/suppressions?channel=email", nil), http.StatusOK))
	if len(page.Items) != 1 || page.Items[0].Address != m.address || page.Items[0].Reason != "hard_bounce" || page.Items[0].CreatedBy != "mail server" {
		t.Fatalf("suppressions %+v", page.Items)
	}
	if n := e.count("SELECT count(*) FROM messages WHERE id = $1 AND feedback = 'bounced'", m.id); n != 1 {
		t.Fatal("messages.feedback is not bounced")
	}
	published := e.published()
	evs := ofType(published, typeBounced, m.id)
	if len(evs) != 1 {
		t.Fatalf("%d message.bounced, want 1", len(evs))
	}
	if data := eventData[tracking.MessageEvent](t, evs[0]); data.BounceType != "hard" || data.Address != m.address || data.Reason == "" {
		t.Fatalf("message.bounced %s", evs[0].Data)
	}
	contracttest.ValidateEvents(t, "api/events", published)
}

func TestFeedbackSoftBounceAndDeliveryAreCountedWithoutSuppressing(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	soft, delivered := e.seedMessage(admin.tenant, "email"), e.seedMessage(admin.tenant, "email")
	r := e.want(e.do(admin, "POST", "/v1/marketing-feedback", dsn(soft, "delayed", "4.2.2", "452 4.2.2 Mailbox full"), mailBody...), http.StatusAccepted)
	if got := contracttest.Decode[tracking.FeedbackResult](r).Outcome; got != "soft_bounce" {
		t.Fatalf("outcome %s", got)
	}
	r = e.want(e.do(admin, "POST", "/v1/marketing-feedback", dsn(delivered, "delivered", "2.0.0", "250 2.0.0 Ok"), mailBody...), http.StatusAccepted)
	if got := contracttest.Decode[tracking.FeedbackResult](r).Outcome; got != "delivered" {
		t.Fatalf("outcome %s", got)
	}
	if n := e.count("SELECT count(*) FROM suppressions WHERE tenant_id = $1", admin.tenant); n != 0 {
		t.Fatalf("%d suppressions", n)
	}
	published := e.published()
	if evs := ofType(published, typeBounced, soft.id); len(evs) != 1 || eventData[tracking.MessageEvent](t, evs[0]).BounceType != "soft" {
		t.Fatalf("message.bounced %v", evs)
	}
	if n := len(ofType(published, typeDelivered, delivered.id)); n != 1 {
		t.Fatalf("%d message.delivered", n)
	}
	contracttest.ValidateEvents(t, "api/events", published)
}

func TestFeedbackBounceForAnUnknownMessageIsCountedAndNothingElse(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	other := e.seedMessage(uuid.NewString(), "email") // another tenant's: not found through this one
	unknown := sentMessage{id: uuid.NewString(), address: "nobody@example.com", smtpID: "nope@mail.rapport.test"}
	for _, m := range []sentMessage{unknown, other} {
		r := e.want(e.do(admin, "POST", "/v1/marketing-feedback", dsn(m, "failed", "5.1.1", "550 unknown"), mailBody...), http.StatusAccepted)
		if got := contracttest.Decode[tracking.FeedbackResult](r); got.Outcome != "unmatched" || got.MessageID != "" {
			t.Fatalf("result %+v", got)
		}
	}
	if n := e.count("SELECT count(*) FROM feedback_reports WHERE tenant_id = $1 AND outcome = 'unmatched' AND message_id IS NULL", admin.tenant); n != 2 {
		t.Fatalf("%d unmatched reports counted, want 2", n)
	}
	if n := e.count("SELECT count(*) FROM suppressions"); n != 0 {
		t.Fatalf("%d suppressions", n)
	}
	if n := len(ofType(e.published(), typeBounced, other.id)); n != 0 {
		t.Fatalf("%d message.bounced", n)
	}
}

func TestFeedbackComplaintSuppressesAndUnsubscribes(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	m := e.seedMessage(admin.tenant, "email")
	r := e.want(e.do(admin, "POST", "/v1/marketing-feedback", arf(m), mailBody...), http.StatusAccepted)
	if got := contracttest.Decode[tracking.FeedbackResult](r); got.Outcome != "complaint" || got.MessageID != m.id {
		t.Fatalf("result %+v", got)
	}
	if n := e.count("SELECT count(*) FROM suppressions WHERE tenant_id = $1 AND address = $2 AND reason = 'complaint'", admin.tenant, m.address); n != 1 {
		t.Fatal("the address is not suppressed for the complaint")
	}
	published := e.published()
	if n := len(ofType(published, typeComplained, m.id)); n != 1 {
		t.Fatalf("%d message.complained", n)
	}
	evs := ofType(published, typeUnsubscribed, m.contactID)
	if len(evs) != 1 || eventData[tracking.Unsubscribed](t, evs[0]).Source != "complaint" {
		t.Fatalf("contact.unsubscribed %v", evs)
	}
	contracttest.ValidateEvents(t, "api/events", published)
}

func TestFeedbackThatIsNoReportIsAProblemNamingBody(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	r := e.want(e.do(admin, "POST", "/v1/marketing-feedback", "Subject: hello\r\n\r\nJust a mail.\r\n", mailBody...), http.StatusBadRequest)
	if f := r.fields(); len(f) != 1 || f[0] != "body" {
		t.Fatalf("fields %v", f)
	}
	e.want(e.do(admin, "POST", "/v1/marketing-feedback", map[string]any{"report": "x"}), http.StatusUnsupportedMediaType)
	e.want(e.do(admin.as("marketing:read", "marketing:write", "marketing:send"), "POST", "/v1/marketing-feedback",
		dsn(e.seedMessage(admin.tenant, "email"), "failed", "5.1.1", "x"), mailBody...), http.StatusForbidden)
}
