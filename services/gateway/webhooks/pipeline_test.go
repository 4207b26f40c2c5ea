package webhooks

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/services/gateway/webhooks/delivery"
)

// TestWebhooksFanOutThroughTheDispatcher runs the fan-out and the
// dispatcher as the gateway wires them: an event reaches a receiver signed
// with the subscription's secret, and a receiver answering 410 Gone has
// its subscription disabled with the disabled event in the outbox.
func TestWebhooksFanOutThroughTheDispatcher(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		mu.Unlock()
	}))
	t.Cleanup(ok.Close)
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) }))
	t.Cleanup(gone.Close)
	sub, err := e.store.Create(t.Context(), e.tenantA, "", Subscription{URL: ok.URL + "/hooks", EventTypes: []string{"dev.rapport.sales.*"}})
	if err != nil {
		t.Fatal(err)
	}
	dead, err := e.store.Create(t.Context(), e.tenantA, "", Subscription{URL: gone.URL, EventTypes: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}

	brokers, pub := startKafka(t)
	e.startFanOut(t, brokers)
	d := delivery.NewDispatcher(e.app, delivery.Config{AllowLoopback: true, AllowHTTP: true, Open: e.store.sealer.Open,
		OnDisabled: e.store.OnDisabled, Logger: quiet, Poll: 50 * time.Millisecond, Schedule: []time.Duration{0, time.Second}})
	run(t, d.Run)

	ev := event(t, e.tenantA, "dev.rapport.sales.lead.created.v1", ids.New(), map[string]any{"name": "Lead"})
	publish(t, pub, ev)
	testkit.Eventually(t, 20*time.Second, "the receiver's POST", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1, strconv.Itoa(len(got))
	})
	mu.Lock()
	r, body := got[0], bodies[0]
	mu.Unlock()
	ts, err := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if want := delivery.Sign(sub.Secret, r.Header.Get("webhook-id"), time.Unix(ts, 0), body); r.Header.Get("webhook-signature") != want {
		t.Errorf("signature %q, want %q with the secret shown at creation", r.Header.Get("webhook-signature"), want)
	}

	testkit.Eventually(t, 20*time.Second, "the 410 subscription disabled", func() (bool, string) {
		var status string
		if err := pg.WithTenantTx(t.Context(), e.app, e.tenantA, func(tx *sqlx.Tx) error {
			return tx.Get(&status, `SELECT status FROM webhook_subscriptions WHERE id = $1`, dead.ID)
		}); err != nil {
			t.Fatal(err)
		}
		return status == StatusDisabled, status
	})
	var n int
	if err := e.admin.Get(&n, `SELECT count(*) FROM outbox WHERE type = $1 AND subject = $2`, TypeDisabled, dead.ID); err != nil || n != 1 {
		t.Errorf("%d disabled events in the outbox (%v)", n, err)
	}
}
