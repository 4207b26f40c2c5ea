package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// consoleHookReceiver is an endpoint on 127.0.0.1 that the console test
// subscribes (the e2e stack lets the gateway reach loopback): it answers
// each POST with 200 and "thanks from <name>", or, while down, with 500
// and "<name> is down".
type consoleHookReceiver struct {
	srv  *httptest.Server
	down atomic.Bool
}

// newConsoleHookReceiver starts a receiver named name, down or not.
func newConsoleHookReceiver(t *testing.T, name string, down bool) *consoleHookReceiver {
	r := &consoleHookReceiver{}
	r.down.Store(down)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		if r.down.Load() {
			http.Error(w, name+" is down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = fmt.Fprintf(w, "thanks from %s", name)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// consoleHookRow is the JavaScript expression of the delivery log's row
// whose subject is subject and whose state is status (null when none).
func consoleHookRow(subject, status string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('[data-testid="row"]')].find(r =>
		r.querySelector('[data-testid="delivery-subject"]')?.textContent === %q &&
		r.querySelector('[data-testid="delivery-status"]')?.dataset.status === %q) ?? null`, subject, status)
}

// consoleHookWaitRow refreshes the delivery log, as a person would, until
// it shows the row of subject in status (a minute at most: the event goes
// through the service's outbox, Kafka, the fan-out and the dispatcher),
// then opens it in the delivery drawer.
func consoleHookWaitRow(t *testing.T, p *browser.Page, subject, status string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var found bool
		p.Eval(`(`+consoleHookRow(subject, status)+`) !== null`, &found)
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the delivery log shows no %s delivery of %s after a minute: %s", status, subject, p.Text(`[data-testid="page-webhook"]`))
		}
		p.Eval(`document.querySelector('[data-testid="delivery-refresh"]').click()`, nil)
		time.Sleep(time.Second)
	}
	p.Eval(`(`+consoleHookRow(subject, status)+`).click()`, nil)
	p.Wait(`.ant-drawer [data-testid="attempt"]`)
}

// consoleHookAttempts is the text of each attempt the open drawer lists.
func consoleHookAttempts(p *browser.Page) []string {
	var out []string
	p.Eval(`[...document.querySelectorAll('.ant-drawer [data-testid="attempt"]')].map(a => a.textContent)`, &out)
	return out
}

// TestConsoleWebhooks walks the webhooks pages in Chromium as the tenant's
// administrator against the real stack: a subscription to a receiver in
// the test is made in the form (a filter naming an unknown field is
// refused under the filter box), its secret shows once with a copy button;
// a contact created through the API is delivered, and its attempt shows
// the receiver's answer; a test event (ping) is delivered too. A second
// subscription to a receiver that answers 500 shows its failed attempts
// under the "failed" filter, the subscription as failing, and redeliver
// brings the delivery through once the receiver is back. Axe on the list,
// the form, the secret, the subscription and the delivery drawer.
func TestConsoleWebhooks(t *testing.T) {
	s := stack.Start(t, bins)
	c := &scene{s: s, tn: s.CreateTenant(t, "console-webhooks")}
	good := newConsoleHookReceiver(t, "the good receiver", false)
	bad := newConsoleHookReceiver(t, "the bad receiver", true)
	p := signIn(t, s, c.tn, c.tn.Admin, desktop)

	p.Go(s.GatewayURL + "/admin/webhooks")
	p.WaitTestID("page-webhooks")
	p.Axe("the webhooks list")

	var subID string
	t.Run("a subscription is made in the form and its secret shows once", func(t *testing.T) {
		p.Click(browser.TestID("webhook-create"))
		p.Fill("#webhook_url", good.srv.URL+"/hooks")
		p.Fill("#webhook_description", "CRM sync")
		// The catalogue's types are many: typing narrows the list to the wildcard.
		p.Click(`.ant-select:has(#webhook_eventTypes)`)
		p.Fill("#webhook_eventTypes", "dev.rapport.contacts.*")
		p.Click(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title^="dev.rapport.contacts.*"]`)
		p.Click(".ant-modal-title") // closes the types' dropdown, which covers the dialog's buttons
		p.WaitGone(".ant-select-dropdown:not(.ant-select-dropdown-hidden)")
		if got := p.Text(".ant-modal-body"); !strings.Contains(got, "Matches ") {
			t.Errorf("the form does not say how many catalogue types the patterns match: %q", got)
		}
		p.Fill("#webhook_filter", `{"field": "data.noSuchField", "op": "eq", "value": "x"}`)
		p.Axe("the subscription form")
		p.Click(browser.TestID("webhook-save"))
		p.Wait(`.ant-form-item-has-error #webhook_filter`)
		if got := p.Text(`.ant-form-item-has-error:has(#webhook_filter) .ant-form-item-explain`); !strings.Contains(got, "noSuchField") {
			t.Errorf("the filter's error reads %q, want the server's naming the unknown field", got)
		}
		p.Fill("#webhook_filter", `{"field": "type", "op": "eq", "value": "dev.rapport.contacts.contact.created.v1"}`)
		p.Click(browser.TestID("webhook-save"))

		p.WaitTestID("webhook-secret")
		if secret := strings.TrimSpace(p.Text(browser.TestID("webhook-secret"))); !strings.HasPrefix(secret, "whsec_") {
			t.Errorf("the secret shown is %q, want whsec_…", secret)
		}
		if !p.Has(`.ant-modal [data-testid="webhook-secret"] .ant-typography-copy`) {
			t.Error("the secret has no copy button")
		}
		p.Axe("the new subscription's secret")
		p.Click(browser.TestID("webhook-secret-close"))
		p.WaitTestID("page-webhook")
		subID = strings.TrimPrefix(pagePath(t, p), "/admin/webhooks/")
		if p.Has(browser.TestID("webhook-secret")) || strings.Contains(p.Text(`[data-testid="page-webhook"]`), "whsec_") {
			t.Error("the secret is still on the page after its dialog closed")
		}
		var sub map[string]any
		c.api(t, http.MethodGet, "/v1/webhooks/subscriptions/"+subID, nil, http.StatusOK, &sub)
		if _, ok := sub["secret"]; ok || sub["url"] != good.srv.URL+"/hooks" || sub["description"] != "CRM sync" || sub["filter"] == nil {
			t.Errorf("the subscription as the API reads it: %v", sub)
		}
		p.Axe("a webhook subscription")
	})
	if subID == "" {
		t.FailNow()
	}

	t.Run("a contact's event is delivered and its attempt shows the receiver's answer", func(t *testing.T) {
		contact := c.create(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": "Grace", "lastName": "Hopper"}, http.StatusCreated)
		consoleHookWaitRow(t, p, contact, "succeeded")
		if got := p.Text(`.ant-drawer [data-testid="attempt-response"]`); !strings.Contains(got, "thanks from the good receiver") {
			t.Errorf("the attempt's response reads %q", got)
		}
		if got := p.Text(`.ant-drawer [data-testid="attempt-request"]`); !strings.Contains(got, contact) || strings.Contains(got, "whsec_") {
			t.Errorf("the attempt's request reads %q, want the event about the contact and no secret", got)
		}
		p.Axe("a delivery's attempts")
		p.Click(".ant-drawer-close")
		p.WaitGone(`.ant-drawer [data-testid="attempt"]`)

		p.Click(browser.TestID("webhook-ping"))
		consoleHookWaitRow(t, p, subID, "succeeded")
		p.Click(".ant-drawer-close")
		p.WaitGone(`.ant-drawer [data-testid="attempt"]`)

		p.Go(s.GatewayURL + "/admin/webhooks")
		p.Wait(`[data-testid="row"] [data-testid="webhook-last-delivery"] [data-status="succeeded"]`)
		if got := p.Text(`[data-testid="row"] [data-testid="webhook-status"]`); got != "Active" {
			t.Errorf("the subscription's state reads %q", got)
		}
	})

	t.Run("a failing receiver's attempts show and redeliver brings the delivery through", func(t *testing.T) {
		var failing struct {
			ID string `json:"id"`
		}
		c.api(t, http.MethodPost, "/v1/webhooks/subscriptions", map[string]any{"url": bad.srv.URL + "/hooks",
			"eventTypes": []string{"dev.rapport.contacts.contact.*"}}, http.StatusCreated, &failing)
		contact := c.create(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": "Alan", "lastName": "Turing"}, http.StatusCreated)
		p.Go(s.GatewayURL + "/admin/webhooks/" + failing.ID)
		p.WaitTestID("page-webhook")
		pick(p, "delivery-status-filter", "Failed")
		consoleHookWaitRow(t, p, contact, "failed")
		attempts := consoleHookAttempts(p)
		if want := len(strings.Split(stack.WebhookSchedule, ",")); len(attempts) != want {
			t.Errorf("the failed delivery lists %d attempts, want the schedule's %d", len(attempts), want)
		}
		for _, a := range attempts {
			if !strings.Contains(a, "HTTP 500") || !strings.Contains(a, "the bad receiver is down") {
				t.Errorf("a failed attempt reads %q, want the receiver's 500 and its answer", a)
			}
		}
		p.Axe("a failed delivery")
		p.Click(".ant-drawer-close")
		p.WaitGone(`.ant-drawer [data-testid="attempt"]`)
		p.Reload()
		p.Wait(`[data-testid="webhook-status"][data-status="failing"]`)
		p.Axe("a failing subscription")

		bad.down.Store(false)
		consoleHookWaitRow(t, p, contact, "failed")
		p.Click(browser.TestID("delivery-redeliver"))
		p.Wait(`.ant-drawer [data-testid="delivery-status"][data-status="succeeded"]`)
		if got := p.Text(`.ant-drawer [data-testid="attempt"]`); !strings.Contains(got, "thanks from the bad receiver") {
			t.Errorf("the newest attempt reads %q, want the receiver's answer", got)
		}
		p.Reload()
		p.WaitTestID("page-webhook")
		if got := p.Text(browser.TestID("webhook-status")); got != "Active" {
			t.Errorf("after the redelivery the subscription reads %q, want Active (failing since cleared)", got)
		}
	})
}
