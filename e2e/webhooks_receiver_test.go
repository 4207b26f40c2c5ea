package e2e

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// receiver is a webhook endpoint of a subscriber on 127.0.0.1 (the stack's
// gateway runs with GATEWAY_WEBHOOK_ALLOW_PRIVATE=true). It records every
// request and checks its signature with the Standard Webhooks reference
// library, a second implementation beside the gateway's delivery.Sign, and
// answers as answer says.
type receiver struct {
	srv *httptest.Server
	// answer tells the status of the n-th request (from 1) and how long to
	// wait before answering (a timeout when longer than the gateway's).
	answer func(n int) (status int, delay time.Duration)
	// location is the Location of a 3xx answer.
	location string

	mu     sync.Mutex
	secret string
	got    []received
}

// received is one request the receiver answered.
type received struct {
	At     time.Time // when it arrived
	Status int       // what the receiver answered
	ID     string    // the webhook-id header
	Header http.Header
	Body   []byte
	Event  cloudEvent
	// Problem says what is wrong with the request as a Standard Webhooks
	// message carrying a structured CloudEvent; empty when nothing is.
	Problem string
}

// cloudEvent is the structured-mode CloudEvent a delivery POSTs.
type cloudEvent struct {
	SpecVersion     string         `json:"specversion"`
	ID              string         `json:"id"`
	Source          string         `json:"source"`
	Type            string         `json:"type"`
	Subject         string         `json:"subject"`
	Time            time.Time      `json:"time"`
	DataContentType string         `json:"datacontenttype"`
	TenantID        string         `json:"tenantid"`
	Data            map[string]any `json:"data"`
}

// newReceiver starts a receiver answering as answer says; nil answers 200
// at once. It stops when the test ends.
func newReceiver(t *testing.T, answer func(n int) (int, time.Duration)) *receiver {
	t.Helper()
	if answer == nil {
		answer = func(int) (int, time.Duration) { return http.StatusOK, 0 }
	}
	r := &receiver{answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// URL is where a subscription sends its deliveries.
func (r *receiver) URL() string { return r.srv.URL + "/hooks" }

// setSecret gives the receiver the subscription's secret, shown once when
// it is made.
func (r *receiver) setSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

// received returns a copy of what arrived so far, in order of arrival.
func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// delivered returns the requests the receiver accepted (a 2xx answer).
func (r *receiver) delivered() []received {
	var ok []received
	for _, g := range r.received() {
		if g.Status/100 == 2 {
			ok = append(ok, g)
		}
	}
	return ok
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	g := received{At: time.Now(), ID: req.Header.Get("webhook-id"), Header: req.Header.Clone(), Body: body}
	r.mu.Lock()
	n, secret := len(r.got)+1, r.secret
	r.mu.Unlock()
	status, delay := r.answer(n)
	g.Status = status
	g.Problem = check(req, body, err, secret, &g.Event)
	r.mu.Lock()
	r.got = append(r.got, g)
	r.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-req.Context().Done():
		return
	}
	if g.Status/100 == 3 {
		w.Header().Set("Location", r.location)
	}
	w.WriteHeader(g.Status)
	io.WriteString(w, `{"received":"`+g.ID+`"}`) //nolint:errcheck // the gateway may have hung up
}

// check returns what is wrong with a delivery: its method, content type,
// User-Agent, Standard Webhooks signature (the reference library's Verify,
// which also bounds the timestamp) and CloudEvent structure; it decodes
// the event into ev.
func check(req *http.Request, body []byte, readErr error, secret string, ev *cloudEvent) string {
	switch {
	case readErr != nil:
		return "read: " + readErr.Error()
	case req.Method != http.MethodPost:
		return "method " + req.Method
	case req.Header.Get("User-Agent") != "Rapport-Webhooks/1":
		return "User-Agent " + req.Header.Get("User-Agent")
	}
	if mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err != nil || mt != "application/cloudevents+json" {
		return "Content-Type " + req.Header.Get("Content-Type")
	}
	if secret == "" {
		return "no secret to verify with"
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return "secret: " + err.Error()
	}
	if err := wh.Verify(body, req.Header); err != nil {
		return "signature: " + err.Error()
	}
	if err := json.Unmarshal(body, ev); err != nil {
		return "body: " + err.Error()
	}
	switch {
	case ev.SpecVersion != "1.0":
		return "specversion " + ev.SpecVersion
	case ev.ID == "" || ev.Source == "" || ev.Type == "" || ev.Time.IsZero():
		return "a CloudEvent without id, source, type or time"
	case ev.Data == nil:
		return "a CloudEvent without data"
	}
	return ""
}
