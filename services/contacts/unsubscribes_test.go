package contacts_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/records"
)

// createMarketingTopic creates marketing's topic, which the harness
// leaves out.
func (e *env) createMarketingTopic() {
	e.t.Helper()
	topic := registry.MustTopic("", registry.Marketing)
	res, err := kadm.NewClient(e.kafka()).CreateTopics(context.Background(), 1, 1, nil, topic, events.DLQ(topic))
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// Marketing's contact.unsubscribed denies the contact's consent on the
// channel through the contact's own write path: contact.updated, and the
// consent history's entry (cause unsubscribed, by marketing). A second
// unsubscribe changes nothing; one that does not parse is skipped.
func TestUnsubscribeFromMarketingDeniesTheChannelsConsent(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	id := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "emails": []map[string]any{{"address": "ada@example.com"}},
		"consent": map[string]any{"email": map[string]any{"status": "granted", "source": "web form"}, "sms": map[string]any{"status": "granted"}}})
	e.createMarketingTopic()
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	e.publishForeign("marketing", records.TypeUnsubscribed, id, u.tenant, at, map[string]any{"contactId": 42})
	for range 2 {
		e.publishForeign("marketing", records.TypeUnsubscribed, id, u.tenant, at, map[string]any{"contactId": id, "channel": "email",
			"address": "ada@example.com", "source": "one-click", "at": at})
	}
	var c customer.Contact
	testkit.Eventually(t, 45*time.Second, "the contact's email consent denied", func() (bool, string) {
		c = contracttest.Decode[customer.Contact](e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK))
		if c.Consent == nil || c.Consent.Email == nil {
			return false, "no email consent"
		}
		return c.Consent.Email.Status == "denied", c.Consent.Email.Status
	})
	if got := c.Consent.Email; got.Source != records.SourceUnsubscribe || got.At == nil || !got.At.Equal(at) {
		t.Fatalf("email consent %+v", got)
	}
	if c.Consent.SMS == nil || c.Consent.SMS.Status != "granted" {
		t.Fatalf("sms consent %+v", c.Consent.SMS)
	}
	// Both unsubscribes are consumed (the inbox has them) before the
	// history is read: the second must have added nothing.
	testkit.Eventually(t, 45*time.Second, "both unsubscribes consumed", func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE consumer_group = $1", records.UnsubscribesGroup); err != nil {
			t.Fatal(err)
		}
		return n == 3, fmt.Sprintf("%d of 3 in the inbox", n)
	})
	history := e.consentHistory(u, id, "&channel=email", 50)
	want := id + " email granted>denied 2026-12-07T09:30:00Z unsubscribe unsubscribed marketing"
	if len(history) != 2 || history[0] != want { // the unsubscribe's entry, then the create's
		t.Fatalf("history\n%v\nwant first\n%s", history, want)
	}
}
