package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// Event types the webhooks test subscribes to or waits for.
const (
	contactUpdated     = "dev.rapport.contacts.contact.updated.v1"
	opportunityCreated = "dev.rapport.sales.opportunity.created.v1"
	webhookPing        = "dev.rapport.webhooks.ping.v1"
	webhookDisabled    = "dev.rapport.webhooks.subscription.disabled.v1"
)

// hookWait bounds the wait for a delivery: the gateway's consumer, its
// fan-out and the dispatcher's claim, retries of the stack's schedule.
const hookWait = 60 * time.Second

// TestWebhooksE2E subscribes receivers on 127.0.0.1 through the gateway
// (issue 21) and follows contacts' and sales' events to them: signed
// deliveries (checked with the Standard Webhooks reference library) of
// structured CloudEvents in order per entity, filters, the delivery log and
// redelivery, retries of a failing receiver, a receiver that times out,
// one that answers 410 Gone (the subscription disabled, its event and the
// administrator's notification), private addresses refused, and tenant B
// seeing none of tenant A's webhooks. One stack for all.
func TestWebhooksE2E(t *testing.T) {
	st := stack.Start(t, bins)
	a, b := newHookSide(t, st, "a"), newHookSide(t, st, "b")
	admin := a.tenant.Admin.Token
	m := letters(8)

	// Tenant B hears every event of its own; none of A's may reach it.
	everything := newReceiver(t, nil)
	subscribe(t, st, b.tenant.Admin.Token, everything, map[string]any{"eventTypes": []string{"*"}})

	contacts, sales := newReceiver(t, nil), newReceiver(t, nil)
	viaKey := subscribe(t, st, a.key, contacts, map[string]any{"url": contacts.URL() + "/" + m, "description": "Hook" + m,
		"eventTypes": []string{"dev.rapport.contacts.*"}, "filter": jobTitleIs("Hooked" + m)})
	subscribe(t, st, admin, sales, map[string]any{"eventTypes": []string{"dev.rapport.sales.opportunity.*"}})
	var x, y, deal string
	var fixture webhookFixture

	t.Run("signed deliveries in order", func(t *testing.T) {
		x = newContact(t, st, admin, map[string]any{"firstName": "Hook", "lastName": "First" + m, "jobTitle": "Hooked" + m})
		patchContact(t, st, admin, x, 1, map[string]any{"lastName": "Second" + m})
		patchContact(t, st, admin, x, 2, map[string]any{"lastName": "Third" + m})
		y = newContact(t, st, admin, map[string]any{"firstName": "Unhooked", "lastName": m, "jobTitle": "Other" + m})
		var opp struct {
			ID string `json:"id"`
		}
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/opportunities", Token: admin,
			Body: map[string]any{"name": "Deal" + m}}, http.StatusCreated, &opp)
		deal = opp.ID
		eventually(t, hookWait, func() bool { return len(contacts.delivered()) >= 3 && len(sales.delivered()) >= 1 },
			func() string {
				return fmt.Sprintf("contacts' receiver got %d, sales' %d, want 3 and 1", len(contacts.received()), len(sales.received()))
			})
		got := contacts.delivered()
		for i, g := range got {
			if g.Problem != "" || g.Event.Subject != x || g.Event.TenantID != a.tenant.ID {
				t.Errorf("delivery %d: %s; subject %s (want %s), tenant %s (want %s); %s", i, g.Problem, g.Event.Subject, x, g.Event.TenantID, a.tenant.ID, g.Body)
			}
		}
		wantTypes := []string{contactCreated, contactUpdated, contactUpdated}
		for i, want := range wantTypes {
			if got[i].Event.Type != want || got[i].Event.Data["version"] != float64(i+1) {
				t.Errorf("delivery %d of contact %s: %s at version %v, want %s at %d (order per entity)", i, x, got[i].Event.Type, got[i].Event.Data["version"], want, i+1)
			}
		}
		if ids := idsOf(got); len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
			t.Errorf("webhook-ids %v repeat", ids)
		}
		s := sales.delivered()[0]
		if s.Problem != "" || s.Event.Type != opportunityCreated || s.Event.Subject != deal || s.Event.Data["id"] != deal {
			t.Errorf("sales' receiver got %s (%s), want %s of %s", s.Body, s.Problem, opportunityCreated, deal)
		}
	})

	t.Run("the delivery log", func(t *testing.T) {
		var list []webhookDelivery
		eventually(t, hookWait, func() bool { // the receiver's answer is recorded just after it arrived
			list = deliveriesOf(t, st, a.key, viaKey.ID)
			return len(list) == 3 && !slices.ContainsFunc(list, func(d webhookDelivery) bool { return d.Status == "pending" })
		}, func() string { return fmt.Sprintf("deliveries %+v, want 3 done", list) })
		for _, d := range list {
			if d.Status != "succeeded" || d.Attempts != 1 || d.Subject != x || d.LastStatus == nil || *d.LastStatus != 200 {
				t.Errorf("delivery %+v: want succeeded at the first attempt, of %s, last status 200", d, x)
			}
		}
		d := delivery(t, st, admin, list[0].ID)
		if len(d.AttemptList) != 1 {
			t.Fatalf("delivery %+v: want one attempt", d)
		}
		at := d.AttemptList[0]
		if at.N != 1 || at.Status == nil || *at.Status != 200 || !strings.Contains(at.RequestExcerpt, x) ||
			at.header("webhook-id") != msgID(d.ID) || !strings.Contains(at.ResponseExcerpt, msgID(d.ID)) {
			t.Errorf("attempt %+v: want n 1, status 200, the request's body and webhook-id %s and the receiver's answer", at, msgID(d.ID))
		}
		fixture = webhookFixture{SubscriptionID: viaKey.ID, DeliveryID: d.ID, Secret: viaKey.Secret, Markers: []string{m}}
	})

	t.Run("redeliver", func(t *testing.T) {
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/webhooks/deliveries/" + fixture.DeliveryID + "/redeliver", Token: a.key}, http.StatusAccepted, nil)
		eventually(t, hookWait, func() bool { return len(contacts.delivered()) >= 4 }, func() string { return "no redelivery arrived" })
		again := contacts.delivered()[3]
		if again.ID != msgID(fixture.DeliveryID) || again.Problem != "" {
			t.Errorf("redelivery %s (%s), want webhook-id %s", again.ID, again.Problem, msgID(fixture.DeliveryID))
		}
		eventually(t, hookWait, func() bool { return delivery(t, st, admin, fixture.DeliveryID).Status == "succeeded" },
			func() string {
				return fmt.Sprintf("%+v, want succeeded again", delivery(t, st, admin, fixture.DeliveryID))
			})
	})

	t.Run("a failing receiver retried until it recovers", func(t *testing.T) {
		flaky := newReceiver(t, func(n int) (int, time.Duration) {
			if n <= 2 {
				return http.StatusInternalServerError, 0
			}
			return http.StatusNoContent, 0
		})
		sub := subscribe(t, st, a.key, flaky, map[string]any{"eventTypes": []string{"dev.rapport.contacts.contact.*"}, "filter": jobTitleIs("Flaky" + m)})
		z := newContact(t, st, admin, map[string]any{"firstName": "Flaky", "lastName": m, "jobTitle": "Flaky" + m})
		patchContact(t, st, admin, z, 1, map[string]any{"lastName": "Later" + m})
		eventually(t, hookWait, func() bool { return len(flaky.delivered()) >= 2 }, func() string { return fmt.Sprintf("got %d requests", len(flaky.received())) })
		got := flaky.received()
		first := got[0].ID
		if ids := idsOf(got[:4]); !slices.Equal(ids[:3], []string{first, first, first}) || ids[3] == first ||
			got[2].Event.Type != contactCreated || got[3].Event.Type != contactUpdated {
			t.Errorf("requests %v of types %s, %s: want the created event three times (two 500s, then accepted), only then the updated one", ids, got[2].Event.Type, got[3].Event.Type)
		}
		var created webhookDelivery
		for _, d := range deliveriesOf(t, st, admin, sub.ID) {
			if msgID(d.ID) == first {
				created = delivery(t, st, admin, d.ID)
			}
		}
		var statuses []int
		for _, at := range created.AttemptList {
			if at.Status != nil {
				statuses = append(statuses, *at.Status)
			}
		}
		if created.Status != "succeeded" || created.Attempts != 3 || !slices.Equal(statuses, []int{500, 500, 204}) {
			t.Errorf("the created event's delivery %+v (statuses %v), want succeeded at the third attempt after two 500s", created, statuses)
		}
	})

	t.Run("a receiver that times out", func(t *testing.T) {
		slow := newReceiver(t, func(int) (int, time.Duration) { return http.StatusOK, 5 * time.Second })
		sub := subscribe(t, st, admin, slow, map[string]any{"eventTypes": []string{contactCreated}, "filter": jobTitleIs("Slow" + m)})
		newContact(t, st, admin, map[string]any{"firstName": "Slow", "lastName": m, "jobTitle": "Slow" + m})
		var d webhookDelivery
		eventually(t, 2*hookWait, func() bool {
			list := deliveriesOf(t, st, admin, sub.ID)
			if len(list) != 1 || list[0].Status != "failed" {
				return false
			}
			d = delivery(t, st, admin, list[0].ID)
			return true
		}, func() string {
			return fmt.Sprintf("deliveries %+v, want one failed", deliveriesOf(t, st, admin, sub.ID))
		})
		tries := strings.Count(stack.WebhookSchedule, ",") + 1
		if d.Attempts != tries || len(d.AttemptList) != tries {
			t.Errorf("delivery %+v: want %d attempts, the stack's schedule", d, tries)
		}
		for _, at := range d.AttemptList {
			if at.Status != nil || at.Error == "" {
				t.Errorf("attempt %+v: want no status and the timeout's error", at)
			}
		}
		if n := len(slow.received()); n != tries {
			t.Errorf("the receiver got %d requests, want %d", n, tries)
		}
	})

	t.Run("410 Gone disables the subscription", func(t *testing.T) {
		gone := newReceiver(t, func(int) (int, time.Duration) { return http.StatusGone, 0 })
		sub := subscribe(t, st, admin, gone, map[string]any{"eventTypes": []string{contactCreated}, "filter": jobTitleIs("Gone" + m)})
		newContact(t, st, admin, map[string]any{"firstName": "Gone", "lastName": m, "jobTitle": "Gone" + m})
		eventually(t, hookWait, func() bool { return subscription(t, st, admin, sub.ID).Status == "disabled" },
			func() string { return fmt.Sprintf("%+v, want disabled", subscription(t, st, admin, sub.ID)) })
		if s := subscription(t, st, admin, sub.ID); !strings.Contains(s.DisabledReason, "410") {
			t.Errorf("disabled subscription %+v: want a reason naming the 410", s)
		}
		if n := len(gone.received()); n != 1 {
			t.Errorf("the receiver got %d requests, want 1: a 410 is not retried", n)
		}
		eventually(t, hookWait, func() bool {
			for _, r := range testkit.ReadTopic(t, st.Brokers, registry.MustTopic("", registry.Gateway), 100_000, 3*time.Second) {
				if header(r, "ce_type") == webhookDisabled && header(r, "ce_subject") == sub.ID && header(r, "ce_tenantid") == a.tenant.ID {
					return true
				}
			}
			return false
		}, func() string {
			return webhookDisabled + " of the subscription not on " + registry.MustTopic("", registry.Gateway)
		})
		eventually(t, hookWait, func() bool {
			for _, n := range notificationsOf(t, st, admin) {
				if strings.Contains(n.Kind, "webhook") && slices.ContainsFunc(slices.Collect(maps.Values(n.Params)), func(v string) bool { return strings.Contains(v, sub.URL) || v == sub.ID }) {
					return true
				}
			}
			return false
		}, func() string {
			return fmt.Sprintf("the administrator's notifications %+v: none of the disabled subscription", notificationsOf(t, st, admin))
		})
	})

	t.Run("private addresses refused", func(t *testing.T) {
		for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hooks", "http://192.168.1.1/hooks", "http://100.64.0.1/hooks", "http://[fe80::1]/hooks", "ftp://127.0.0.1/hooks"} {
			res := stack.Do(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/webhooks/subscriptions", Token: admin,
				Body: map[string]any{"url": u, "eventTypes": []string{"*"}}})
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"url"`) {
				t.Errorf("subscribing %s: %d %s, want a 400 naming url", u, res.Status, res.Body)
			}
		}
		// A receiver on loopback (allowed in development) redirecting to
		// the cloud's metadata address: the redirect is refused too.
		redirect := newReceiver(t, func(int) (int, time.Duration) { return http.StatusFound, 0 })
		redirect.location = "http://169.254.169.254/latest/meta-data/"
		sub := subscribe(t, st, admin, redirect, map[string]any{"eventTypes": []string{contactCreated}, "filter": jobTitleIs("Redirect" + m)})
		newContact(t, st, admin, map[string]any{"firstName": "Redirect", "lastName": m, "jobTitle": "Redirect" + m})
		var d webhookDelivery
		eventually(t, hookWait, func() bool {
			list := deliveriesOf(t, st, admin, sub.ID)
			if len(list) == 1 && list[0].Attempts >= 1 {
				d = delivery(t, st, admin, list[0].ID)
			}
			return len(d.AttemptList) >= 1
		}, func() string { return "no attempt of the redirected delivery" })
		if at := d.AttemptList[0]; d.Status == "succeeded" || at.Error == "" {
			t.Errorf("redirected delivery %+v: want an attempt refused with an error, not succeeded", d)
		}
	})

	t.Run("tenant B sees none of A's", func(t *testing.T) {
		testWebhookIsolation(t, st, b.callers, fixture)
		// B's "*" hears its own events: its subscription's created event
		// at least.
		eventually(t, hookWait, func() bool { return len(everything.delivered()) > 0 }, func() string { return "tenant B's receiver got nothing" })
		for _, g := range everything.received() {
			if g.Problem != "" || g.Event.TenantID != b.tenant.ID || slices.Contains([]string{x, y, deal, viaKey.ID}, g.Event.Subject) {
				t.Errorf("tenant B's receiver got %s (%s)", g.Body, g.Problem)
			}
		}
	})

	t.Run("A's subscription intact, its secret unchanged", func(t *testing.T) {
		s := subscription(t, st, admin, viaKey.ID)
		if s.Status != "active" || s.Version != 1 || strings.Contains(s.URL, "pwned") || s.Secret != "" {
			t.Errorf("subscription %+v: want active at version 1, its URL and no secret shown", s)
		}
		before := len(contacts.received())
		res := stack.Do(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/webhooks/subscriptions/" + viaKey.ID + "/ping", Token: a.key})
		if res.Status/100 != 2 {
			t.Fatalf("ping: %d %s", res.Status, res.Body)
		}
		eventually(t, hookWait, func() bool { return len(contacts.received()) > before }, func() string { return "no ping arrived" })
		if p := contacts.received()[before]; p.Problem != "" || p.Event.Type != webhookPing {
			t.Errorf("ping %s: %s, want a %s verified with the subscription's first secret", p.Body, p.Problem, webhookPing)
		}
	})
}

// idsOf returns the webhook-ids of got.
func idsOf(got []received) []string {
	ids := make([]string, len(got))
	for i, g := range got {
		ids[i] = g.ID
	}
	return ids
}
