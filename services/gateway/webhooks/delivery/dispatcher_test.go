package delivery

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestDeliverySignatureVerified: a delivery arrives with the Standard
// Webhooks headers, its signature verified by the specification's own Go
// library, and is recorded succeeded with its attempt.
func TestDeliverySignatureVerified(t *testing.T) {
	e := newEnv(t)
	secret := NewSecret()
	verifier, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		header http.Header
		body   []byte
		err    error
	}
	received := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		received <- got{r.Header.Clone(), body, verifier.Verify(body, r.Header)}
		w.Header().Set("X-Receiver", "yes")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	sub := e.subscription(t, srv.URL+"/hooks", secret)
	if _, err := e.admin.Exec(`UPDATE webhook_subscriptions SET failing_since = now() WHERE id = $1`, sub); err != nil {
		t.Fatal(err)
	}
	id := e.delivery(t, sub, "opp-1")
	reg := prometheus.NewRegistry()
	d := e.run(t, Config{Metrics: reg})

	var g got
	select {
	case g = <-received:
	case <-time.After(15 * time.Second):
		t.Fatal("nothing delivered")
	}
	if g.err != nil {
		t.Errorf("standard-webhooks Verify: %v", g.err)
	}
	if h := g.header; h.Get("webhook-id") != MessageID(id) || !strings.HasPrefix(h.Get("webhook-id"), "msg_") || strings.Contains(h.Get("webhook-id"), "-") ||
		h.Get("Content-Type") != ContentType || h.Get("User-Agent") != UserAgent {
		t.Errorf("headers: %v", h)
	}
	var ev map[string]any
	if err := json.Unmarshal(g.body, &ev); err != nil || ev["subject"] != "opp-1" || ev["specversion"] != "1.0" {
		t.Errorf("body %s (%v)", g.body, err)
	}
	eventually(t, "the delivery succeeded", func() bool { return e.read(t, id).Status == "succeeded" })
	if r := e.read(t, id); r.Attempts != 1 || r.LastStatus == nil || *r.LastStatus != 200 || !r.Delivered || r.Leased {
		t.Errorf("delivery %+v", r)
	}
	if s := e.sub(t, sub); s.Failing || s.Status != "active" {
		t.Errorf("subscription %+v, want active and no longer failing", s)
	}
	as := e.attempts(t, id)
	if len(as) != 1 || as[0].N != 1 || as[0].Status == nil || *as[0].Status != 200 || as[0].ResponseExcerpt != `{"ok":true}` ||
		!strings.Contains(as[0].RequestExcerpt, "opp-1") || as[0].Error != "" {
		t.Fatalf("attempts %+v", as)
	}
	var reqH, respH map[string]string
	_ = json.Unmarshal([]byte(as[0].RequestHeaders), &reqH)
	_ = json.Unmarshal([]byte(as[0].ResponseHeaders), &respH)
	if reqH["Webhook-Signature"] != g.header.Get("webhook-signature") || respH["X-Receiver"] != "yes" || strings.Contains(as[0].RequestHeaders, secret) {
		t.Errorf("logged headers %s / %s", as[0].RequestHeaders, as[0].ResponseHeaders)
	}
	if n := testutil.ToFloat64(d.metrics.attempts.WithLabelValues(outcomeSucceeded)); n != 1 {
		t.Errorf("deliveries counted %v, want 1", n)
	}
	if n := testutil.CollectAndCount(reg, "rapport_webhook_delivery_latency_seconds"); n != 1 {
		t.Errorf("latency series %d, want 1", n)
	}
}

// TestDeliveryRetriedThenFailed: a receiver answering 500 gets the
// delivery once per entry of the schedule, each attempt logged, and the
// delivery ends failed with the subscription failing but still active.
func TestDeliveryRetriedThenFailed(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		http.Error(w, "broken", http.StatusInternalServerError)
	}))
	defer srv.Close()
	sub := e.subscription(t, srv.URL, NewSecret())
	id := e.delivery(t, sub, "a")
	e.run(t, Config{Schedule: []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond}, Poll: 20 * time.Millisecond})

	eventually(t, "the delivery failed", func() bool { return e.read(t, id).Status == "failed" })
	r := e.read(t, id)
	if r.Attempts != 3 || r.LastStatus == nil || *r.LastStatus != 500 || r.Delivered || !strings.Contains(r.LastError, "500") {
		t.Errorf("delivery %+v", r)
	}
	as := e.attempts(t, id)
	if len(as) != 3 || as[2].N != 3 || !strings.Contains(as[0].ResponseExcerpt, "broken") {
		t.Fatalf("attempts %+v", as)
	}
	// The waits were the schedule's (±10 %), not shorter.
	if gap := as[2].At - as[1].At; gap < 0.09 {
		t.Errorf("third attempt %.3fs after the second, want ≥ 0.09s", gap)
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if hits != 3 {
		t.Errorf("receiver hit %d times, want 3", hits)
	}
	if s := e.sub(t, sub); !s.Failing || s.Status != "active" {
		t.Errorf("subscription %+v, want failing and active", s)
	}
}

// TestDeliveryTimeout: a receiver slower than Timeout is an attempt
// without a status whose error says it timed out; a slow receiver within
// Timeout succeeds with its duration logged.
func TestDeliveryTimeout(t *testing.T) {
	e := newEnv(t)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // read, the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer hang.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(400 * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer slow.Close()
	hung := e.delivery(t, e.subscription(t, hang.URL, NewSecret()), "a")
	late := e.delivery(t, e.subscription(t, slow.URL, NewSecret()), "a")
	e.run(t, Config{Timeout: 1500 * time.Millisecond, Schedule: []time.Duration{0}})

	eventually(t, "the hung delivery failed", func() bool { return e.read(t, hung).Status == "failed" })
	as := e.attempts(t, hung)
	if len(as) != 1 || as[0].Status != nil || !strings.Contains(as[0].Error, "Timeout") || as[0].DurationMS < 1400 {
		t.Errorf("hung attempts %+v", as)
	}
	eventually(t, "the slow delivery succeeded", func() bool { return e.read(t, late).Status == "succeeded" })
	if as := e.attempts(t, late); len(as) != 1 || as[0].Status == nil || *as[0].Status != 204 || as[0].DurationMS < 400 {
		t.Errorf("slow attempts %+v", as)
	}
}
