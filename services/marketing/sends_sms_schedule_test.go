package marketing_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/messaging"
)

// smsProvider is the SMS provider's HTTP API in the test: it keeps every
// SMS it accepts, answering the first request to failFirst 503.
type smsProvider struct {
	mu        sync.Mutex
	got       []map[string]string
	tries     map[string]int
	failFirst string
}

// newSMSProvider starts a provider for the test's life and points
// MARKETING_SMS_URL and MARKETING_SMS_TOKEN at it.
func newSMSProvider(t *testing.T) *smsProvider {
	t.Helper()
	p := &smsProvider{tries: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/messages" || r.Header.Get("Authorization") != "Bearer sms-token" ||
			r.Header.Get("Idempotency-Key") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.tries[body["to"]]++
		if body["to"] == p.failFirst && p.tries[body["to"]] == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		p.got = append(p.got, body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": "sms-` + uuid.NewString() + `"}`))
	}))
	t.Cleanup(srv.Close)
	t.Setenv(messaging.EnvSMSURL, srv.URL+"/v1")
	t.Setenv(messaging.EnvSMSToken, "sms-token")
	return p
}

// TestSendsSMSThroughTheProvider sends an SMS template with a Chinese body
// and a link to a list: the members with SMS consent and a phone get one
// SMS each (the provider's 503 retried), with the sender id and the link
// tracked; the others are counted excluded.
func TestSendsSMSThroughTheProvider(t *testing.T) {
	p := newSMSProvider(t)
	p.failFirst = "+8613800000002"
	t.Setenv("MARKETING_PUBLIC_URL", "https://mkt.example.test")
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.want(e.do(u, "PUT", "/v1/marketing-settings", map[string]any{"fromAddress": "", "fromName": "", "replyTo": "", "smsFrom": "Acme",
		"throttlePerMinute": 100}), http.StatusOK)
	list, _ := e.seedAudience(u.tenant,
		audienceMember{first: "王", phone: "+8613800000001", smsConsent: "granted"},
		audienceMember{first: "李", phone: "+8613800000002", smsConsent: "granted"},
		audienceMember{first: "张", phone: "+8613800000003", smsConsent: "denied"},
		audienceMember{first: "赵", smsConsent: "granted"},
		audienceMember{first: "钱", phone: "+8613800000005", smsConsent: "granted"},
	)
	e.suppress(u.tenant, "sms", "+8613800000005", "unsubscribed")
	tpl := e.seedTemplate(u.tenant, "sms", "", "", "", "{{contact.firstName}}您好，春季优惠 https://shop.example/spring")
	s := e.createSend(u, map[string]any{"templateId": tpl, "channel": "sms", "segmentId": list})
	done := e.waitSend(u, s.ID, messaging.StatusCompleted)
	if done.Counts.Sent != 2 || done.Excluded.NoConsent != 1 || done.Excluded.NoAddress != 1 || done.Excluded.Suppressed != 1 {
		t.Errorf("counts %+v excluded %+v", done.Counts, done.Excluded)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var to []string
	for _, m := range p.got {
		to = append(to, m["to"])
		first := string([]rune(m["body"])[:1])
		if m["from"] != "Acme" || !trackedLink.MatchString(m["body"]) || (first != "王" && first != "李") {
			t.Errorf("SMS %v: want from Acme, the greeting and the link tracked", m)
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"+8613800000001", "+8613800000002"}) || p.tries["+8613800000002"] != 2 {
		t.Errorf("SMS to %v (tries %v), want one each to the two with consent, the refused one retried", to, p.tries)
	}
}

// TestSendsScheduledStartLaterAndCancelStops schedules a send a moment
// ahead (it waits, then goes out) and another an hour ahead, canceled (it
// never goes out; canceling it again is a 409); a send to a list of nobody,
// to a segment the tenant lacks or with a template of the other channel is
// a 422 naming the field.
func TestSendsScheduledStartLaterAndCancelStops(t *testing.T) {
	sink := newMailSink(t)
	e := newEnv(t)
	u := newUser(uuid.NewString())
	list, tpl := e.emailAudience(u, 3)

	at := time.Now().Add(2 * time.Second).UTC()
	soon := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list, "scheduledAt": at.Format(time.RFC3339Nano)})
	if soon.Status != messaging.StatusScheduled || soon.ScheduledAt == nil {
		t.Fatalf("status %s, want scheduled", soon.Status)
	}
	later := e.createSend(u, map[string]any{"templateId": tpl, "channel": "email", "segmentId": list,
		"scheduledAt": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	canceled := contracttest.Decode[messaging.Send](e.want(e.do(u, "POST", "/v1/sends/"+later.ID+"/cancel", nil), http.StatusOK))
	if canceled.Status != messaging.StatusCanceled || canceled.CanceledAt == nil {
		t.Errorf("canceled send %+v", canceled)
	}
	e.want(e.do(u, "POST", "/v1/sends/"+later.ID+"/cancel", nil), http.StatusConflict)

	done := e.waitSend(u, soon.ID, messaging.StatusCompleted)
	if done.StartedAt == nil || done.StartedAt.Before(at) || done.Counts.Sent != 3 {
		t.Errorf("the scheduled send started at %v (scheduled %v) with %+v", done.StartedAt, at, done.Counts)
	}
	wantEachOnce(t, sink, 3)
	if got := contracttest.Decode[messaging.Send](e.want(e.do(u, "GET", "/v1/sends/"+later.ID, nil), http.StatusOK)); got.Status != messaging.StatusCanceled ||
		got.Counts.Recipients != 0 {
		t.Errorf("the canceled send is %s with %+v", got.Status, got.Counts)
	}
	page := contracttest.Decode[messaging.Page](e.want(e.do(u, "GET", "/v1/sends?limit=1", nil), http.StatusOK))
	if len(page.Items) != 1 || page.Items[0].ID != later.ID || page.NextCursor == "" {
		t.Errorf("first page %+v", page)
	}
	next := contracttest.Decode[messaging.Page](e.want(e.do(u, "GET", "/v1/sends?limit=1&cursor="+page.NextCursor, nil), http.StatusOK))
	if len(next.Items) != 1 || next.Items[0].ID != soon.ID || next.Items[0].Counts.Sent != 3 {
		t.Errorf("second page %+v", next)
	}

	empty, _ := e.seedAudience(u.tenant)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"templateId": tpl, "channel": "email", "segmentId": empty}, "segmentId"},
		{map[string]any{"templateId": tpl, "channel": "email", "segmentId": uuid.NewString()}, "segmentId"},
		{map[string]any{"templateId": uuid.NewString(), "channel": "email", "segmentId": list}, "templateId"},
		{map[string]any{"templateId": tpl, "channel": "sms", "segmentId": list}, "channel"},
		{map[string]any{"campaignId": uuid.NewString(), "templateId": tpl, "channel": "email", "segmentId": list}, "campaignId"},
	} {
		if got := e.want(e.do(u, "POST", "/v1/sends", c.body), http.StatusUnprocessableEntity).fields(); !slices.Equal(got, []string{c.field}) {
			t.Errorf("%v: fields %v, want %s", c.body, got, c.field)
		}
	}
	if got := e.want(e.do(u, "POST", "/v1/sends", map[string]any{"templateId": "x", "channel": "fax", "segmentId": list}),
		http.StatusBadRequest).fields(); !slices.Equal(got, []string{"templateId", "channel"}) {
		t.Errorf("fields %v", got)
	}
	e.messagingEvents("send.created", "send.canceled", "send.completed")
	other := newUser(uuid.NewString())
	e.want(e.do(other, "GET", "/v1/sends/"+soon.ID, nil), http.StatusNotFound)
	e.want(e.do(other, "POST", "/v1/sends/"+soon.ID+"/cancel", nil), http.StatusNotFound)
	e.want(e.do(u.as("marketing:read"), "POST", "/v1/sends", map[string]any{"templateId": tpl, "channel": "email", "segmentId": list}),
		http.StatusForbidden)
}
